/**
 * twilio-webhook, what Twilio does beyond one signed form per event: it repeats a request that failed or timed
 * out with the same I-Twilio-Idempotency-Token (one event, answered as the first was), and some products POST
 * JSON, signing the URL with a bodySHA256 query parameter (the SDK's validateRequestWithBody). Requests are
 * signed by the SDK's own code.
 */
"use strict";
const assert = require("node:assert/strict");
const twilio = require("twilio");
const { helper, loadFlow, captureLog, quiet } = require("./support/runtime");
const { NodeServer, sign, postForm, twimlOf } = require("./support/webhook");
const { MemoryTokenStore } = require("../build/nodes/webhook/idempotency");

const ACCOUNT_ID = "acct1";
const HOOK_ID = "hook1";
const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "7e57c0de7e57c0de7e57c0de7e57c0de";
const PATH = "/twilio/events";
const PUBLIC_BASE = "https://alarms.example.com";
const PUBLIC_URL = `${PUBLIC_BASE}${PATH}`;
const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const SM = "SM" + "a1".repeat(16);
const INBOUND_SMS = { MessageSid: SM, SmsSid: SM, AccountSid: ACCOUNT_SID, From: "+16175551212", To: "+15005550006", Body: "ACK", NumMedia: "0" };
const MESSAGE_STATUS = { MessageSid: SM, MessageStatus: "delivered", AccountSid: ACCOUNT_SID, From: "+15005550006", To: "+16175551212" };

