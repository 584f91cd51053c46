/**
 * The twilio-account node keeps the nodes that use it, as core's MQTT broker node keeps its clients: operation
 * and webhook nodes register when they start and deregister when they close. A closing node's requests that
 * wait for the account's limits end unsent while the account and its other nodes go on; and the account tells
 * its nodes when Twilio does not answer. The stand-in's record of requests is the judge of what was sent.
 */
"use strict";
const assert = require("node:assert/strict");
const { TwilioStandin } = require("../build/standin/server");
const { helper, captureLog, useStandin, loadNode, collect, refusingPort, NODE_ID, ACCOUNT_ID, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("./support/harness");
const { loadFlow } = require("./support/runtime");
const { waitFor } = require("./support/outbox");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };
const CREDENTIALS = { [ACCOUNT_ID]: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } };
const UNREACHABLE = /^Twilio unreachable since \d\d:\d\d$/;

/** The statuses `node` shows from now on. */
function statuses(node) {
    const seen = [];
    node.on("call:status", (call) => seen.push(call.args[0]));
    return seen;
}

describe("the account and the nodes that use it", function () {
    const standin = useStandin();

    /** An account on the stand-in, two messages nodes and a webhook node using it; `account` overrides its settings. */
    function flowOf(account = {}) {
        return [
            { id: "tab1", type: "tab", label: "test" },
            { id: ACCOUNT_ID, type: "twilio-account", apiBaseUrl: standin.url, timeout: 5, ...account },
            { id: NODE_ID, z: "tab1", type: "twilio-messages", account: ACCOUNT_ID, operation: "postMessage", wires: [["out1"], ["out2"]] },
            { id: "second", z: "tab1", type: "twilio-messages", account: ACCOUNT_ID, operation: "postMessage", wires: [["out1"], ["out2"]] },
            { id: "hook", z: "tab1", type: "twilio-webhook", account: ACCOUNT_ID, path: "/twilio/users", publicBaseUrl: "", validate: false, wires: [[]] },
            { id: "out1", z: "tab1", type: "helper" },
            { id: "out2", z: "tab1", type: "helper" },
        ];
    }

    describe("registration", function () {
        before(() => helper.settings({ httpNodeRoot: "/" }));
        after(() => helper.settings({}));

        it("operation and webhook nodes register when they start and deregister when they close", async function () {
            const flow = flowOf();
            await loadFlow(flow, CREDENTIALS);
            const { account } = helper.getNode(ACCOUNT_ID);
            assert.deepEqual([...account.users.ids].sort(), [NODE_ID, "hook", "second"].sort());

            // a deploy of the changed nodes only: the account and its other nodes go on
            await helper.setFlows(flow.filter((node) => node.id !== NODE_ID), "nodes", CREDENTIALS);
            assert.equal(helper.getNode(ACCOUNT_ID).account, account, "the same account node");
            assert.deepEqual([...account.users.ids].sort(), ["hook", "second"]);

            await helper.unload();
            assert.deepEqual(account.users.ids, []);
        });
    });

    describe("a closing node", function () {
        it("ends its requests waiting for the account's limits unsent; the account's other nodes go on", async function () {
            const logged = captureLog();
            try {
                const flow = flowOf({ maxConcurrent: 1 });
                await loadFlow(flow, CREDENTIALS);
                const stopped = [];
                helper.getNode("out2").on("input", (msg) => msg.payload.type === "StoppedError" && stopped.push(msg.payload.error));
                standin.failNext({ delayMs: 400 });
                const withStandin = new Promise((resolve) => standin.once("received", resolve));
                for (let i = 0; i < 3; i++) helper.getNode(NODE_ID).receive({ payload: { ...SMS, Body: `alarm ${i}` } });
                await withStandin;
                // the first is in flight, the other two wait for the account's one place when the node is removed
                await helper.setFlows(flow.filter((node) => node.id !== NODE_ID), "nodes", CREDENTIALS);

                // each ends on output 2, whose node still runs, or (should it be gone) in the log
                const endings = await waitFor("the two queued messages to end", () => {
                    const fromLog = logged.entries.filter((entry) => entry.id === NODE_ID).map((entry) => String(entry.msg));
                    const all = [...stopped, ...fromLog].filter((line) => /stopped .* while postMessage waited .* nothing was sent/.test(line));
                    return all.length >= 2 ? all : undefined;
                });
                assert.equal(endings.length, 2, endings.join(" | "));

                // the account's place is free again: the other node's message goes out, and the removed node's never do
                const output = collect(1);
                helper.getNode("second").receive({ payload: { ...SMS, Body: "from the second node" } });
                const [{ port }] = await output;
                assert.equal(port, 1);
                await new Promise((resolve) => setTimeout(resolve, 300));
                assert.deepEqual(standin.requests.map((request) => request.form.Body), ["alarm 0", "from the second node"]);
            } finally {
                logged.stop();
            }
        });
    });

    describe("Twilio unreachable", function () {
        it("shows on the account's nodes while requests get no answer, and goes once one does", async function () {
            // nothing listens on 127.0.0.2:port until the stand-in opens it (see reliability.test.js)
            const refusing = await refusingPort();
            const late = new TwilioStandin({ host: "127.0.0.2", port: refusing.port });
            try {
                const apiBaseUrl = `http://127.0.0.2:${refusing.port}`;
                const node = await loadNode(null, {
                    type: "twilio-messages",
                    operation: "postMessage",
                    account: { apiBaseUrl, maxRetries: 0 },
                    extraNodes: [{ id: "second", type: "twilio-messages", account: ACCOUNT_ID, operation: "postMessage", wires: [["out1"], ["out2"]] }],
                });
                const seen = statuses(node);
                const seenBySecond = statuses(helper.getNode("second"));

                const refused = collect(1);
                node.receive({ payload: SMS });
                const [{ port, msg }] = await refused;
                assert.equal(port, 2);
                assert.equal(msg.payload.type, "NetworkError");
                const shown = await waitFor("the unreachable status", () => seen.find((status) => UNREACHABLE.test(status.text)));
                assert.equal(shown.fill, "yellow");
                // the account tells all its nodes, also one that sent nothing
                await waitFor("the unreachable status of the other node", () => seenBySecond.find((status) => UNREACHABLE.test(status.text)));

                await late.start();
                const answered = collect(1);
                node.receive({ payload: SMS });
                const [sent] = await answered;
                assert.equal(sent.port, 1);
                assert.equal(late.requests.length, 1);
                const last = await waitFor("the result's status", () => {
                    const status = seen[seen.length - 1];
                    return status?.fill === "green" ? status : undefined;
                });
                assert.equal(last.text, `postMessage: queued ${sent.msg.payload.sid}`);
                // the other node has nothing else to show: its status is cleared
                await waitFor("the other node's status cleared", () => (seenBySecond.length > 0 && !seenBySecond[seenBySecond.length - 1].text ? true : undefined));
            } finally {
                await refusing.release();
                await late.stop().catch(() => {});
            }
        });
    });
});
