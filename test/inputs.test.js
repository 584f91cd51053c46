/**
 * Where parameters and credentials come from: node fields of every typedInput type, msg.payload, and
 * per-message AccountSid/AuthToken; API keys and subaccounts; one SDK client (keep-alive) per account.
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, useStandin, loadNode, run, collect, NODE_ID, ACCOUNT_ID, STANDIN_ACCOUNT_SID } = require("./support/harness");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "hello" };

describe("inputs and credentials", function () {
    const standin = useStandin();

    const lastForm = () => standin.requests[standin.requests.length - 1].form;

    describe("node fields and msg.payload", function () {
        it("a field set in the node wins over msg.payload; a blank field leaves the parameter to it", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                fields: { To: "+17635551234", ToType: "str", Body: "", BodyType: "str" },
            });
            await run({ payload: { ...SMS, To: "+19999999999" } });
            assert.deepEqual(lastForm(), { ...SMS, To: "+17635551234" });
        });

        it("reads msg, flow, global, env and JSONata fields per message", async function () {
            process.env.TWILIO_TEST_FROM = "+15005550006";
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                fields: {
                    To: "alarm.phone",
                    ToType: "msg",
                    From: "TWILIO_TEST_FROM",
                    FromType: "env",
                    Body: '"Alarm " & alarm.device & ": " & $string(alarm.value)',
                    BodyType: "jsonata",
                    StatusCallback: "callbackUrl",
                    StatusCallbackType: "flow",
                    MediaUrl: "chartUrls",
                    MediaUrlType: "global",
                },
            });
            const node = helper.getNode(NODE_ID);
            node.context().flow.set("callbackUrl", "https://example.com/status");
            node.context().global.set("chartUrls", ["https://example.com/1.png", "https://example.com/2.png"]);
            await run({ alarm: { phone: "+17635551234", device: "pump3", value: 97.5 }, payload: {} });
            assert.deepEqual(lastForm(), {
                To: "+17635551234",
                Body: "Alarm pump3: 97.5",
                From: "+15005550006",
                MediaUrl: ["https://example.com/1.png", "https://example.com/2.png"],
                StatusCallback: "https://example.com/status",
            });
            delete process.env.TWILIO_TEST_FROM;
        });

        it("takes numbers, JSON lists and dropdown choices from the node", async function () {
            await loadNode(standin, {
                type: "twilio-calls",
                operation: "createCall",
                fields: {
                    Timeout: "25",
                    TimeoutType: "num",
                    StatusCallbackEvent: "initiated,completed",
                    StatusCallbackEventType: "option",
                    Method: "GET",
                    MethodType: "option",
                    Record: "true",
                    RecordType: "option",
                },
            });
            const { port } = await run({ payload: { To: "+16175551212", From: "+15005550006", Url: "https://example.com/t" } });
            assert.equal(port, 1);
            const form = lastForm();
            assert.equal(form.Timeout, "25");
            assert.deepEqual(form.StatusCallbackEvent, ["initiated", "completed"]);
            assert.equal(form.Method, "GET");
            assert.equal(form.Record, "true");
        });

        it("a field that reads msg.payload makes it the flow's data: its other keys are not parameters", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                fields: {
                    To: "+17635551234",
                    ToType: "str",
                    From: "+15005550006",
                    FromType: "str",
                    Body: "payload.text",
                    BodyType: "msg",
                },
            });
            const { port } = await run({ payload: { text: "Pump 3 pressure high", device: "pump-3", value: 9.7 } });
            assert.equal(port, 1);
            assert.deepEqual(lastForm(), { To: "+17635551234", Body: "Pump 3 pressure high", From: "+15005550006" });
        });

        it("so does a JSONata field over payload, as an MQTT alarm flow writes it", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                fields: {
                    To: "+17635551234",
                    ToType: "str",
                    From: "+15005550006",
                    FromType: "str",
                    Body: '"ALARM " & payload.device & ": " & payload.message',
                    BodyType: "jsonata",
                },
            });
            const { port } = await run({ payload: { device: "pump-3", message: "pressure high" } });
            assert.equal(port, 1);
            assert.equal(lastForm().Body, "ALARM pump-3: pressure high");
        });

        it("ignores a payload that carries no parameters (an inject timestamp)", async function () {
            const sid = "CA" + "9".repeat(32);
            await loadNode(standin, { type: "twilio-calls", operation: "getCall", fields: { CallSid: sid, CallSidType: "str" } });
            const { port, msg } = await run({ payload: Date.now() });
            assert.equal(port, 2);
            assert.equal(msg.payload.code, 20404, "the request went out with the node's CallSid");
            assert.equal(standin.requests[0].path.endsWith(`/Calls/${sid}.json`), true);
        });

        it("keeps a parameter from msg.payload when the node's msg field is empty for this message", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                fields: { To: "override", ToType: "msg" },
            });
            await run({ payload: SMS });
            assert.equal(lastForm().To, SMS.To);
        });
    });

    describe("credentials", function () {
        // per-message credentials are opt-in (test/recipients.test.js checks the refusal while off)
        const ALLOW_CREDENTIALS = { allowMessageCredentials: true };

        it("AccountSid alone: the config node's credentials act on that subaccount", async function () {
            const sub = standin.addAccount(STANDIN_ACCOUNT_SID);
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", fields: ALLOW_CREDENTIALS });
            const { port, msg } = await run({ payload: { ...SMS, AccountSid: sub.sid } });
            assert.equal(port, 1);
            const request = standin.requests[0];
            assert.equal(request.path, `/2010-04-01/Accounts/${sub.sid}/Messages.json`);
            assert.equal(request.username, STANDIN_ACCOUNT_SID);
            assert.equal(msg.payload.account_sid, sub.sid);
            assert.equal("AccountSid" in request.form, false, "credentials are never form fields");
        });

        it("AccountSid with AuthToken: that account's own credentials, for this message only", async function () {
            const other = standin.addAccount();
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage", fields: ALLOW_CREDENTIALS });
            const first = await run({ payload: { AccountSid: other.sid, AuthToken: other.token } });
            const second = await run({ payload: {} });
            assert.equal(first.port, 1);
            assert.equal(second.port, 1);
            assert.equal(standin.requests[0].username, other.sid);
            assert.equal(standin.requests[0].path, `/2010-04-01/Accounts/${other.sid}/Messages.json`);
            assert.equal(standin.requests[1].username, STANDIN_ACCOUNT_SID, "the next message uses the config node again");
        });

        it("works with credentials only in msg.payload and none in the config node", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage", credentials: {}, fields: ALLOW_CREDENTIALS });
            const { port } = await run({ payload: { AccountSid: STANDIN_ACCOUNT_SID, AuthToken: standin.store.accounts.get(STANDIN_ACCOUNT_SID).token } });
            assert.equal(port, 1);
        });

        it("an API key authenticates as the key on the Account SID's account and its subaccounts", async function () {
            const key = standin.addApiKey(STANDIN_ACCOUNT_SID);
            const sub = standin.addAccount(STANDIN_ACCOUNT_SID);
            await loadNode(standin, {
                type: "twilio-calls",
                operation: "listCall",
                fields: ALLOW_CREDENTIALS,
                credentials: { accountSid: STANDIN_ACCOUNT_SID, apiKeySid: key.sid, apiKeySecret: key.secret },
            });
            assert.equal((await run({ payload: {} })).port, 1);
            assert.equal((await run({ payload: { AccountSid: sub.sid } })).port, 1);
            assert.equal(standin.requests[0].username, key.sid);
            assert.equal(standin.requests[0].path, `/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Calls.json`);
            assert.equal(standin.requests[1].path, `/2010-04-01/Accounts/${sub.sid}/Calls.json`);
        });

        it("deletes the msg property an AuthToken field read, so the token does not travel on", async function () {
            const other = standin.addAccount();
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "listMessage",
                fields: { ...ALLOW_CREDENTIALS, AccountSid: other.sid, AccountSidType: "str", AuthToken: "secrets.twilio", AuthTokenType: "msg" },
            });
            const { port, msg } = await run({ secrets: { twilio: other.token, keep: 1 }, payload: {} });
            assert.equal(port, 1);
            assert.equal(standin.requests[0].username, other.sid);
            assert.deepEqual(msg.secrets, { keep: 1 });
        });
    });

    describe("one SDK client per config node", function () {
        it("every message of every node on the account shares keep-alive connections", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                extraNodes: [
                    { id: "second", type: "twilio-messages", account: ACCOUNT_ID, operation: "listMessage", wires: [["out1"], ["out2"]] },
                ],
            });
            for (let i = 0; i < 5; i++) await run({ payload: SMS });
            const listed = collect(1);
            helper.getNode("second").receive({ payload: {} });
            await listed;
            assert.equal(standin.requests.length, 6);
            assert.deepEqual(new Set(standin.requests.map((request) => request.connection)).size, 1, "one connection, reused");
        });
    });
});
