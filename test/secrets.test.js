/**
 * A known auth token and API key secret, sent through every path a message can take (success, Twilio's
 * refusal, validation, network failure, timeout, Catch, redeploy, per-message credentials, the SDK's own debug
 * logging): neither the secret nor its Basic-auth encoding appears in any output, status or log line.
 */
"use strict";
const assert = require("node:assert/strict");
const { TwilioStandin } = require("../nodes/standin/server");
const { helper, captureLog, closedPort, loadNode, run, NODE_ID, STANDIN_ACCOUNT_SID } = require("./support/harness");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "hello" };

/** Every place a secret must not show: the text itself and the base64 of "user:secret" in a Basic header. */
function leaksOf(secret, username) {
    return [secret, Buffer.from(`${username}:${secret}`).toString("base64")];
}

describe("secrets never leak", function () {
    const standin = new TwilioStandin();
    let account; // a subaccount whose token is only used here
    let key;
    let logged;
    let written;
    const outputs = [];
    const restoreStdout = [];

    before(async function () {
        await standin.start();
        account = standin.store.addAccount(undefined, "5ec2e7f00d5ec2e7f00d5ec2e7f00d5e");
        key = standin.addApiKey(account.sid);
        // the SDK prints requests with TWILIO_LOG_LEVEL=debug: capture stdout to check that too
        process.env.TWILIO_LOG_LEVEL = "debug";
        written = [];
        const write = process.stdout.write;
        process.stdout.write = function (chunk, ...rest) {
            written.push(String(chunk));
            return write.call(this, chunk, ...rest);
        };
        restoreStdout.push(() => (process.stdout.write = write));
        logged = captureLog();
    });

    after(async function () {
        restoreStdout.forEach((restore) => restore());
        delete process.env.TWILIO_LOG_LEVEL;
        delete process.env.TWILIO_TEST_TOKEN;
        logged.stop();
        await standin.stop();
    });

    afterEach(async function () {
        const node = helper.getNode(NODE_ID);
        if (node) outputs.push(...node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]));
        await helper.unload();
    });

    const tokenCredentials = () => ({ accountSid: account.sid, authToken: account.token });

    async function through(options, msg) {
        await loadNode(standin, options);
        const output = await run(msg);
        outputs.push(output.msg);
        return output;
    }

    it("a successful request", async function () {
        const { port } = await through({ type: "twilio-messages", operation: "postMessage", credentials: tokenCredentials() }, { payload: SMS });
        assert.equal(port, 1);
    });

    it("Twilio refusing the request", async function () {
        const { msg } = await through(
            { type: "twilio-messages", operation: "postMessage", credentials: tokenCredentials() },
            { payload: { ...SMS, To: "+15005550001" } },
        );
        assert.equal(msg.payload.type, "TwilioError");
    });

    it("Twilio refusing the credentials", async function () {
        const { msg } = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: { accountSid: STANDIN_ACCOUNT_SID, authToken: account.token } },
            { payload: {} },
        );
        assert.equal(msg.payload.code, 20003);
    });

    it("a validation error", async function () {
        const { msg } = await through({ type: "twilio-messages", operation: "postMessage", credentials: tokenCredentials() }, { payload: { To: "x" } });
        assert.equal(msg.payload.type, "ValidationError");
    });

    it("an unreachable host (the SDK's error carries the Authorization header)", async function () {
        const { msg } = await through(
            {
                type: "twilio-messages",
                operation: "postMessage",
                credentials: tokenCredentials(),
                account: { apiBaseUrl: `http://127.0.0.1:${await closedPort()}` },
            },
            { payload: SMS },
        );
        assert.equal(msg.payload.type, "NetworkError");
    });

    it("a timeout", async function () {
        standin.failNext({ hang: true });
        const { msg } = await through(
            { type: "twilio-calls", operation: "listCall", credentials: tokenCredentials(), account: { timeout: 0.3, maxRetries: 0 } },
            { payload: {} },
        );
        assert.equal(msg.payload.type, "TimeoutError");
    });

    it("AccountSid and AuthToken in msg.payload, accepted and refused", async function () {
        // per-message credentials are opt-in: allowMessageCredentials
        const allow = { allowMessageCredentials: true };
        const ok = await through({ type: "twilio-messages", operation: "listMessage", credentials: {}, fields: allow }, { payload: { AccountSid: account.sid, AuthToken: account.token } });
        assert.equal(ok.port, 1);
        await helper.unload();
        const refused = await through(
            { type: "twilio-messages", operation: "postMessage", credentials: {}, fields: allow },
            { payload: { ...SMS, To: "bad", AccountSid: account.sid, AuthToken: account.token } },
        );
        assert.equal(refused.msg.payload.type, "ValidationError");
        assert.equal("AuthToken" in refused.msg.parameters, false);
        await helper.unload();
        const wrongAccount = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: {}, fields: allow },
            { payload: { AccountSid: STANDIN_ACCOUNT_SID, AuthToken: account.token } },
        );
        assert.equal(wrongAccount.msg.payload.code, 20003);
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
        await helper.unload();
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
    });

    it("an API key secret, accepted and refused", async function () {
        const ok = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: { accountSid: account.sid, apiKeySid: key.sid, apiKeySecret: key.secret } },
            { payload: {} },
        );
        assert.equal(ok.port, 1);
        await helper.unload();
        const refused = await through(
            { type: "twilio-messages", operation: "listMessage", credentials: { accountSid: STANDIN_ACCOUNT_SID, apiKeySid: key.sid, apiKeySecret: key.secret } },
            { payload: {} },
        );
        assert.equal(refused.msg.payload.code, 20003);
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
        outputs.push(await caught);
        standin.failNext({ delayMs: 200 });
        helper.getNode(NODE_ID).receive({ payload: SMS });
        await new Promise((resolve) => setTimeout(resolve, 50));
    });

    it("appears in no output, status, log line or SDK debug output", function () {
        assert.ok(outputs.length >= 15, `outputs and statuses were collected (${outputs.length})`);
        assert.ok(logged.entries.length > 0 && written.some((line) => line.includes("BEGIN Twilio API Request")), "the log and the SDK debug output were captured");
        const seen = {
            outputs: JSON.stringify(outputs),
            log: JSON.stringify(logged.entries.map((entry) => ({ ...entry, msg: String(entry.msg) }))),
            stdout: written.join(""),
        };
        const secrets = [...leaksOf(account.token, account.sid), ...leaksOf(account.token, STANDIN_ACCOUNT_SID), ...leaksOf(key.secret, key.sid)];
        for (const [where, text] of Object.entries(seen)) {
            for (const secret of secrets) assert.ok(!text.includes(secret), `a secret appears in the ${where}`);
        }
    });
});
