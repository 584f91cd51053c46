/**
 * The eleven operations through Node-RED against Stoplight Prism serving Twilio's contract with --errors:
 * a request the contract rejects comes back 422 and fails the test, with Prism's reasons in the message.
 *
 * Two kinds of value are left to the static check in contract-requests.test.js, which reads the contract
 * the same way: lists (MediaUrl, StatusCallbackEvent) because Prism 5.14.2 does not read repeated form keys
 * as an array (stoplightio/prism#2473), and the date filters (StartTime, DateSent, DateCreated) because the
 * contract types them date-time while its description and examples, Twilio's API and the reference spec all
 * give YYYY-MM-DD.
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, loadNode, run } = require("./support/harness");
const { startPrism } = require("./support/prism");

const ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
const CALL_SID = "CA" + "1".repeat(32);
const MESSAGE_SID = "MM" + "2".repeat(32);
const MEDIA_SID = "ME" + "3".repeat(32);

/** [operation, node type, payload]: every parameter Prism can judge, at least once. */
const REQUESTS = [
    [
        "createCall",
        "twilio-calls",
        {
            To: "+16175551212",
            From: "+15005550006",
            Url: "https://example.com/twiml",
            Method: "GET",
            Record: true,
            Timeout: 30,
            IfMachine: "Continue",
            SendDigits: "ww12#",
            FallbackUrl: "https://example.com/fallback",
            FallbackMethod: "POST",
            StatusCallback: "https://example.com/status",
            StatusCallbackMethod: "GET",
        },
    ],
    ["createCall", "twilio-calls", { To: "client:alice", From: "client:gateway", ApplicationSid: "AP" + "4".repeat(32), MachineDetection: "DetectMessageEnd" }],
    ["createCall", "twilio-calls", { To: "sip:alice@example.com", From: "+15005550006", Twiml: "<Response><Say>Alarm</Say></Response>" }],
    ["getCall", "twilio-calls", { CallSid: CALL_SID }],
    ...["queued", "ringing", "in-progress", "canceled", "completed", "failed", "busy", "no-answer"].map((Status) => [
        "listCall",
        "twilio-calls",
        { PageSize: 20, From: "+15005550006", To: "+16175551212", Status, ParentCallSid: CALL_SID, Page: 1, PageToken: "PACA1" },
    ]),
    ["deleteCall", "twilio-calls", { CallSid: CALL_SID }],
    [
        "postMessage",
        "twilio-messages",
        {
            To: "+16175551212",
            From: "+15005550006",
            Body: "Pump 3 pressure high",
            MaxPrice: "0.75",
            ApplicationSid: "AP" + "4".repeat(32),
            StatusCallback: "https://example.com/status",
        },
    ],
    [
        "postMessage",
        "twilio-messages",
        {
            To: "whatsapp:+16175551212",
            MessagingServiceSid: "MG" + "5".repeat(32),
            ContentSid: "HX" + "6".repeat(32),
            ContentVariables: { 1: "pump 3" },
            SendAt: "2030-01-07T09:00:00Z",
            ScheduleType: "fixed",
        },
    ],
    ["postMessage", "twilio-messages", { To: "+16175551212", From: "ACME Alarm", Body: "alphanumeric sender" }],
    ["getMessage", "twilio-messages", { MessageSid: MESSAGE_SID }],
    ["listMessage", "twilio-messages", { PageSize: 1000, From: "+15005550006", To: "whatsapp:+16175551212", Page: 2, PageToken: "PASM2" }],
    ["deleteMessage", "twilio-messages", { MessageSid: MESSAGE_SID }],
    ["getMedia", "twilio-media", { MessageSid: MESSAGE_SID, MediaSid: MEDIA_SID }],
    ["listMedia", "twilio-media", { MessageSid: MESSAGE_SID, PageSize: 1, Page: 0, PageToken: "PAME0" }],
    ["deleteMedia", "twilio-media", { MessageSid: MESSAGE_SID, MediaSid: MEDIA_SID }],
];

describe("requests against Prism serving Twilio's contract", function () {
    this.timeout(90_000);
    let prism;

    before(async function () {
        prism = await startPrism();
    });
    after(async function () {
        await prism?.stop();
    });
    afterEach(async function () {
        await helper.unload();
    });

    for (const [operation, type, payload] of REQUESTS) {
        it(`${operation} ${Object.keys(payload).join(" ")}${payload.Status ? ` (Status ${payload.Status})` : ""}`, async function () {
            await loadNode(prism, { type, operation, credentials: { accountSid: ACCOUNT_SID, authToken: "0".repeat(32) } });
            const logged = prism.output().length;
            const { port, msg } = await run({ payload });
            const said = prism.output().slice(logged);
            assert.equal(port, 1, `Prism refused the request: ${JSON.stringify(msg.payload)}\n${said}`);
            assert.doesNotMatch(said, /violation|error/i, said);
            if (operation.startsWith("delete")) assert.equal(msg.payload, null);
            else assert.equal(typeof msg.payload, "object");
        });
    }

    it("Prism refuses a request the contract does not allow", async function () {
        const response = await fetch(`${prism.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
            method: "POST",
            headers: {
                Authorization: "Basic " + Buffer.from(`${ACCOUNT_SID}:x`).toString("base64"),
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body: "To=%2B16175551212&From=%2B15005550006&Url=https%3A%2F%2Fexample.com%2Ft&Method=PUT",
        });
        assert.equal(response.status, 422);
        assert.match(JSON.stringify(await response.json()), /Method must be equal to one of the allowed values/);
    });

    it("a refusal comes out of the node as a TwilioError 422, so a drifted request fails these tests", async function () {
        // a list (StatusCallbackEvent) is a request this Prism refuses, see above: a refusal at hand
        await loadNode(prism, { type: "twilio-calls", operation: "createCall", credentials: { accountSid: ACCOUNT_SID, authToken: "0".repeat(32) } });
        const { port, msg } = await run({
            payload: { To: "+16175551212", From: "+15005550006", Url: "https://example.com/t", StatusCallbackEvent: "initiated" },
        });
        assert.equal(port, 2);
        assert.equal(msg.payload.type, "TwilioError");
        assert.equal(msg.payload.status, 422);
        assert.match(msg.payload.error, /^Twilio answered 422: Invalid request: Your request is not valid/);
    });
});
