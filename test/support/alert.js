/**
 * twilio-alert under test: the account on the stand-in with its outbox on (a fresh user directory per test, so
 * alarms are kept in a real SQLite file), a twilio-webhook node served over real HTTP (NodeServer) whose URL the
 * stand-in's signed replies and keypresses reach, the alert node, and a helper node that records its events. The
 * stand-in's record of requests is the judge of what was sent, to whom and in which order.
 */
"use strict";
const { helper, loadFlow } = require("./runtime");
const { STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../../build/standin/server");

const ROOT = "/api";
const HOOK_PATH = "/twilio/alarm";
const FROM = "+15005550006";
const ANN = { name: "Ann", number: "+16175551212" };
const BOB = { name: "Bob", number: "+16175551313" };
const STRANGER = "+16175559999";

/** The alert node "alert" on account "acct" and webhook "hook": Ann (SMS, call), then Bob (SMS); `settings` override. */
function alertNode(settings) {
    return {
        id: "alert",
        z: "tab1",
        type: "twilio-alert",
        account: "acct",
        webhook: "hook",
        from: FROM,
        contacts: [
            { ...ANN, sms: true, call: true },
            { ...BOB, sms: true, call: false },
        ],
        ...settings,
    };
}

/** The flow; `alert` overrides the alert node's settings, `account` the account's. */
async function loadAlert(standin, server, { alert = {}, account = {}, hook = {} } = {}) {
    const flow = [
        { id: "tab1", type: "tab", label: "alarms" },
        { id: "acct", type: "twilio-account", apiBaseUrl: standin.url, timeout: 5, outbox: true, ...account },
        { id: "hook", z: "tab1", type: "twilio-webhook", account: "acct", path: HOOK_PATH, publicBaseUrl: server.origin, validate: true, replyTimeout: 2, wires: [["hookEvents"]], ...hook },
        { id: "hookEvents", z: "tab1", type: "helper" },
        alertNode({ ackWait: 0.02, rounds: 2, cooldown: 0.05, notifyClear: false, ...alert, wires: [["events"]] }),
        { id: "events", z: "tab1", type: "helper" },
    ];
    await loadFlow(flow, { acct: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } });
    return recordEvents();
}

/** Every message of the helper `id` from now on, and a wait for one that matches. */
function recordEvents(id = "events") {
    const seen = [];
    const waiters = [];
    helper.getNode(id).on("input", (msg) => {
        seen.push(msg);
        for (const waiter of [...waiters]) {
            const found = seen.filter(waiter.match);
            if (found.length < waiter.count) continue;
            waiters.splice(waiters.indexOf(waiter), 1);
            clearTimeout(waiter.timer);
            waiter.resolve(found[waiter.count - 1]);
        }
    });
    return {
        seen,
        /** Resolves with the `count`-th message matching (an event name or a predicate), now or when it comes. */
        waitFor(what, { count = 1, limitMs = 15_000 } = {}) {
            const match = typeof what === "function" ? what : (msg) => msg.event === what;
            const found = seen.filter(match);
            if (found.length >= count) return Promise.resolve(found[count - 1]);
            return new Promise((resolve, reject) => {
                const waiter = { match, count, resolve };
                waiter.timer = setTimeout(() => {
                    waiters.splice(waiters.indexOf(waiter), 1);
                    reject(new Error(`timed out waiting for ${typeof what === "string" ? what : "an event"} #${count}; seen: ${seen.map((msg) => msg.event).join(", ")}`));
                }, limitMs);
                waiters.push(waiter);
            });
        },
        events: () => seen.map((msg) => msg.event),
    };
}

/** What the stand-in was asked to create, in order: {kind: "sms" | "call", to, body, twiml, at}. */
function sends(standin) {
    return standin.requests
        .filter((request) => request.method === "POST" && /\/(Messages|Calls)\.json$/.test(request.path))
        .map((request) => ({
            kind: request.path.endsWith("Messages.json") ? "sms" : "call",
            to: request.form.To,
            from: request.form.From,
            body: request.form.Body,
            twiml: request.form.Twiml,
            at: request.receivedAt,
        }));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { alertNode, loadAlert, recordEvents, sends, sleep, ROOT, HOOK_PATH, FROM, ANN, BOB, STRANGER };
