/**
 * How failures come out: Twilio's 4xx and 5xx answers, an unreachable host, a reset connection and a timeout
 * each map to their error type on output 2; configuration problems are ConfigErrors; with output 2 unwired the
 * error goes to Catch nodes; the node status shows what happened.
 */
"use strict";
const assert = require("node:assert/strict");
const {
    helper,
    captureLog,
    useStandin,
    refusingPort,
    loadNode,
    run,
    standinApi,
    NODE_ID,
    STANDIN_ACCOUNT_SID,
    STANDIN_AUTH_TOKEN,
} = require("./support/harness");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };

/** The status objects the node under test has shown, in order. */
function statuses() {
    const node = helper.getNode(NODE_ID);
    return node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]);
}

/** The statuses once the node shows its result: the last one is drawn at most 250 ms after the answer. */
async function settledStatuses() {
    const deadline = Date.now() + 2000;
    for (;;) {
        const shown = statuses();
        if (shown.length > 0 && shown[shown.length - 1].fill !== "blue") return shown;
        if (Date.now() > deadline) return shown;
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

describe("errors", function () {
    const standin = useStandin();

    describe("TwilioError: Twilio answered with an error", function () {
        it("a 400 carries Twilio's status, code, more_info and a sentence to act on", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const { port, msg } = await run({ topic: "pump3", payload: { ...SMS, To: "+15005550001" } });
            assert.equal(port, 2);
            assert.deepEqual(Object.keys(msg.payload).sort(), ["code", "error", "more_info", "status", "type"]);
            assert.equal(msg.payload.type, "TwilioError");
            assert.equal(msg.payload.status, 400);
            assert.equal(msg.payload.code, 21211);
            assert.equal(msg.payload.more_info, "https://www.twilio.com/docs/errors/21211");
            assert.match(msg.payload.error, /^Twilio answered 400: The 'To' number \+15005550001 is not a valid phone number\. Check the To number/);
            assert.equal(msg.operation, "postMessage");
            assert.deepEqual(msg.parameters, { ...SMS, To: "+15005550001" });
            assert.equal(msg.topic, "pump3");
            assert.equal(standin.requests.length, 1, "the request was sent: Twilio refused it");
        });

        it("a 404 for a Sid that does not exist", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "getMessage" });
            const { port, msg } = await run({ payload: { MessageSid: "SM" + "0".repeat(32) } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "TwilioError");
            assert.equal(msg.payload.status, 404);
            assert.equal(msg.payload.code, 20404);
            assert.match(msg.payload.error, /Check the Sid/);
        });

        it("a 401 for wrong credentials points at the config node", async function () {
            await loadNode(standin, {
                type: "twilio-calls",
                operation: "listCall",
                credentials: { accountSid: STANDIN_ACCOUNT_SID, authToken: "0".repeat(32) },
            });
            const { port, msg } = await run({ payload: {} });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "TwilioError");
            assert.equal(msg.payload.status, 401);
            assert.equal(msg.payload.code, 20003);
            assert.match(msg.payload.error, /Check the Account SID and auth token .* of the twilio-account node/);
        });

        for (const status of [500, 503]) {
            it(`a ${status} keeps Twilio's status and code`, async function () {
                // no retries: a list may be repeated after a 5xx, see reliability.test.js
                await loadNode(standin, { type: "twilio-messages", operation: "listMessage", account: { maxRetries: 0 } });
                standin.failNext({ status, code: 20500 + (status - 500), message: "Service temporarily unavailable" });
                const { port, msg } = await run({ payload: {} });
                assert.equal(port, 2);
                assert.equal(msg.payload.type, "TwilioError");
                assert.equal(msg.payload.status, status);
                assert.equal(msg.payload.code, 20500 + (status - 500));
                assert.match(msg.payload.error, new RegExp(`^Twilio answered ${status}: Service temporarily unavailable`));
            });
        }

        it("an answer that is not Twilio's JSON says to check the base URL", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage", account: { maxRetries: 0 } });
            standin.failNext({ status: 502, body: "<html>Bad gateway</html>" });
            const { port, msg } = await run({ payload: {} });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "TwilioError");
            assert.equal(msg.payload.status, 502);
            assert.match(msg.payload.error, /not Twilio's JSON: check the API base URL/);
        });
    });

    describe("NetworkError and TimeoutError: no answer", function () {
        it("an unreachable host is a NetworkError 502", async function () {
            const refusing = await refusingPort();
            try {
                const url = `http://127.0.0.1:${refusing.port}`;
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { apiBaseUrl: url } });
                const { port, msg } = await run({ payload: SMS });
                assert.equal(port, 2);
                assert.deepEqual(msg.payload, {
                    type: "NetworkError",
                    status: 502,
                    error: `Could not reach the Twilio API at ${url} (ECONNREFUSED): check the network connection and the API base URL of the twilio-account node.`,
                });
            } finally {
                await refusing.release();
            }
        });

        it("a connection reset before the answer is a NetworkError 502", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall", account: { maxRetries: 0 } });
            standin.failNext({ reset: true });
            const { port, msg } = await run({ payload: {} });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "NetworkError");
            assert.equal(msg.payload.status, 502);
            assert.equal(standin.requests.length, 1);
        });

        it("no answer within the timeout is a TimeoutError 504", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "getCall", account: { timeout: 0.5, maxRetries: 0 } });
            standin.failNext({ hang: true });
            const { port, msg } = await run({ payload: { CallSid: "CA" + "1".repeat(32) } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "TimeoutError");
            assert.equal(msg.payload.status, 504);
            assert.match(msg.payload.error, /did not answer within 0\.5 s/);
        });

        it("a timed-out create warns that it may have been carried out", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { timeout: 0.5 } });
            standin.failNext({ hang: true });
            const { msg } = await run({ payload: SMS });
            assert.equal(msg.payload.type, "TimeoutError");
            assert.match(msg.payload.error, /postMessage may still have been carried out: check .* before sending it again/);
        });
    });

    describe("ConfigError: the node cannot act", function () {
        it("no credentials at all: 401, nothing sent", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", credentials: {} });
            const { port, msg } = await run({ payload: SMS });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ConfigError");
            assert.equal(msg.payload.status, 401);
            assert.match(msg.payload.error, /No Twilio credentials: enter the Account SID and auth token/);
            assert.equal(standin.requests.length, 0);
        });

        it("an Account SID that is not one", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                credentials: { accountSid: "my-account", authToken: STANDIN_AUTH_TOKEN },
            });
            const { msg } = await run({ payload: SMS });
            assert.equal(msg.payload.type, "ConfigError");
            assert.match(msg.payload.error, /Account SID must be AC followed by 32 hexadecimal digits/);
            assert.equal(standin.requests.length, 0);
        });

        it("half an API key", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "listMessage",
                credentials: { accountSid: STANDIN_ACCOUNT_SID, apiKeySid: "SK" + "1".repeat(32) },
            });
            const { msg } = await run({ payload: {} });
            assert.equal(msg.payload.type, "ConfigError");
            assert.match(msg.payload.error, /API key needs both its SID and its secret/);
        });

        for (const url of ["http://api.example.com", "ftp://127.0.0.1", "https://user:pw@proxy.example.com", "not a url"]) {
            it(`refuses the base URL ${url}: credentials must not cross a network in clear`, async function () {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { apiBaseUrl: url } });
                const { port, msg } = await run({ payload: SMS });
                assert.equal(port, 2);
                assert.equal(msg.payload.type, "ConfigError");
                assert.equal(msg.payload.status, 400);
                assert.match(msg.payload.error, /API base URL .* cannot be used: give an https URL, or http on 127\.0\.0\.1/);
                assert.equal(standin.requests.length, 0);
            });
        }

        it("no twilio-account node selected", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall", fields: { account: "" } });
            const { port, msg } = await run({ payload: {} });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ConfigError");
            assert.match(msg.payload.error, /No twilio-account node is selected/);
        });

        it("an operation of another node", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "postMessage" });
            const { port, msg } = await run({ payload: SMS });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ConfigError");
            assert.match(msg.payload.error, /Unknown operation "postMessage"/);
            assert.equal(standin.requests.length, 0);
        });

        it("an AuthToken field typed as plain text in the flow", async function () {
            await loadNode(standin, {
                type: "twilio-calls",
                operation: "listCall",
                fields: { AuthToken: "literal-token", AuthTokenType: "str" },
            });
            const { msg } = await run({ payload: {} });
            assert.equal(msg.payload.type, "ConfigError");
            assert.match(msg.payload.error, /AuthToken field could not be used: a secret must come from msg, flow, global or env/);
            assert.ok(!JSON.stringify(msg).includes("literal-token"));
        });
    });

    describe("with output 2 not wired", function () {
        it("the error goes to Catch nodes through done(err)", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                errorOutput: false,
                extraNodes: [
                    { id: "catch1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
                    { id: "caught", type: "helper" },
                ],
            });
            const caught = new Promise((resolve) => helper.getNode("caught").on("input", resolve));
            let onOutput1 = false;
            helper.getNode("out1").on("input", () => (onOutput1 = true));
            helper.getNode(NODE_ID).receive({ payload: { ...SMS, To: "bad" } });
            const msg = await caught;
            assert.equal(msg.payload.type, "ValidationError");
            assert.match(msg.error.message, /To must be a phone number in E\.164 format/);
            assert.equal(msg.error.source.id, NODE_ID);
            assert.equal(onOutput1, false);
        });
    });

    describe("status", function () {
        it("shows requesting, then the result", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const { msg } = await run({ payload: SMS });
            const shown = await settledStatuses();
            assert.deepEqual(shown[0], { fill: "blue", shape: "dot", text: "requesting (1)" });
            assert.deepEqual(shown[shown.length - 1], { fill: "green", shape: "dot", text: `postMessage: queued ${msg.payload.sid}` });
        });

        it("shows the last error", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            await run({ payload: { ...SMS, To: "+15005550001" } });
            const shown = await settledStatuses();
            assert.deepEqual(shown[shown.length - 1], { fill: "red", shape: "ring", text: "TwilioError 21211" });
        });

        it("shows a list's size and a deletion", async function () {
            const seeded = await standinApi(standin, "POST", "/Messages.json", SMS);
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage" });
            await run({ payload: {} });
            assert.equal((await settledStatuses()).pop().text, "listMessage: 1 listed");
            await helper.unload();
            await loadNode(standin, { type: "twilio-messages", operation: "deleteMessage" });
            await run({ payload: { MessageSid: seeded.body.sid } });
            assert.equal((await settledStatuses()).pop().text, "deleteMessage: deleted");
        });
    });

    describe("redeploy", function () {
        let logged;
        beforeEach(function () {
            logged = captureLog();
        });
        afterEach(function () {
            logged.stop();
        });

        /** What the node under test logged at a level while the flow stopped. */
        function lines(level) {
            return logged.entries.filter((entry) => entry.id === NODE_ID && entry.level === logged.levels[level]).map((entry) => String(entry.msg));
        }

        it("waits for a request in flight and keeps its result in the log when the flow is gone", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            standin.failNext({ delayMs: 300 });
            const withStandin = new Promise((resolve) => standin.once("received", resolve));
            helper.getNode(NODE_ID).receive({ payload: SMS });
            await withStandin;
            const stopping = Date.now();
            await helper.unload();
            assert.ok(Date.now() - stopping >= 200, "close waited for the answer");
            assert.equal(lines("WARN").length, 1);
            assert.match(lines("WARN")[0], /^postMessage finished while the flow was stopping, so its result could not be sent on: queued SM[0-9a-f]{32}$/);
            assert.equal(standin.requests.length, 1);
        });

        it("ends an error in flight with done(err), which logs it", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            standin.failNext({ delayMs: 300 });
            const withStandin = new Promise((resolve) => standin.once("received", resolve));
            helper.getNode(NODE_ID).receive({ payload: { ...SMS, To: "+15005550001" } });
            await withStandin;
            await helper.unload();
            assert.equal(lines("ERROR").length, 1);
            assert.match(lines("ERROR")[0], /Twilio answered 400: The 'To' number \+15005550001 is not a valid phone number/);
        });
    });
});
