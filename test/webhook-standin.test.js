/**
 * Delivery receipts and replies end to end, over real HTTP: postMessage and createCall name a twilio-webhook
 * node as their status webhook, the stand-in creates the message or call and calls back (signed with the
 * account's token, as Twilio does), and the webhook node emits each status joined to the sid of the send; an
 * SMS to the account's number, simulated by the stand-in, goes through a flow that replies "ACK", and the
 * stand-in receives that TwiML. Also the stand-in's side: callbacks only to loopback, and a target that is down
 * neither blocks nor crashes it.
 */
"use strict";
const assert = require("node:assert/strict");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN, INCOMING_MESSAGE_PATH } = require("../build/standin/server");
const { helper, loadFlow, coreNode } = require("./support/runtime");
const { NodeServer, twimlOf } = require("./support/webhook");
const { refusingPort } = require("./support/harness");

const ROOT = "/api";
const PATH = "/twilio/status";
const SMS = { To: "+16175551212", From: "+15005550006", Body: "ALARM pump-3: pressure high" };
const CALL = { To: "+16175551212", From: "+15005550006", Url: "https://demo.twilio.com/docs/voice.xml" };
const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';


describe("twilio-webhook with the stand-in: receipts joined to the send, replies", function () {
    const standin = new TwilioStandin({ callbackDelayMs: 20 });
    const server = new NodeServer(ROOT);

    before(async function () {
        await standin.start();
        await server.start();
        helper.settings({ httpNodeRoot: ROOT });
    });

    after(async function () {
        helper.settings({});
        await server.stop();
        await standin.stop();
    });

    beforeEach(() => standin.reset());

    afterEach(async function () {
        await standin.whenCallbacksSettled();
        await helper.unload();
    });

    /**
     * The flow: the account on the stand-in, a webhook node (public base URL: this machine's server, as with
     * `npm start`), and a `type` node with `operation` whose status webhook is that node.
     */
    async function loadSendAndReceive(type, operation, { statusWebhook = "hook", hook = {}, extraNodes = [], coreNodes = [] } = {}) {
        const { extraWires = [], ...hookProperties } = hook;
        const flow = [
            { id: "tab1", type: "tab", label: "receipts" },
            { id: "acct", type: "twilio-account", apiBaseUrl: standin.url, timeout: 5 },
            { id: "send", z: "tab1", type, account: "acct", operation, statusWebhook, wires: [["sent"], ["failed"]] },
            { id: "sent", z: "tab1", type: "helper" },
            { id: "failed", z: "tab1", type: "helper" },
            {
                id: "hook",
                z: "tab1",
                type: "twilio-webhook",
                account: "acct",
                path: PATH,
                publicBaseUrl: server.origin,
                validate: true,
                replyTimeout: 2,
                ...hookProperties,
                wires: [["events", ...extraWires]],
            },
            { id: "events", z: "tab1", type: "helper" },
            ...extraNodes.map((node) => ({ z: "tab1", ...node })),
        ];
        await loadFlow(flow, { acct: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } }, coreNodes);
    }

    /** Resolves with the next `count` messages on a helper node. */
    function messagesOn(id, count, timeoutMs = 5000) {
        const received = [];
        const node = helper.getNode(id);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${id}: ${received.length} of ${count} messages`)), timeoutMs);
            node.on("input", (msg) => {
                received.push(msg);
                if (received.length === count) {
                    clearTimeout(timer);
                    resolve(received);
                }
            });
        });
    }

    const publicUrl = () => `${server.origin}${ROOT}${PATH}`;

    it("postMessage fills StatusCallback with the webhook's URL; the receipts come back with msg.topic = the sid", async function () {
        await loadSendAndReceive("twilio-messages", "postMessage");
        const events = messagesOn("events", 3);
        const [sent] = await Promise.all([messagesOn("sent", 1), helper.getNode("send").receive({ payload: SMS })]);
        const sid = sent[0].payload.sid;
        assert.match(sid, /^SM[0-9a-f]{32}$/);
        assert.equal(standin.requests[0].form.StatusCallback, publicUrl(), "the webhook's public URL went to Twilio as StatusCallback");

        const receipts = await events;
        assert.deepEqual(receipts.map((msg) => msg.event), ["message-status", "message-status", "message-status"]);
        assert.deepEqual(receipts.map((msg) => msg.payload.MessageStatus), ["queued", "sent", "delivered"]);
        for (const msg of receipts) {
            assert.equal(msg.topic, sid, "msg.topic joins the receipt to the send");
            assert.equal(msg.payload.MessageSid, sid);
            assert.equal(msg.payload.AccountSid, STANDIN_ACCOUNT_SID);
            assert.equal(msg.payload.To, SMS.To);
            assert.equal(msg._twilioWebhook, undefined, "a receipt waits for no reply");
        }
        await standin.whenCallbacksSettled();
        assert.deepEqual(standin.callbacks.map((c) => [c.kind, c.status, c.body]), [
            ["message-status", 200, EMPTY],
            ["message-status", 200, EMPTY],
            ["message-status", 200, EMPTY],
        ]);
        for (const callback of standin.callbacks) twimlOf(callback);
        const stored = standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.get(sid);
        assert.equal(stored.status, "delivered", "the stand-in's message moved on with its receipts");
        assert.notEqual(stored.date_sent, null);
    });

    it("a StatusCallback set in msg.payload wins over the status webhook; the stand-in calls no URL off this machine", async function () {
        await loadSendAndReceive("twilio-messages", "postMessage");
        const [sent] = await Promise.all([messagesOn("sent", 1), helper.getNode("send").receive({ payload: { ...SMS, StatusCallback: "https://example.com/status" } })]);
        assert.equal(standin.requests[0].form.StatusCallback, "https://example.com/status");
        await standin.whenCallbacksSettled();
        assert.deepEqual(standin.callbacks.map((c) => [c.url, c.status, c.error]), [["https://example.com/status", 0, "not loopback"]]);
        const stored = standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.get(sent[0].payload.sid);
        assert.equal(stored.status, "queued", "nothing is simulated for a callback it cannot make");
    });

    it("createCall: the call's progress events come back with msg.topic = the call's sid", async function () {
        await loadSendAndReceive("twilio-calls", "createCall");
        const events = messagesOn("events", 4);
        const [sent] = await Promise.all([
            messagesOn("sent", 1),
            helper.getNode("send").receive({ payload: { ...CALL, StatusCallbackEvent: "initiated ringing answered completed" } }),
        ]);
        const sid = sent[0].payload.sid;
        assert.equal(standin.requests[0].form.StatusCallback, publicUrl());
        const progress = await events;
        assert.deepEqual(progress.map((msg) => [msg.event, msg.payload.CallStatus, msg.payload.SequenceNumber]), [
            ["call-status", "initiated", "0"],
            ["call-status", "ringing", "1"],
            ["call-status", "in-progress", "2"],
            ["call-status", "completed", "3"],
        ]);
        for (const msg of progress) {
            assert.equal(msg.topic, sid);
            assert.equal(msg.payload.CallSid, sid);
            assert.equal(msg.payload.CallbackSource, "call-progress-events");
        }
        assert.match(progress[3].payload.CallDuration, /^\d+$/);
        assert.equal(standin.store.accounts.get(STANDIN_ACCOUNT_SID).calls.get(sid).status, "completed");
    });

    it("createCall without StatusCallbackEvent: only completed, as Twilio", async function () {
        await loadSendAndReceive("twilio-calls", "createCall");
        const events = messagesOn("events", 1);
        helper.getNode("send").receive({ payload: CALL });
        const [completed] = await events;
        assert.equal(completed.payload.CallStatus, "completed");
        await standin.whenCallbacksSettled();
        assert.equal(standin.callbacks.length, 1);
    });

    it("a status webhook that is not deployed is a ConfigError, and nothing is sent", async function () {
        await loadSendAndReceive("twilio-messages", "postMessage", { statusWebhook: "gone" });
        const [failed] = await Promise.all([messagesOn("failed", 1), helper.getNode("send").receive({ payload: SMS })]);
        assert.deepEqual(failed[0].payload, {
            type: "ConfigError",
            error: "The status webhook gone is not a deployed twilio-webhook node: open this node and choose another status webhook, or none.",
            status: 400,
        });
        assert.equal(standin.requests.length, 0);
    });

    it("a status webhook without a usable public URL is a ConfigError, and nothing is sent", async function () {
        await loadSendAndReceive("twilio-messages", "postMessage", { hook: { validate: false, publicBaseUrl: "" } });
        const [failed] = await Promise.all([messagesOn("failed", 1), helper.getNode("send").receive({ payload: SMS })]);
        assert.equal(failed[0].payload.type, "ConfigError");
        assert.match(failed[0].payload.error, /has no usable public URL: set the public base URL/);
        assert.equal(standin.requests.length, 0);
    });

    it("an incoming SMS from the stand-in goes through the flow, which replies ACK; the stand-in receives that TwiML", async function () {
        // webhook -> switch (msg.event is incoming-message) -> change (payload "ACK") -> back into the webhook
        await loadSendAndReceive("twilio-messages", "postMessage", {
            hook: { path: "/twilio/sms", extraWires: ["incoming"] },
            coreNodes: [coreNode("function/10-switch.js"), coreNode("function/15-change.js")],
            extraNodes: [
                {
                    id: "incoming",
                    type: "switch",
                    property: "event",
                    propertyType: "msg",
                    rules: [{ t: "eq", v: "incoming-message", vt: "str" }],
                    checkall: "true",
                    repair: false,
                    outputs: 1,
                    wires: [["reply"]],
                },
                {
                    id: "reply",
                    type: "change",
                    rules: [{ t: "set", p: "payload", pt: "msg", to: "ACK", tot: "str" }],
                    wires: [["hook"]],
                },
            ],
        });
        const events = messagesOn("events", 1);
        const exchange = await standin.simulateIncomingMessage({
            url: `${server.origin}${ROOT}/twilio/sms`,
            from: "+16175551212",
            to: "+15005550006",
            body: "ack",
        });
        const [incoming] = await events;
        assert.equal(incoming.event, "incoming-message");
        assert.equal(incoming.payload.Body, "ack");
        assert.equal(incoming.topic, exchange.params.MessageSid);
        assert.equal(exchange.status, 200);
        assert.equal(exchange.body, '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ACK</Message></Response>');
        const response = twimlOf(exchange);
        assert.deepEqual(response.children.map((child) => [child.name, child.text]), [["Message", "ACK"]]);
    });

    it(`the stand-in's ${INCOMING_MESSAGE_PATH} sends the same signed request, for flows and npm start`, async function () {
        await loadSendAndReceive("twilio-messages", "postMessage", { hook: { path: "/twilio/sms", replyTimeout: 0.2 } });
        const events = messagesOn("events", 1);
        const response = await fetch(`${standin.url}${INCOMING_MESSAGE_PATH}`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ Url: `${server.origin}${ROOT}/twilio/sms`, From: "+16175551212", To: "+15005550006", Body: "ACK" }),
        });
        assert.equal(response.status, 200);
        const answer = await response.json();
        const [incoming] = await events;
        assert.equal(answer.message_sid, incoming.topic);
        assert.equal(answer.status, 200);
        assert.equal(answer.body, EMPTY, "nothing replied within the reply timeout");
        const refused = await fetch(`${standin.url}${INCOMING_MESSAGE_PATH}`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ Url: "https://example.com/sms", From: "+16175551212", To: "+15005550006", Body: "ACK" }),
        });
        assert.equal(refused.status, 400);
        assert.match((await refused.json()).message, /must be on this machine/);
    });

    it("a request signed with another account's token is refused by the webhook (403), and the stand-in records it", async function () {
        await loadSendAndReceive("twilio-messages", "postMessage", { hook: { path: "/twilio/sms" } });
        const other = standin.addAccount();
        const exchange = await standin.simulateIncomingMessage({ url: `${server.origin}${ROOT}/twilio/sms`, from: "+16175551212", to: "+15005550006", body: "ACK", accountSid: other.sid });
        assert.equal(exchange.status, 403);
        assert.match(exchange.contentType, /^text\/plain/);
    });

    it("a callback target that is down neither blocks nor crashes the stand-in", async function () {
        const refusing = await refusingPort();
        try {
            const url = `http://127.0.0.1:${refusing.port}/twilio/status`;
            const auth = `Basic ${Buffer.from(`${STANDIN_ACCOUNT_SID}:${STANDIN_AUTH_TOKEN}`).toString("base64")}`;
            const created = await fetch(`${standin.url}/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`, {
                method: "POST",
                headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
                body: new URLSearchParams({ ...SMS, StatusCallback: url }),
            });
            assert.equal(created.status, 201, "the create is answered at once");
            await standin.whenCallbacksSettled();
            assert.deepEqual(standin.callbacks.map((c) => [c.status, c.error]), [[0, "ECONNREFUSED"], [0, "ECONNREFUSED"], [0, "ECONNREFUSED"]]);
            const list = await fetch(`${standin.url}/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`, { headers: { Authorization: auth } });
            assert.equal(list.status, 200, "the stand-in still answers");
        } finally {
            await refusing.release();
        }
    });

    it("a slow callback target does not hold up the API, and stop() ends the callbacks under way", async function () {
        const slow = new TwilioStandin({ callbackDelayMs: 0 });
        await slow.start();
        const hanging = require("node:http").createServer(() => {}); // never answers
        await new Promise((resolve) => hanging.listen(0, "127.0.0.1", resolve));
        const firstCallback = new Promise((resolve) => hanging.once("request", resolve));
        try {
            const auth = `Basic ${Buffer.from(`${STANDIN_ACCOUNT_SID}:${STANDIN_AUTH_TOKEN}`).toString("base64")}`;
            const started = Date.now();
            const created = await fetch(`${slow.url}/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`, {
                method: "POST",
                headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
                body: new URLSearchParams({ ...SMS, StatusCallback: `http://127.0.0.1:${hanging.address().port}/status` }),
            });
            assert.equal(created.status, 201);
            assert.ok(Date.now() - started < 1000);
            await firstCallback;
            assert.equal(slow.callbacks.length, 1, "the first callback is under way");
            const stopped = Date.now();
            await slow.stop();
            await slow.whenCallbacksSettled();
            assert.ok(Date.now() - stopped < 1000, "stop() did not wait for the target");
            assert.equal(slow.callbacks[0].status, 0);
        } finally {
            hanging.closeAllConnections();
            await new Promise((resolve) => hanging.close(resolve));
        }
    });
});