describe("twilio-webhook: retries and JSON", function () {
    const server = new NodeServer();
    let outputs;
    let logged;

    before(() => server.start());
    after(() => server.stop());
    beforeEach(function () {
        outputs = [];
        logged = captureLog();
    });
    afterEach(async function () {
        logged.stop();
        await helper.unload();
    });

    async function loadWebhook(properties = {}, extraNodes = []) {
        const flow = [
            { id: "tab1", type: "tab", label: "webhook" },
            { id: ACCOUNT_ID, type: "twilio-account", apiBaseUrl: "", timeout: 5 },
            {
                id: HOOK_ID,
                z: "tab1",
                type: "twilio-webhook",
                account: ACCOUNT_ID,
                path: PATH,
                publicBaseUrl: PUBLIC_BASE,
                validate: true,
                replyTimeout: 2,
                ...properties,
                wires: [["out"]],
            },
            { id: "out", z: "tab1", type: "helper" },
            ...extraNodes.map((node) => ({ z: "tab1", ...node })),
        ];
        await loadFlow(flow, { [ACCOUNT_ID]: { accountSid: ACCOUNT_SID, authToken: TOKEN } });
        helper.getNode("out").on("input", (msg) => outputs.push(msg));
        return helper.getNode(HOOK_ID);
    }

    /**
     * The outputs so far, once nothing came out for a settle period: the node answers the HTTP request before
     * Node-RED delivers what it sends, so a count taken at the answer could miss a late duplicate.
     */
    async function settled() {
        await quiet(["out"]);
        return outputs;
    }

    const warnings = () =>
        logged.entries.filter((entry) => entry.level === logged.levels.WARN && entry.type === "twilio-webhook").map((entry) => String(entry.msg));

    function statuses() {
        const node = helper.getNode(HOOK_ID);
        return node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]);
    }

    /** A signed form POST as Twilio sends it, with an idempotency token when given. */
    async function postSigned(params, token) {
        const headers = { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sign(TOKEN, PUBLIC_URL, params) };
        if (token) headers["I-Twilio-Idempotency-Token"] = token;
        const response = await fetch(`${server.origin}${PATH}`, { method: "POST", headers, body: new URLSearchParams(params).toString() });
        return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
    }

    describe("I-Twilio-Idempotency-Token", function () {
        it("the same token three times gives one output; each repeat gets the first one's answer, and the status counts them", async function () {
            await loadWebhook();
            const first = await postSigned(MESSAGE_STATUS, "idem-status-1");
            const second = await postSigned(MESSAGE_STATUS, "idem-status-1");
            const third = await postSigned(MESSAGE_STATUS, "idem-status-1");
            assert.equal((await settled()).length, 1);
            assert.equal(outputs[0].event, "message-status");
            for (const answer of [first, second, third]) {
                assert.equal(answer.status, 200);
                assert.equal(answer.body, EMPTY);
            }
            assert.deepEqual(statuses().at(-1), { fill: "green", shape: "ring", text: "retry absorbed (2 in all)" });
            // the next new event shows the count beside it
            await postSigned({ ...MESSAGE_STATUS, MessageStatus: "read" }, "idem-status-2");
            assert.equal((await settled()).length, 2);
            assert.equal(statuses().at(-1).text, `message-status ${SM} (2 retries absorbed)`);
        });

        it("a repeat of an incoming message gets the flow's reply again, without a second output", async function () {
            await loadWebhook();
            // the flow's reply, wired back into the webhook node
            helper.getNode("out").on("input", (msg) => helper.getNode(HOOK_ID).receive({ ...msg, payload: "Alarm acknowledged" }));
            const first = await postSigned(INBOUND_SMS, "idem-sms-1");
            const repeat = await postSigned(INBOUND_SMS, "idem-sms-1");
            assert.equal((await settled()).length, 1);
            assert.equal(first.status, 200);
            assert.equal(twimlOf(first).children[0].text, "Alarm acknowledged");
            assert.deepEqual(repeat, first);
        });

        it("a repeat that arrives while the first waits for its reply gets the empty Response at once", async function () {
            await loadWebhook({ replyTimeout: 2 });
            const firstPending = postSigned(INBOUND_SMS, "idem-sms-2");
            // the first is emitted (and waits for a reply) before the repeat is sent
            await new Promise((resolve) => helper.getNode("out").once("input", resolve));
            const started = Date.now();
            const repeat = await postSigned(INBOUND_SMS, "idem-sms-2");
            assert.ok(Date.now() - started < 1000, "answered before the reply timeout");
            assert.equal(repeat.body, EMPTY);
            helper.getNode(HOOK_ID).receive({ _twilioWebhook: outputs[0]._twilioWebhook, payload: "late but first" });
            const first = await firstPending;
            assert.equal(twimlOf(first).children[0].text, "late but first");
            assert.equal((await settled()).length, 1);
        });

        it("different tokens are different events; requests without a token are each emitted", async function () {
            await loadWebhook();
            await postSigned(MESSAGE_STATUS, "idem-a");
            await postSigned(MESSAGE_STATUS, "idem-b");
            await postSigned(MESSAGE_STATUS);
            await postSigned(MESSAGE_STATUS);
            assert.equal((await settled()).length, 4);
        });

        it("a refused request (bad signature) does not use up its token: the genuine one is still emitted", async function () {
            await loadWebhook();
            const forged = await fetch(`${server.origin}${PATH}`, {
                method: "POST",
                headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "Zm9yZ2Vk", "I-Twilio-Idempotency-Token": "idem-c" },
                body: new URLSearchParams(MESSAGE_STATUS).toString(),
            });
            assert.equal(forged.status, 403);
            await postSigned(MESSAGE_STATUS, "idem-c");
            assert.equal((await settled()).length, 1);
        });

        describe("the in-memory token store", function () {
            it("forgets a token after its time, and the oldest beyond its bound", function () {
                let now = 0;
                const store = new MemoryTokenStore(2, 1000, () => now);
                assert.deepEqual(store.claim("a"), { state: "new" });
                assert.deepEqual(store.claim("a"), { state: "pending" });
                store.settle("a", { status: 200, contentType: "text/xml", body: "x" });
                assert.deepEqual(store.claim("a"), { state: "answered", answer: { status: 200, contentType: "text/xml", body: "x" } });
                now = 1000;
                assert.deepEqual(store.claim("a"), { state: "new" }, "expired");
                store.claim("b");
                store.claim("c");
                assert.equal(store.size, 2);
                assert.deepEqual(store.claim("a"), { state: "new" }, "the oldest was dropped for c");
                store.release("a");
                assert.deepEqual(store.claim("a"), { state: "new" }, "released");
            });
        });
    });

    describe("JSON bodies signed with bodySHA256", function () {
        const EVENT = { specversion: "1.0", type: "com.twilio.messaging.message.delivered", data: { messageSid: SM, to: "+16175551212", status: "delivered" } };
        const BODY = JSON.stringify(EVENT);

        /** POSTs `body` as JSON to the path with `query`; the signature is the SDK's over the public URL with that query. */
        async function postJson({ body = BODY, query, signedQuery = query, signature, contentType = "application/json" }) {
            const headers = { "Content-Type": contentType };
            headers["X-Twilio-Signature"] = signature ?? sign(TOKEN, `${PUBLIC_URL}${signedQuery}`, {});
            return postForm(`${server.origin}${PATH}${query}`, {}, { body, contentType, signature: headers["X-Twilio-Signature"] });
        }

        const hashOf = (text) => twilio.getExpectedBodyHash(text);

        it("a correct bodySHA256: msg.payload is the parsed JSON", async function () {
            await loadWebhook();
            const answer = await postJson({ query: `?bodySHA256=${hashOf(BODY)}` });
            assert.equal(answer.status, 200);
            assert.equal((await settled()).length, 1);
            assert.deepEqual(outputs[0].payload, EVENT);
            assert.equal(outputs[0].event, "other");
        });

        it("a JSON body that carries Twilio's Sid names is classified as a form would be", async function () {
            await loadWebhook();
            const body = JSON.stringify(MESSAGE_STATUS);
            await postJson({ body, query: `?bodySHA256=${hashOf(body)}` });
            assert.equal((await settled()).length, 1);
            assert.equal(outputs[0].event, "message-status");
            assert.equal(outputs[0].topic, SM);
        });

        it("a wrong bodySHA256 (the body changed after signing): 403, nothing emitted, a warning", async function () {
            await loadWebhook();
            const tampered = JSON.stringify({ ...EVENT, data: { ...EVENT.data, status: "failed" } });
            const answer = await postJson({ body: tampered, query: `?bodySHA256=${hashOf(BODY)}` });
            assert.equal(answer.status, 403);
            assert.equal((await settled()).length, 0);
            assert.match(warnings().at(-1), /bodySHA256 does not match https:\/\/alarms\.example\.com\/twilio\/events and the JSON body/);
        });

        it("a bodySHA256 that matches the body but a signature over another URL: 403", async function () {
            await loadWebhook();
            const answer = await postJson({ query: `?bodySHA256=${hashOf(BODY)}`, signedQuery: `?bodySHA256=${hashOf(BODY)}&x=1` });
            assert.equal(answer.status, 403);
            assert.equal((await settled()).length, 0);
        });

        it("no bodySHA256: 403, nothing emitted, the warning says what is missing", async function () {
            await loadWebhook();
            const answer = await postJson({ query: "" });
            assert.equal(answer.status, 403);
            assert.equal((await settled()).length, 0);
            assert.match(warnings().at(-1), /bodySHA256 query parameter/);
        });

        it("a signed body that is not JSON: 400, nothing emitted", async function () {
            await loadWebhook();
            const body = "{not json";
            const answer = await postJson({ body, query: `?bodySHA256=${hashOf(body)}` });
            assert.equal(answer.status, 400);
            assert.equal((await settled()).length, 0);
        });

        it("with signature checking off, JSON is accepted unsigned", async function () {
            await loadWebhook({ validate: false });
            const answer = await postForm(`${server.origin}${PATH}`, {}, { body: BODY, contentType: "application/json; charset=utf-8" });
            assert.equal(answer.status, 200);
            assert.equal((await settled()).length, 1);
            assert.deepEqual(outputs[0].payload, EVENT);
        });

        it("form requests keep their rules: another content type is still 415", async function () {
            await loadWebhook();
            const answer = await postJson({ query: "", contentType: "text/plain" });
            assert.equal(answer.status, 415);
            assert.equal((await settled()).length, 0);
        });
    });
});
