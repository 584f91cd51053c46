/**
 * A known auth token and API key secret, sent through every path a message can take (success, Twilio's
 * refusal, validation, network failure, timeout, Catch, redeploy, per-message credentials, the SDK's own debug
 * logging): neither the secret nor its Basic-auth encoding appears in any output, status or log line. Each
 * test checks what its own path produced, so each stands alone.
 */
"use strict";
const assert = require("node:assert/strict");
const { TwilioStandin } = require("../build/standin/server");
const { helper, captureLog, refusingPort, loadNode, run, NODE_ID, STANDIN_ACCOUNT_SID } = require("./support/harness");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "hello" };

/** Every place a secret must not show: the text itself and the base64 of "user:secret" in a Basic header. */
function leaksOf(secret, username) {
    return [secret, Buffer.from(`${username}:${secret}`).toString("base64")];
}

describe("secrets never leak", function () {
    const standin = new TwilioStandin();
    let account; // a subaccount whose token is only used here
    let key;
    /** What the current test produced: output messages, node statuses, log entries, stdout (the SDK's debug). */
    let seen;
    let logged;
    let restoreStdout;

    before(async function () {
        await standin.start();
        account = standin.store.addAccount(undefined, "5ec2e7f00d5ec2e7f00d5ec2e7f00d5e");
        key = standin.addApiKey(account.sid);
        // the SDK prints requests with TWILIO_LOG_LEVEL=debug: stdout is checked too
        process.env.TWILIO_LOG_LEVEL = "debug";
    });

    after(async function () {
        delete process.env.TWILIO_LOG_LEVEL;
        await standin.stop();
    });

    beforeEach(function () {
        seen = { outputs: [], statuses: [], stdout: [] };
        const write = process.stdout.write;
        process.stdout.write = function (chunk, ...rest) {
            seen.stdout.push(String(chunk));
            return write.call(this, chunk, ...rest);
        };
        restoreStdout = () => (process.stdout.write = write);
        logged = captureLog();
    });

    afterEach(async function () {
        restoreStdout();
        logged.stop();
        delete process.env.TWILIO_TEST_TOKEN;
        await helper.unload();
    });

    const tokenCredentials = () => ({ accountSid: account.sid, authToken: account.token });

    /** The node under test's statuses so far, kept before the flow is unloaded. */
    function keepStatuses() {
        const node = helper.getNode(NODE_ID);
        if (node) seen.statuses.push(...node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]));
    }

    async function through(options, msg) {
        await loadNode(standin, options);
        const output = await run(msg);
        seen.outputs.push(output.msg);
        keepStatuses();
        return output;
    }

    async function unload() {
        keepStatuses();
        await helper.unload();
    }

    /** The test's outputs, statuses, log and stdout hold none of the secrets, and the SDK's debug output was seen. */
    function assertNoLeak() {
        assert.ok(seen.outputs.length > 0 && seen.statuses.length > 0, "outputs and statuses were collected");
        assert.ok(seen.stdout.some((line) => line.includes("BEGIN Twilio API Request")) || seen.outputs.every((msg) => msg.payload?.type === "ValidationError"), "the SDK's debug output was captured");
        const texts = {
            outputs: JSON.stringify(seen.outputs),
            statuses: JSON.stringify(seen.statuses),
            log: JSON.stringify(logged.entries.map((entry) => ({ ...entry, msg: String(entry.msg) }))),
            stdout: seen.stdout.join(""),
        };
        const secrets = [...leaksOf(account.token, account.sid), ...leaksOf(account.token, STANDIN_ACCOUNT_SID), ...leaksOf(key.secret, key.sid)];
        for (const [where, text] of Object.entries(texts)) {
            for (const secret of secrets) assert.ok(!text.includes(secret), `a secret appears in the ${where}`);
        }
    }

    it("a successful request", async function () {
        const { port } = await through({ type: "twilio-messages", operation: "postMessage", credentials: tokenCredentials() }, { payload: SMS });
        assert.equal(port, 1);
        assertNoLeak();
    });

    it("Twilio refusing the request", async function () {
        const { msg } = await through(
            { type: "twilio-messages", operation: "postMessage", credentials: tokenCredentials() },
            { payload: { ...SMS, To: "+15005550001" } },
        );
        assert.equal(msg.payload.type, "TwilioError");
        assertNoLeak();
    });

    it("Twilio refusing the credentials", async function () {
        const { msg } = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: { accountSid: STANDIN_ACCOUNT_SID, authToken: account.token } },
            { payload: {} },
        );
        assert.equal(msg.payload.code, 20003);
        assertNoLeak();
    });

    it("a validation error", async function () {
        const { msg } = await through({ type: "twilio-messages", operation: "postMessage", credentials: tokenCredentials() }, { payload: { To: "x" } });
        assert.equal(msg.payload.type, "ValidationError");
        assertNoLeak();
    });

    it("an unreachable host (the SDK's error carries the Authorization header)", async function () {
        const refusing = await refusingPort();
        try {
            const { msg } = await through(
                {
                    type: "twilio-messages",
                    operation: "postMessage",
                    credentials: tokenCredentials(),
                    account: { apiBaseUrl: `http://127.0.0.1:${refusing.port}`, maxRetries: 0 },
                },
                { payload: SMS },
            );
            assert.equal(msg.payload.type, "NetworkError");
            assertNoLeak();
        } finally {
            await refusing.release();
        }
    });

    it("a timeout", async function () {
        standin.failNext({ hang: true });
        const { msg } = await through(
            { type: "twilio-calls", operation: "listCall", credentials: tokenCredentials(), account: { timeout: 0.3, maxRetries: 0 } },
            { payload: {} },
        );
        assert.equal(msg.payload.type, "TimeoutError");
        assertNoLeak();
    });

    it("AccountSid and AuthToken in msg.payload, accepted and refused", async function () {
        // per-message credentials are opt-in: allowMessageCredentials
        const allow = { allowMessageCredentials: true };
        const ok = await through({ type: "twilio-messages", operation: "listMessage", credentials: {}, fields: allow }, { payload: { AccountSid: account.sid, AuthToken: account.token } });
        assert.equal(ok.port, 1);
        await unload();
        const refused = await through(
            { type: "twilio-messages", operation: "postMessage", credentials: {}, fields: allow },
            { payload: { ...SMS, To: "bad", AccountSid: account.sid, AuthToken: account.token } },
        );
        assert.equal(refused.msg.payload.type, "ValidationError");
        assert.equal("AuthToken" in refused.msg.parameters, false);
        await unload();
        const wrongAccount = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: {}, fields: allow },
            { payload: { AccountSid: STANDIN_ACCOUNT_SID, AuthToken: account.token } },
        );
        assert.equal(wrongAccount.msg.payload.code, 20003);
        assertNoLeak();
    });

    it("an AuthToken field reading msg and env", async function () {
        process.env.TWILIO_TEST_TOKEN = account.token;
        const fromEnv = await through(
            {
                type: "twilio-messages",
                operation: "listMessage",
                credentials: {},
                fields: { AccountSid: account.sid, AccountSidType: "str", AuthToken: "TWILIO_TEST_TOKEN", AuthTokenType: "env" },
            },
            { payload: {} },
        );
        assert.equal(fromEnv.port, 1);
        await unload();
        const fromMsg = await through(
            {
                type: "twilio-messages",
                operation: "listMessage",
                credentials: {},
                fields: { allowMessageCredentials: true, AccountSid: account.sid, AccountSidType: "str", AuthToken: "token", AuthTokenType: "msg" },
            },
            { token: account.token, payload: {} },
        );
        assert.equal(fromMsg.port, 1);
        assert.equal("token" in fromMsg.msg, false, "the msg property the token was read from is deleted");
        assertNoLeak();
    });

    it("an API key secret, accepted and refused", async function () {
        const ok = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: { accountSid: account.sid, apiKeySid: key.sid, apiKeySecret: key.secret } },
            { payload: {} },
        );
        assert.equal(ok.port, 1);
        await unload();
        const refused = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: { accountSid: STANDIN_ACCOUNT_SID, apiKeySid: key.sid, apiKeySecret: key.secret } },
            { payload: {} },
        );
        assert.equal(refused.msg.payload.code, 20003);
        assertNoLeak();
    });

    it("an error handed to Catch nodes and a result logged during a redeploy", async function () {
        await loadNode(standin, {
            type: "twilio-messages",
            operation: "postMessage",
            credentials: tokenCredentials(),
            errorOutput: false,
            extraNodes: [
                { id: "catch1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
                { id: "caught", type: "helper" },
            ],
        });
        const caught = new Promise((resolve) => helper.getNode("caught").on("input", resolve));
        helper.getNode(NODE_ID).receive({ payload: { ...SMS, To: "+15005550001" } });
        seen.outputs.push(await caught);
        // the next one is still with the stand-in when the flow stops: its result goes to the log
        standin.failNext({ delayMs: 200 });
        const received = new Promise((resolve) => standin.once("received", resolve));
        const arrived = new Promise((resolve) => standin.once("answered", resolve));
        helper.getNode(NODE_ID).receive({ payload: SMS });
        await received;
        await unload();
        await arrived;
        assert.ok(
            logged.entries.some((entry) => entry.id === NODE_ID && /postMessage finished while the flow was stopping/.test(String(entry.msg))),
            "the result was logged",
        );
        assertNoLeak();
    });
});
