/**
 * twilio-webhook through Node-RED: its route on RED.httpNode (mounted under httpNodeRoot /api, behind a public
 * base URL with a path prefix, as behind a proxy), Twilio's signature checked against requests signed by the
 * SDK's own signing code, the events and their msg properties, the flow's replies and the empty Response, and
 * what the node says (status, log) - never the auth token or a signature. Every TwiML answer is parsed by a
 * strict XML parser.
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, loadFlow, captureLog } = require("./support/runtime");
const { NodeServer, sign, postForm, twimlOf } = require("./support/webhook");

const ACCOUNT_ID = "acct1";
const HOOK_ID = "hook1";
const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "7e57c0de7e57c0de7e57c0de7e57c0de";
const OTHER_TOKEN = "0badc0de0badc0de0badc0de0badc0de";
const ROOT = "/api";
const PATH = "/twilio/sms";
const PUBLIC_BASE = "https://alarms.example.com/nodered";
const PUBLIC_URL = `${PUBLIC_BASE}${ROOT}${PATH}`;
const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const SM = "SM" + "a1".repeat(16);
const MM = "MM" + "b2".repeat(16);
const CA = "CA" + "c3".repeat(16);
const INBOUND_SMS = {
    ToCountry: "US",
    SmsMessageSid: SM,
    NumMedia: "0",
    SmsSid: SM,
    SmsStatus: "received",
    Body: "ACK",
    To: "+15005550006",
    NumSegments: "1",
    MessageSid: SM,
    AccountSid: ACCOUNT_SID,
    From: "+16175551212",
    ApiVersion: "2010-04-01",
};
const INBOUND_MMS = {
    ...INBOUND_SMS,
    SmsMessageSid: MM,
    SmsSid: MM,
    MessageSid: MM,
    Body: "",
    NumMedia: "2",
    MediaUrl0: "https://api.twilio.com/2010-04-01/Accounts/AC.../Messages/MM.../Media/ME1",
    MediaContentType0: "image/jpeg",
    MediaUrl1: "https://api.twilio.com/2010-04-01/Accounts/AC.../Messages/MM.../Media/ME2",
    MediaContentType1: "image/png",
};
const MESSAGE_STATUS = {
    MessageSid: SM,
    SmsSid: SM,
    MessageStatus: "undelivered",
    SmsStatus: "undelivered",
    ErrorCode: "30003",
    AccountSid: ACCOUNT_SID,
    From: "+15005550006",
    To: "+16175551212",
    ApiVersion: "2010-04-01",
};
const CALL_STATUS = {
    CallSid: CA,
    CallStatus: "no-answer",
    CallbackSource: "call-progress-events",
    SequenceNumber: "1",
    Timestamp: "Thu, 26 Nov 2026 15:05:00 +0000",
    AccountSid: ACCOUNT_SID,
    From: "+15005550006",
    To: "+16175551212",
    Called: "+16175551212",
    Caller: "+15005550006",
    Direction: "outbound-api",
    ApiVersion: "2010-04-01",
};
const INCOMING_CALL = {
    CallSid: CA,
    CallStatus: "ringing",
    AccountSid: ACCOUNT_SID,
    From: "+16175551212",
    To: "+15005550006",
    Called: "+15005550006",
    Caller: "+16175551212",
    Direction: "inbound",
    ApiVersion: "2010-04-01",
};


describe("twilio-webhook", function () {
    const server = new NodeServer(ROOT);
    /** Every answer a test received, checked in afterEach: each 200 is well-formed TwiML. */
    let answers;
    let logged;
    let outputs;

    before(async function () {
        await server.start();
        helper.settings({ httpNodeRoot: ROOT });
    });

    after(async function () {
        helper.settings({});
        await server.stop();
    });

    beforeEach(function () {
        answers = [];
        outputs = [];
        logged = captureLog();
    });

    afterEach(async function () {
        logged.stop();
        await helper.unload();
        for (const answer of answers) {
            if (answer.status === 200) twimlOf(answer);
            else assert.match(answer.contentType ?? "", /^text\/plain/, `a ${answer.status} answer is plain text`);
        }
    });

    async function loadWebhook(properties = {}, { credentials, extraNodes = [] } = {}) {
        const flow = [
            { id: "tab1", type: "tab", label: "webhook" },
            { id: ACCOUNT_ID, type: "twilio-account", apiBaseUrl: "", timeout: 5 },
            {
                id: HOOK_ID,
                z: "tab1",
                type: "twilio-webhook",
                name: "",
                account: ACCOUNT_ID,
                path: PATH,
                publicBaseUrl: PUBLIC_BASE,
                validate: true,
                replyTimeout: 0.5,
                ...properties,
                wires: [["out"]],
            },
            { id: "out", z: "tab1", type: "helper" },
            ...extraNodes.map((node) => ({ z: "tab1", ...node })),
        ];
        await loadFlow(flow, { [ACCOUNT_ID]: credentials ?? { accountSid: ACCOUNT_SID, authToken: TOKEN } });
        helper.getNode("out").on("input", (msg) => outputs.push(msg));
        return helper.getNode(HOOK_ID);
    }

    /**
     * A request as Twilio sends it: POSTed to the local server, signed for the public URL (or `signedUrl`) with
     * `token`; `signature: null` sends none.
     */
    async function twilioPost(params, { query = "", token = TOKEN, signedUrl = PUBLIC_URL + query, signature, path = PATH } = {}) {
        const header = signature === null ? undefined : (signature ?? sign(token, signedUrl, params));
        const answer = await postForm(`${server.origin}${ROOT}${path}${query}`, params, { signature: header });
        answers.push(answer);
        return answer;
    }

    /** Resolves with the node's next output message. */
    function nextOutput(timeoutMs = 3000) {
        const out = helper.getNode("out");
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("the webhook node emitted nothing")), timeoutMs);
            out.once("input", (msg) => {
                clearTimeout(timer);
                resolve(msg);
            });
        });
    }

    /** What webhook nodes logged at a level (the runtime's own lines are left out). */
    const logOf = (level) => logged.entries.filter((entry) => entry.level === level && entry.type === "twilio-webhook").map((entry) => String(entry.msg));
    const warnings = () => logOf(logged.levels.WARN);
    const errors = () => logOf(logged.levels.ERROR);

    function statuses() {
        const node = helper.getNode(HOOK_ID);
        return node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]);
    }

    describe("X-Twilio-Signature", function () {
        it("accepts a request signed by the SDK's own code over the public URL (base, httpNodeRoot, path and query)", async function () {
            await loadWebhook();
            const emitted = nextOutput();
            const answer = await twilioPost(INBOUND_SMS, { query: "?site=plant%203&x=1" });
            const msg = await emitted;
            assert.deepEqual(msg.payload, INBOUND_SMS);
            assert.equal(msg.event, "incoming-message");
            assert.equal(answer.status, 200);
            assert.deepEqual(warnings(), []);
        });

        it("refuses a tampered parameter with 403, emits nothing, and warns with the path and the reason only", async function () {
            await loadWebhook();
            const signature = sign(TOKEN, PUBLIC_URL, INBOUND_SMS);
            const answer = await twilioPost({ ...INBOUND_SMS, Body: "ACK all alarms" }, { signature });
            assert.equal(answer.status, 403);
            assert.equal(answer.body, "Forbidden: the request does not carry a valid Twilio signature.");
            // the node sends before it answers: by the 403, an emitted message would have been sent
            const hook = helper.getNode(HOOK_ID);
            assert.equal(hook.send.getCalls().filter((call) => call.thisValue === hook).length, 0, "nothing was emitted");
            assert.deepEqual(warnings(), [
                `Refused a request to POST ${PATH} (403): the signature does not match ${PUBLIC_URL} and the parameters: check the public base URL (Twilio signs the URL it calls, in front of any proxy) and the account's auth token.`,
            ]);
            assert.ok(!JSON.stringify(logged.entries).includes(signature), "the signature is not logged");
            assert.equal(statuses().at(-1).text, "refused a request (403)");
        });

        it("refuses a parameter added to a signed request, and a repeated key that would replace a signed value", async function () {
            await loadWebhook();
            const signature = sign(TOKEN, PUBLIC_URL, INBOUND_SMS);
            assert.equal((await twilioPost({ ...INBOUND_SMS, Extra: "1" }, { signature })).status, 403);
            const body = `${new URLSearchParams(INBOUND_SMS)}&Body=${encodeURIComponent("all clear")}`;
            const repeated = await postForm(`${server.origin}${ROOT}${PATH}`, null, { signature, body });
            answers.push(repeated);
            assert.equal(repeated.status, 403);
            assert.equal(outputs.length, 0);
        });

        for (const [what, signedUrl] of [
            ["another host", `https://attacker.example.com/nodered${ROOT}${PATH}`],
            ["another scheme", `http://alarms.example.com/nodered${ROOT}${PATH}`],
            ["another path", `${PUBLIC_BASE}${ROOT}/twilio/voice`],
            ["the path without httpNodeRoot", `${PUBLIC_BASE}${PATH}`],
            ["the URL without the proxy's prefix", `https://alarms.example.com${ROOT}${PATH}`],
            ["another query", `${PUBLIC_URL}?site=2`],
        ]) {
            it(`refuses a signature made for ${what} with 403`, async function () {
                await loadWebhook();
                const answer = await twilioPost(INBOUND_SMS, { signedUrl, query: what === "another query" ? "?site=1" : "" });
                assert.equal(answer.status, 403);
                assert.equal(outputs.length, 0);
            });
        }

        it("refuses every request when the node's public base URL is not the one Twilio called", async function () {
            await loadWebhook({ publicBaseUrl: "https://other.example.com" });
            assert.equal((await twilioPost(INBOUND_SMS)).status, 403);
            assert.match(warnings()[0], /does not match https:\/\/other\.example\.com\/api\/twilio\/sms and the parameters/);
        });

        it("refuses a request without X-Twilio-Signature with 403", async function () {
            await loadWebhook();
            const answer = await twilioPost(INBOUND_SMS, { signature: null });
            assert.equal(answer.status, 403);
            assert.equal(outputs.length, 0);
            assert.deepEqual(warnings(), [`Refused a request to POST ${PATH} (403): the request has no X-Twilio-Signature header.`]);
        });

        it("refuses a signature made with another auth token with 403", async function () {
            await loadWebhook();
            assert.equal((await twilioPost(INBOUND_SMS, { token: OTHER_TOKEN })).status, 403);
        });

        it("accepts Twilio's signature of the URL with the default port written out", async function () {
            await loadWebhook();
            const emitted = nextOutput();
            const answer = await twilioPost(INBOUND_SMS, { signedUrl: `https://alarms.example.com:443/nodered${ROOT}${PATH}` });
            assert.equal(answer.status, 200);
            assert.equal((await emitted).event, "incoming-message");
        });

        it("with validation switched off, accepts unsigned requests and warns at deploy", async function () {
            await loadWebhook({ validate: false, publicBaseUrl: "" });
            assert.deepEqual(warnings(), [
                `POST ${PATH} does not check Twilio's signature: anyone who can reach it can send the flow requests that look like Twilio's. Switch signature checking on outside tests.`,
            ]);
            assert.deepEqual(statuses()[0], { fill: "yellow", shape: "ring", text: `${PATH}: signatures not checked` });
            const emitted = nextOutput();
            const answer = await twilioPost(INBOUND_SMS, { signature: null });
            assert.equal(answer.status, 200);
            assert.deepEqual((await emitted).payload, INBOUND_SMS);
        });

        it("an account with an API key and no auth token: every request is refused, and the status and log say why", async function () {
            await loadWebhook({}, { credentials: { accountSid: ACCOUNT_SID, apiKeySid: "SK" + "d4".repeat(16), apiKeySecret: "secret" } });
            assert.deepEqual(statuses()[0], { fill: "red", shape: "ring", text: "auth token needed for signatures" });
            assert.deepEqual(errors(), [
                `POST ${PATH} will refuse every request (403): the twilio-account node has no auth token, which Twilio signs with (also when requests use an API key): add it.`,
            ]);
            assert.equal((await twilioPost(INBOUND_SMS)).status, 403);
            assert.equal(outputs.length, 0);
        });

        it("an API key with the auth token as well: signatures are checked with the token", async function () {
            await loadWebhook({}, { credentials: { accountSid: ACCOUNT_SID, authToken: TOKEN, apiKeySid: "SK" + "d4".repeat(16), apiKeySecret: "secret" } });
            const emitted = nextOutput();
            assert.equal((await twilioPost(INBOUND_SMS)).status, 200);
            await emitted;
        });

        it("no public base URL while validating: every request is refused, and the status says what is needed", async function () {
            await loadWebhook({ publicBaseUrl: "" });
            assert.deepEqual(statuses()[0], { fill: "red", shape: "ring", text: "public base URL needed" });
            assert.equal((await twilioPost(INBOUND_SMS)).status, 403);
            assert.match(warnings()[0], /the public base URL is not set or not usable/);
        });

        it("no account: every request is refused", async function () {
            await loadWebhook({ account: "" });
            assert.deepEqual(statuses()[0], { fill: "red", shape: "ring", text: "no account" });
            assert.equal((await twilioPost(INBOUND_SMS)).status, 403);
        });
    });

    describe("events", function () {
        const cases = [
            ["an incoming SMS", INBOUND_SMS, "incoming-message", SM],
            ["an incoming MMS", INBOUND_MMS, "incoming-message", MM],
            ["a message status callback (undelivered, with ErrorCode)", MESSAGE_STATUS, "message-status", SM],
            ["a call status callback", CALL_STATUS, "call-status", CA],
            ["Twilio asking for an incoming call's TwiML", INCOMING_CALL, "incoming-call", CA],
            ["a request without any Sid", { AccountSid: ACCOUNT_SID }, "other", undefined],
        ];
        for (const [what, params, event, sid] of cases) {
            it(`${what} is emitted as ${event}, msg.topic the Sid, msg.payload the parameters as strings`, async function () {
                await loadWebhook({ replyTimeout: 0.3 });
                const emitted = nextOutput();
                const answer = twilioPost(params);
                const msg = await emitted;
                assert.equal(msg.event, event);
                assert.equal(msg.topic, sid);
                assert.deepEqual(msg.payload, params);
                assert.equal(Object.getPrototypeOf(msg.payload), Object.prototype, "a plain object");
                const waits = event === "incoming-message" || event === "incoming-call";
                assert.equal(typeof msg._twilioWebhook === "string", waits, "only incoming messages and calls wait for a reply");
                assert.equal("req" in msg || "res" in msg, false, "no request or response objects travel in the flow");
                const { status, body } = await answer;
                assert.equal(status, 200);
                assert.equal(body, EMPTY);
            });
        }

        it("each status callback is answered at once with the empty Response; Twilio ignores the answer", async function () {
            await loadWebhook({ replyTimeout: 5 });
            for (const params of [MESSAGE_STATUS, CALL_STATUS]) {
                const answer = await twilioPost(params);
                assert.equal(answer.body, EMPTY);
                assert.ok(answer.ms < 1000, `answered in ${answer.ms} ms`);
            }
        });

        it("shows the last event and Sid in the node status", async function () {
            await loadWebhook();
            await twilioPost(MESSAGE_STATUS);
            assert.deepEqual(statuses().at(-1), { fill: "green", shape: "dot", text: `message-status ${SM}` });
        });

        it("keeps __proto__ and constructor keys as ordinary parameters", async function () {
            await loadWebhook({ validate: false });
            const emitted = nextOutput();
            const body = "MessageSid=" + SM + "&__proto__=x&constructor=y&MessageStatus=sent";
            answers.push(await postForm(`${server.origin}${ROOT}${PATH}`, null, { body }));
            const msg = await emitted;
            assert.equal(Object.getPrototypeOf(msg.payload), Object.prototype);
            assert.equal(Object.getOwnPropertyDescriptor(msg.payload, "__proto__").value, "x");
            assert.equal(msg.payload.constructor, "y");
            assert.equal(msg.event, "message-status");
        });
    });

    describe("the reply", function () {
        /** Sends a request, waits for its message, and replies with `payload` (undefined: no reply). */
        async function exchange(params, reply, properties = { replyTimeout: 2 }) {
            await loadWebhook(properties);
            const emitted = nextOutput();
            const answer = twilioPost(params);
            const msg = await emitted;
            if (reply !== undefined) helper.getNode(HOOK_ID).receive({ ...msg, payload: reply.payload });
            return { msg, answer: await answer };
        }

        it("text to an incoming message is answered as <Message>, escaped", async function () {
            const { answer } = await exchange(INBOUND_SMS, { payload: 'ACK <pump 3> & "valve"' });
            const response = twimlOf(answer);
            assert.deepEqual(response.children.map((child) => [child.name, child.text]), [["Message", 'ACK <pump 3> & "valve"']]);
            assert.match(answer.contentType, /^text\/xml; charset=utf-8$/);
        });

        it("text to an incoming call is spoken with <Say>", async function () {
            const { answer } = await exchange(INCOMING_CALL, { payload: "Pump 3 pressure high. Press 1 to acknowledge." });
            const response = twimlOf(answer);
            assert.deepEqual(response.children.map((child) => [child.name, child.text]), [["Say", "Pump 3 pressure high. Press 1 to acknowledge."]]);
        });

        it("characters XML cannot carry are left out of a text reply", async function () {
            const { answer } = await exchange(INBOUND_SMS, { payload: "ACK\u0000\u0007 ok \ud800" });
            assert.equal(twimlOf(answer).children[0].text, "ACK ok ");
        });

        it("TwiML from the flow is answered as it is", async function () {
            const twiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Message to="+16175551212">Pump 3 &amp; 4 off</Message><Redirect method="POST">https://example.com/next</Redirect></Response>';
            const { answer } = await exchange(INBOUND_SMS, { payload: `  ${twiml}\n` });
            assert.equal(answer.body, twiml);
            assert.deepEqual(twimlOf(answer).children.map((child) => child.name), ["Message", "Redirect"]);
        });

        for (const [what, payload, warning] of [
            ["not well-formed", "<Response><Message>ACK</Response>", "is not well-formed XML (the end tag </Response> does not match its start tag)"],
            ["an unescaped &", "<Response><Message>A & B</Message></Response>", "is not well-formed XML (an & that starts no entity reference, or ]]> in text)"],
            ["a DOCTYPE", '<!DOCTYPE r [<!ENTITY x "y">]><Response/>', "is not well-formed XML (a DOCTYPE or processing instruction)"],
            ["two roots", "<Response/><Response/>", "is not well-formed XML (not exactly one root element)"],
            ["without a <Response> root", "<Message>ACK</Message>", "is XML without a <Response> root"],
            ["not text", { text: "ACK" }, "is not text"],
        ]) {
            it(`a reply that is ${what} is replaced by the empty Response, with a warning`, async function () {
                const { answer } = await exchange(INBOUND_SMS, { payload });
                assert.equal(answer.body, EMPTY);
                assert.equal(warnings().length, 1);
                assert.ok(warnings()[0].startsWith(`The reply to POST ${PATH} ${warning}`), warnings()[0]);
            });
        }

        it("a blank reply is the empty Response, without a warning", async function () {
            const { answer } = await exchange(INBOUND_SMS, { payload: "" });
            assert.equal(answer.body, EMPTY);
            assert.deepEqual(warnings(), []);
        });

        it("no reply within the reply timeout: the empty Response, then; a late reply is a warning", async function () {
            const { msg, answer } = await exchange(INBOUND_SMS, undefined, { replyTimeout: 0.3 });
            assert.equal(answer.body, EMPTY);
            assert.ok(answer.ms >= 250 && answer.ms < 2000, `answered after ${answer.ms} ms`);
            assert.deepEqual(warnings(), [], "no reply is not a mistake");
            helper.getNode(HOOK_ID).receive({ ...msg, payload: "ACK" });
            assert.match(warnings()[0], /^A reply to POST \/twilio\/sms came after the reply timeout \(0\.3 s\)/);
        });

        it("a message without msg._twilioWebhook answers nothing, with a warning", async function () {
            await loadWebhook();
            helper.getNode(HOOK_ID).receive({ payload: "ACK" });
            assert.deepEqual(warnings(), ["This message answers no webhook request: a reply must keep the msg._twilioWebhook of the message this node emitted."]);
        });

        it("answers each request with its own reply when several wait at once", async function () {
            await loadWebhook({ replyTimeout: 3 });
            const messages = [];
            const allThree = new Promise((resolve) =>
                helper.getNode("out").on("input", (msg) => messages.push(msg) === 3 && resolve()),
            );
            const pending = ["one", "two", "three"].map((body, i) =>
                twilioPost({ ...INBOUND_SMS, Body: body, MessageSid: `SM${String(i).repeat(32)}` }),
            );
            await allThree;
            for (const msg of [...messages].reverse()) helper.getNode(HOOK_ID).receive({ ...msg, payload: `got ${msg.payload.Body}` });
            const bodies = (await Promise.all(pending)).map((answer) => twimlOf(answer).children[0].text);
            assert.deepEqual(bodies, ["got one", "got two", "got three"]);
        });

        it("a redeploy answers the waiting requests with the empty Response and removes the route", async function () {
            await loadWebhook({ replyTimeout: 10 });
            const emitted = nextOutput();
            const answer = twilioPost(INBOUND_SMS);
            await emitted;
            await helper.unload();
            const { body, ms } = await answer;
            assert.equal(body, EMPTY);
            assert.ok(ms < 5000, `answered when the node closed (${ms} ms)`);
            await loadFlow([{ id: "tab1", type: "tab", label: "empty" }]);
            const after = await twilioPost(INBOUND_SMS);
            assert.equal(after.status, 404, "the route is gone");
        });
    });

    describe("the route", function () {
        it("answers 415 to a body that is neither a form nor JSON, and 413 to one over 64 KiB", async function () {
            await loadWebhook({ validate: false });
            const json = await postForm(`${server.origin}${ROOT}${PATH}`, null, { body: "<Sms/>", contentType: "text/xml" });
            assert.equal(json.status, 415);
            const big = await postForm(`${server.origin}${ROOT}${PATH}`, { Body: "x".repeat(70 * 1024) });
            assert.equal(big.status, 413);
            answers.push(json, big);
            assert.equal(outputs.length, 0);
            assert.deepEqual(warnings().slice(1), [
                `Refused a request to POST ${PATH} (415): the body is neither application/x-www-form-urlencoded nor application/json, as Twilio sends them.`,
                `Refused a request to POST ${PATH} (413): the body is larger than 64 KiB.`,
            ]);
        });

        it("runs settings.js' httpNodeMiddleware before the webhook, as for core's http in routes", async function () {
            const seen = [];
            helper.settings({
                httpNodeRoot: ROOT,
                httpNodeMiddleware: (req, res, next) => {
                    seen.push(req.url);
                    if (req.headers["x-blocked"]) res.writeHead(401).end();
                    else next();
                },
            });
            try {
                await loadWebhook();
                const emitted = nextOutput();
                assert.equal((await twilioPost(MESSAGE_STATUS)).status, 200);
                await emitted;
                const blocked = await fetch(`${server.origin}${ROOT}${PATH}`, { method: "POST", headers: { "X-Blocked": "1" } });
                assert.equal(blocked.status, 401);
                assert.deepEqual(seen, [PATH, PATH]);
            } finally {
                helper.settings({ httpNodeRoot: ROOT });
            }
        });

        it("serves POST only", async function () {
            await loadWebhook();
            const response = await fetch(`${server.origin}${ROOT}${PATH}`);
            assert.equal(response.status, 404);
        });

        it("refuses a path that is not literal, and a second node on a path already served", async function () {
            await loadWebhook({ path: "/twilio/:id" });
            assert.deepEqual(statuses()[0], { fill: "red", shape: "ring", text: "not serving" });
            assert.match(errors()[0], /^The path "\/twilio\/:id" cannot be served/);
            await helper.unload();
            logged.entries.length = 0;
            await loadWebhook({}, {
                extraNodes: [{ id: "hook2", type: "twilio-webhook", account: ACCOUNT_ID, path: PATH, publicBaseUrl: PUBLIC_BASE, validate: true, replyTimeout: 2, wires: [] }],
            });
            assert.deepEqual(errors(), [`Another node already serves POST ${PATH}: give this webhook a path of its own.`]);
            const emitted = nextOutput();
            assert.equal((await twilioPost(INBOUND_SMS)).status, 200, "the first node still serves");
            await emitted;
        });
    });

    describe("secrets", function () {
        it("the auth token and the signatures appear in no output, status or log line", async function () {
            const seen = [];
            const signatures = [];
            const collect = () => {
                seen.push(...outputs, ...statuses(), ...logged.entries.map((entry) => ({ ...entry, msg: String(entry.msg) })));
                outputs.length = 0;
            };
            const post = async (params, options = {}) => {
                const signature = options.signature ?? sign(options.token ?? TOKEN, options.signedUrl ?? PUBLIC_URL, params);
                signatures.push(signature);
                return twilioPost(params, { ...options, signature });
            };
            await loadWebhook({ replyTimeout: 0.2 });
            await post(INBOUND_SMS);
            await post(MESSAGE_STATUS);
            await post({ ...INBOUND_SMS, Body: "tampered" }, { signature: sign(TOKEN, PUBLIC_URL, INBOUND_SMS) });
            await post(INBOUND_SMS, { signedUrl: "https://wrong.example.com/x" });
            await post(INBOUND_SMS, { token: OTHER_TOKEN });
            collect();
            await helper.unload();
            await loadWebhook({ publicBaseUrl: "" });
            await post(INBOUND_SMS);
            collect();
            await helper.unload();
            await loadWebhook({}, { credentials: { accountSid: ACCOUNT_SID, apiKeySid: "SK" + "d4".repeat(16), apiKeySecret: TOKEN.replace(/7/g, "8") } });
            await post(INBOUND_SMS);
            collect();
            assert.ok(seen.length >= 10, `outputs, statuses and log lines were collected (${seen.length})`);
            const text = JSON.stringify(seen);
            assert.ok(text.includes("Refused a request"), "the refusals were logged");
            for (const secret of [TOKEN, OTHER_TOKEN, ...signatures]) assert.ok(!text.includes(secret), `${secret.slice(0, 6)}… appears`);
        });
    });
});
