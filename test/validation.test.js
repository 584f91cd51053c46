/**
 * Every validation rule, with input that breaks it: the message comes out on output 2 as a ValidationError
 * naming the parameter and what was expected, and no request reaches the stand-in. Inputs that the rules
 * allow (client:, sip:, whatsapp:, alphanumeric senders, numbers as text) go through.
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, useStandin, loadNode, run } = require("./support/harness");

const TYPE_OF = {
    createCall: "twilio-calls",
    getCall: "twilio-calls",
    listCall: "twilio-calls",
    deleteCall: "twilio-calls",
    postMessage: "twilio-messages",
    getMessage: "twilio-messages",
    listMessage: "twilio-messages",
    deleteMessage: "twilio-messages",
    getMedia: "twilio-media",
    listMedia: "twilio-media",
    deleteMedia: "twilio-media",
};

const CALL_SID = "CA" + "a1".repeat(16);
const MESSAGE_SID = "SM" + "b2".repeat(16);
const MEDIA_SID = "ME" + "c3".repeat(16);
const CALL = { To: "+16175551212", From: "+15005550006", Url: "https://example.com/twiml" };
const SMS = { To: "+16175551212", From: "+15005550006", Body: "hello" };

/** [operation, payload, parameter named in the error, what the error says is expected] */
const INVALID = [
    // E.164 numbers, client: and sip: addresses
    ["createCall", { ...CALL, To: "16175551212" }, "To", /E\.164/],
    ["createCall", { ...CALL, To: "+1" }, "To", /2 to 15 digits/],
    ["createCall", { ...CALL, To: "+1234567890123456" }, "To", /E\.164/],
    ["createCall", { ...CALL, To: 16175551212 }, "To", /E\.164/],
    ["createCall", { ...CALL, To: "sip:alice" }, "To", /SIP address/],
    ["createCall", { ...CALL, From: "sip:alice@example.com" }, "From", /client identifier/],
    ["createCall", { ...CALL, From: "ACME" }, "From", /E\.164/],
    ["listCall", { From: "12345" }, "From", /E\.164/],
    ["listCall", { To: "+123abc" }, "To", /E\.164/],
    // messages: whatsapp: and alphanumeric sender IDs
    ["postMessage", { ...SMS, To: "client:alice" }, "To", /WhatsApp/],
    ["postMessage", { ...SMS, To: "whatsapp:16175551212" }, "To", /E\.164/],
    ["postMessage", { ...SMS, From: "123456" }, "From", /alphanumeric sender ID/],
    ["postMessage", { ...SMS, From: "ACME Alarm Co" }, "From", /up to 11/],
    ["postMessage", { ...SMS, From: "AC-ME" }, "From", /alphanumeric/],
    ["listMessage", { To: "+1617555121a" }, "To", /E\.164/],
    ["listMessage", { From: "whatsapp:+1" }, "From", /WhatsApp/],
    // absolute http(s) URLs without an underscore in the hostname; MediaUrl: one or up to 10
    ["createCall", { ...CALL, Url: "ftp://example.com/twiml" }, "Url", /absolute http or https URL/],
    ["createCall", { ...CALL, Url: "/twiml" }, "Url", /absolute/],
    ["createCall", { ...CALL, Url: "https://my_host.example.com/twiml" }, "Url", /underscore/],
    ["createCall", { ...CALL, Url: "https://example.com/a b" }, "Url", /URL/],
    ["createCall", { ...CALL, FallbackUrl: "javascript:alert(1)" }, "FallbackUrl", /URL/],
    ["createCall", { ...CALL, StatusCallback: "example.com/status" }, "StatusCallback", /URL/],
    ["postMessage", { ...SMS, StatusCallback: "mailto:ops@example.com" }, "StatusCallback", /URL/],
    ["postMessage", { ...SMS, MediaUrl: "file:///etc/passwd" }, "MediaUrl", /URL/],
    ["postMessage", { ...SMS, MediaUrl: ["https://example.com/a.png", "https://bad_host/b.png"] }, "MediaUrl", /underscore/],
    [
        "postMessage",
        { ...SMS, MediaUrl: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.png`) },
        "MediaUrl",
        /1 to 10/,
    ],
    ["postMessage", { ...SMS, MediaUrl: [] }, "MediaUrl", /1 to 10/],
    // enumerations
    ["createCall", { ...CALL, Method: "PUT" }, "Method", /Method PUT is in the reference spec, but Twilio's API refuses it: use GET or POST/],
    ["createCall", { ...CALL, Method: "post" }, "Method", /one of GET, POST/],
    ["createCall", { ...CALL, FallbackMethod: "DELETE" }, "FallbackMethod", /one of GET, POST/],
    ["createCall", { ...CALL, StatusCallbackMethod: "PUT" }, "StatusCallbackMethod", /StatusCallbackMethod PUT is in the reference spec, but Twilio's API refuses it/],
    ["createCall", { ...CALL, IfMachine: "Detect" }, "IfMachine", /one of Continue, Hangup/],
    ["createCall", { ...CALL, StatusCallbackEvent: "initiated hungup" }, "StatusCallbackEvent", /initiated, ringing, answered, completed/],
    ["createCall", { ...CALL, StatusCallbackEvent: ["ringing", "busy"] }, "StatusCallbackEvent", /one or more of/],
    ["createCall", { ...CALL, StatusCallbackEvent: [] }, "StatusCallbackEvent", /one or more of/],
    ["listCall", { Status: "done" }, "Status", /queued, ringing, in-progress, canceled, completed, failed, busy, no-answer/],
    // SendDigits, Timeout, Record, MaxPrice, Body, PageSize
    ["createCall", { ...CALL, SendDigits: "12a4" }, "SendDigits", /\[0-9#\*w\]/],
    ["createCall", { ...CALL, SendDigits: "1".repeat(33) }, "SendDigits", /at most 32/],
    ["createCall", { ...CALL, Timeout: "abc" }, "Timeout", /whole number/],
    ["createCall", { ...CALL, Timeout: 1.5 }, "Timeout", /whole number/],
    ["createCall", { ...CALL, Timeout: 0 }, "Timeout", /from 1 to 600/],
    ["createCall", { ...CALL, Record: "yes" }, "Record", /true or false/],
    ["createCall", { ...CALL, Record: 1 }, "Record", /true or false/],
    ["postMessage", { ...SMS, MaxPrice: "cheap" }, "MaxPrice", /decimal/],
    ["postMessage", { ...SMS, MaxPrice: "-0.5" }, "MaxPrice", /decimal/],
    ["postMessage", { ...SMS, MaxPrice: "0.00001" }, "MaxPrice", /at most 4 digits after the point/],
    ["postMessage", { ...SMS, MaxPrice: "1,50" }, "MaxPrice", /decimal/],
    ["postMessage", { ...SMS, Body: "x".repeat(1601) }, "Body", /1 to 1600 characters/],
    ["postMessage", { ...SMS, Body: { text: "hi" } }, "Body", /text/],
    ["listCall", { PageSize: 0 }, "PageSize", /from 1 to 1000/],
    ["listMessage", { PageSize: 1001 }, "PageSize", /from 1 to 1000/],
    ["listMedia", { MessageSid: MESSAGE_SID, PageSize: "fifty" }, "PageSize", /whole number/],
    ["listMessage", { PageSize: 2.5 }, "PageSize", /whole number/],
    // dates
    ["listCall", { StartTime: "2026-13-01" }, "StartTime", /YYYY-MM-DD/],
    ["listCall", { StartTime: "26-11-2026" }, "StartTime", /YYYY-MM-DD/],
    ["listMessage", { DateSent: "2026-02-30" }, "DateSent", /YYYY-MM-DD/],
    ["listMessage", { DateSent: "2026-11-26T10:00:00Z" }, "DateSent", /YYYY-MM-DD/],
    ["listMedia", { MessageSid: MESSAGE_SID, DateCreated: "yesterday" }, "DateCreated", /YYYY-MM-DD/],
    // Sids: 34 letters and digits, Twilio's prefix; nothing else may reach the URL path
    ["getCall", { CallSid: "CA123" }, "CallSid", /CA followed by 32 hexadecimal digits/],
    ["getCall", { CallSid: `CA${"a".repeat(31)}/` }, "CallSid", /CA followed by/],
    ["deleteCall", { CallSid: "../../Accounts/AC00000000000000000000000000000001" }, "CallSid", /CA followed by/],
    ["getCall", { CallSid: MESSAGE_SID }, "CallSid", /CA followed by/],
    ["getMessage", { MessageSid: `${MESSAGE_SID.slice(0, 32)}\r\n` }, "MessageSid", /SM or MM followed by/],
    ["deleteMessage", { MessageSid: `${MESSAGE_SID.slice(0, 33)}?` }, "MessageSid", /SM or MM/],
    ["getMedia", { MessageSid: MESSAGE_SID, MediaSid: CALL_SID }, "MediaSid", /ME followed by/],
    ["deleteMedia", { MessageSid: "SM%2e%2e", MediaSid: MEDIA_SID }, "MessageSid", /SM or MM/],
    ["listMedia", { MessageSid: 12345 }, "MessageSid", /SM or MM/],
    ["createCall", { ...CALL, Url: undefined, ApplicationSid: "AP123" }, "ApplicationSid", /AP followed by/],
    ["postMessage", { ...SMS, From: undefined, MessagingServiceSid: "MG-service" }, "MessagingServiceSid", /MG followed by/],
    ["postMessage", { ...SMS, ApplicationSid: "not-a-sid" }, "ApplicationSid", /AP followed by/],
    ["listCall", { ParentCallSid: "CA" }, "ParentCallSid", /CA followed by/],
    ["getCall", { CallSid: CALL_SID, AccountSid: "AC123", AuthToken: "x" }, "AccountSid", /AC followed by/],
    // required parameters
    ["createCall", { From: CALL.From, Url: CALL.Url }, "To", /createCall needs To/],
    ["createCall", { To: CALL.To, Url: CALL.Url }, "From", /createCall needs From/],
    ["createCall", { To: CALL.To, From: CALL.From }, "Url", /createCall needs Url or ApplicationSid/],
    ["postMessage", { From: SMS.From, Body: SMS.Body }, "To", /postMessage needs To/],
    ["postMessage", { To: SMS.To, Body: SMS.Body }, "From", /postMessage needs From or MessagingServiceSid/],
    ["postMessage", { To: SMS.To, From: SMS.From }, "Body", /postMessage needs Body or MediaUrl/],
    ["postMessage", { To: SMS.To, From: SMS.From, Body: "" }, "Body", /needs Body or MediaUrl/],
    ["getCall", {}, "CallSid", /getCall needs CallSid/],
    ["deleteCall", {}, "CallSid", /deleteCall needs CallSid/],
    ["getMessage", {}, "MessageSid", /getMessage needs MessageSid/],
    ["deleteMessage", { MessageSid: null }, "MessageSid", /deleteMessage needs MessageSid/],
    ["listMedia", {}, "MessageSid", /listMedia needs MessageSid/],
    ["getMedia", { MessageSid: MESSAGE_SID }, "MediaSid", /getMedia needs MediaSid/],
    ["deleteMedia", { MediaSid: MEDIA_SID }, "MessageSid", /deleteMedia needs MessageSid/],
    // names: an unknown one is named with the nearest valid name
    ["postMessage", { To: SMS.To, From: SMS.From, Bdy: "hi" }, "Bdy", /did you mean Body\?/],
    ["postMessage", { ...SMS, to: "+16175551212" }, "to", /did you mean To\?/],
    ["getCall", { Callsid: CALL_SID }, "Callsid", /did you mean CallSid\?/],
    ["listMessage", { Recipient: "+16175551212" }, "Recipient", /it takes PageSize, From, To, DateSent, Page, PageToken, NextPageUri, AccountSid, AuthToken/],
    ["getMessage", { MessageSid: MESSAGE_SID, Body: "x" }, "Body", /getMessage has no parameter Body/],
    ["getCall", JSON.parse(`{"CallSid": "${CALL_SID}", "__proto__": {"polluted": true}}`), "__proto__", /has no parameter __proto__/],
    // parameters beyond the reference spec
    ["createCall", { ...CALL, MachineDetection: "Yes" }, "MachineDetection", /one of Enable, DetectMessageEnd/],
    ["createCall", { To: CALL.To, From: CALL.From, Twiml: "Say hello" }, "Twiml", /text matching/],
    ["createCall", { To: CALL.To, From: CALL.From, Twiml: `<Response><Say>${"x".repeat(4000)}</Say></Response>` }, "Twiml", /at most 4000/],
    ["postMessage", { To: SMS.To, From: SMS.From, ContentSid: "MG" + "0".repeat(32) }, "ContentSid", /HX followed by/],
    ["postMessage", { ...SMS, ContentVariables: "{not json" }, "ContentVariables", /JSON object/],
    ["postMessage", { ...SMS, ContentVariables: [1, 2] }, "ContentVariables", /JSON object/],
    ["postMessage", { ...SMS, ContentVariables: "[1, 2]" }, "ContentVariables", /JSON object/],
    ["postMessage", { ...SMS, MessagingServiceSid: "MG" + "1".repeat(32), ScheduleType: "fixed", SendAt: "tomorrow" }, "SendAt", /ISO 8601/],
    ["postMessage", { ...SMS, MessagingServiceSid: "MG" + "1".repeat(32), ScheduleType: "later", SendAt: "2030-01-01T09:00:00Z" }, "ScheduleType", /must be exactly fixed/],
    ["postMessage", { ...SMS, SendAt: "2030-01-01T09:00:00Z" }, "SendAt", /SendAt needs ScheduleType and MessagingServiceSid/],
    ["postMessage", { ...SMS, ScheduleType: "fixed", SendAt: "2030-01-01T09:00:00Z" }, "ScheduleType", /ScheduleType needs SendAt and MessagingServiceSid/],
    ["listCall", { Page: -1 }, "Page", /whole number/],
    ["listMessage", { Page: 1, PageToken: "PA token" }, "PageToken", /text matching/],
    ["listMessage", { NextPageUri: "https://evil.example.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json" }, "NextPageUri", /next_page_uri of a previous result of this list/],
    ["listMessage", { NextPageUri: "/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls.json?Page=1" }, "NextPageUri", /next_page_uri/],
    ["listMedia", { NextPageUri: `/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages/${MESSAGE_SID}/../Media.json` }, "NextPageUri", /next_page_uri/],
    ["listMessage", { NextPageUri: "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json?PageSize=50&Evil=1" }, "Evil", /no parameter Evil/],
    ["listCall", { NextPageUri: "/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls.json?PageSize=5000" }, "PageSize", /from 1 to 1000/],
    // credentials that come with the message
    ["getCall", { CallSid: CALL_SID, AuthToken: "0123456789abcdef0123456789abcdef" }, "AuthToken", /without AccountSid/],
];

/** Inputs the rules accept: they reach the stand-in (which may still refuse them as Twilio would). */
const VALID = [
    ["createCall", { ...CALL, To: "client:alice_01" }],
    ["createCall", { ...CALL, To: "sip:alice@example.com;transport=tls" }],
    // written with a country code, a number is normalised to E.164 (test/recipients.test.js: the request)
    ["createCall", { ...CALL, To: "+1 617 555 1212" }],
    ["createCall", { ...CALL, From: "client:gateway" }],
    ["createCall", { ...CALL, Timeout: "45", Record: "false", StatusCallbackEvent: ["ringing", "completed"] }],
    ["createCall", { ...CALL, SendDigits: "ww1234#*", IfMachine: "Hangup", Method: "GET" }],
    ["postMessage", { ...SMS, To: "whatsapp:+16175551212", From: "whatsapp:+15005550006" }],
    ["postMessage", { ...SMS, From: "ACME Alarm" }],
    ["postMessage", { To: SMS.To, From: SMS.From, MediaUrl: "https://example.com/chart.png" }],
    ["postMessage", { ...SMS, Body: "x".repeat(1600), MaxPrice: 0.5 }],
    ["listCall", { PageSize: "1000", StartTime: "2024-02-29" }],
    ["listMessage", { From: "ACME", DateSent: "2026-11-26" }],
    ["createCall", { To: CALL.To, From: CALL.From, Twiml: "<Response><Say>Pump 3 alarm</Say></Response>", MachineDetection: "DetectMessageEnd" }],
    ["postMessage", { To: SMS.To, MessagingServiceSid: "MG" + "1".repeat(32), ContentSid: "HX" + "2".repeat(32), ContentVariables: { 1: "pump 3" } }],
    ["postMessage", { ...SMS, MessagingServiceSid: "MG" + "1".repeat(32), ScheduleType: "fixed", SendAt: "2030-01-01T09:00:00Z" }],
    ["listCall", { Page: 0, PageToken: "PACA0123" }],
];

/** Per-message credentials are opt-in: a node that is to judge them allows them first. */
function allowingCredentialsOf(payload) {
    return "AccountSid" in payload || "AuthToken" in payload ? { allowMessageCredentials: true } : {};
}

describe("validation before anything is sent", function () {
    const standin = useStandin();

    for (const [operation, payload, param, expected] of INVALID) {
        const shown = JSON.stringify(payload, (key, value) => (typeof value === "string" && value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value));
        it(`${operation} refuses ${param} in ${shown}`, async function () {
            await loadNode(standin, { type: TYPE_OF[operation], operation, fields: allowingCredentialsOf(payload) });
            const { port, msg } = await run({ payload });
            assert.equal(port, 2, "the message leaves on output 2");
            assert.equal(msg.payload.type, "ValidationError");
            assert.equal(msg.payload.status, 400);
            assert.ok(msg.payload.error.includes(param), `the error names ${param}: ${msg.payload.error}`);
            assert.match(msg.payload.error, expected);
            assert.equal(msg.operation, operation);
            assert.equal(standin.requests.length, 0, "nothing was sent");
        });
    }

    for (const [operation, payload] of VALID) {
        it(`${operation} accepts ${JSON.stringify(payload).slice(0, 90)}`, async function () {
            await loadNode(standin, { type: TYPE_OF[operation], operation });
            const { port, msg } = await run({ payload });
            assert.equal(port, 1, JSON.stringify(msg.payload));
            assert.equal(standin.requests.length, 1);
        });
    }

    it("reports every problem of a message at once", async function () {
        await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
        const { msg } = await run({ payload: { To: "123", Bdy: "x", MaxPrice: "x" } });
        for (const part of [/To must be/, /did you mean Body/, /MaxPrice must be/, /needs From or MessagingServiceSid/]) {
            assert.match(msg.payload.error, part);
        }
    });

    it("never echoes an AuthToken it refuses", async function () {
        await loadNode(standin, { type: "twilio-calls", operation: "getCall", fields: { allowMessageCredentials: true } });
        const AuthToken = { secret: "do-not-echo-5f3a" };
        const { port, msg } = await run({ payload: { CallSid: CALL_SID, AccountSid: "AC" + "0".repeat(32), AuthToken } });
        assert.equal(port, 2);
        assert.match(msg.payload.error, /AuthToken must be non-empty text/);
        assert.ok(!JSON.stringify(msg).includes("do-not-echo-5f3a"));
    });

    it("names the node field whose JSONata expression fails", async function () {
        await loadNode(standin, {
            type: "twilio-calls",
            operation: "getCall",
            fields: { CallSid: "$error('no sid')", CallSidType: "jsonata" },
        });
        const { port, msg } = await run({ payload: {} });
        assert.equal(port, 2);
        assert.equal(msg.payload.type, "ValidationError");
        assert.match(msg.payload.error, /CallSid field could not be used: .*no sid/);
        assert.equal(standin.requests.length, 0);
    });
});
