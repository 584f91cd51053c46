/**
 * Each of the eleven operations through Node-RED against the stand-in over real HTTP: the request Twilio
 * would receive (method, path, form or query fields, Basic auth) and the message on output 1.
 */
"use strict";
const assert = require("node:assert/strict");
const { RESOURCES } = require("../build/catalog");
const { helper, useStandin, loadNode, run, standinApi, STANDIN_ACCOUNT_SID } = require("./support/harness");

const ACCOUNT_PATH = `/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}`;
const SID = /^[0-9a-zA-Z]{34}$/;

/** The only request the stand-in received since the last reset. */
function onlyRequest(standin) {
    assert.equal(standin.requests.length, 1, "exactly one request reached the stand-in");
    return standin.requests[0];
}

function assertFields(resource, kind) {
    for (const field of RESOURCES[kind].fields) {
        assert.ok(field in resource, `output 1 has the reference spec's field ${field}`);
    }
}

describe("operations end to end", function () {
    const standin = useStandin();

    async function seedMessage(form = {}) {
        const { body } = await standinApi(standin, "POST", "/Messages.json", {
            To: "+16175551212",
            From: "+15005550006",
            Body: "seed",
            ...form,
        });
        return body;
    }

    async function seedCall(form = {}) {
        const { body } = await standinApi(standin, "POST", "/Calls.json", {
            To: "+16175551212",
            From: "+15005550006",
            Url: "https://example.com/twiml",
            ...form,
        });
        return body;
    }

    describe("twilio-calls", function () {
        it("createCall POSTs the form to Calls.json and emits the call", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "createCall" });
            const { port, msg } = await run({
                topic: "alarm",
                payload: {
                    To: "+886912345678",
                    From: "+16123409875",
                    Url: "https://markpeng-test01.example.com/twiml",
                    Record: true,
                    Timeout: 30,
                    SendDigits: "1234#",
                    FallbackUrl: "https://example.com/fallback",
                    StatusCallback: "https://example.com/status",
                    StatusCallbackEvent: "initiated answered",
                    IfMachine: "Continue",
                },
            });
            const request = onlyRequest(standin);
            assert.equal(request.method, "POST");
            assert.equal(request.path, `${ACCOUNT_PATH}/Calls.json`);
            assert.equal(request.username, STANDIN_ACCOUNT_SID);
            assert.equal(request.headers["content-type"], "application/x-www-form-urlencoded");
            assert.deepEqual(request.form, {
                To: "+886912345678",
                From: "+16123409875",
                Url: "https://markpeng-test01.example.com/twiml",
                Method: "POST",
                Record: "true",
                Timeout: "30",
                MachineDetection: "Enable",
                SendDigits: "1234#",
                FallbackUrl: "https://example.com/fallback",
                FallbackMethod: "POST",
                StatusCallback: "https://example.com/status",
                StatusCallbackEvent: ["initiated", "answered"],
                StatusCallbackMethod: "POST",
            });
            assert.equal(port, 1);
            assert.equal(msg.topic, "alarm", "other msg properties pass through");
            assert.match(msg.payload.sid, /^CA[0-9a-f]{32}$/);
            assert.equal(msg.payload.status, "queued");
            assert.equal(msg.payload.to, "+886912345678");
            assert.equal(msg.payload.formatted_from, "(612) 340-9875", "the spec's name for from_formatted");
            assertFields(msg.payload, "call");
        });

        it("createCall with an ApplicationSid instead of a Url", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "createCall" });
            const ApplicationSid = "AP" + "ab".repeat(16);
            const { port } = await run({ payload: { To: "client:alice", From: "+16123409875", ApplicationSid } });
            assert.equal(port, 1);
            assert.equal(onlyRequest(standin).form.ApplicationSid, ApplicationSid);
            assert.equal(onlyRequest(standin).form.To, "client:alice");
        });

        it("getCall GETs Calls/{CallSid}.json and emits the call", async function () {
            const call = await seedCall();
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-calls", operation: "getCall" });
            const { port, msg } = await run({ payload: { CallSid: call.sid } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "GET");
            assert.equal(request.path, `${ACCOUNT_PATH}/Calls/${call.sid}.json`);
            assert.deepEqual(request.query, {});
            assert.equal(port, 1);
            assert.deepEqual(msg.payload, { ...call, formatted_to: call.to_formatted, formatted_from: call.from_formatted });
            assertFields(msg.payload, "call");
        });

        it("listCall GETs Calls.json with the filters and the default PageSize", async function () {
            const parent = await seedCall();
            await seedCall({ To: "+14155550100" });
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-calls", operation: "listCall" });
            const today = new Date().toISOString().slice(0, 10);
            const { port, msg } = await run({
                payload: { To: "+16175551212", From: "+15005550006", Status: "queued", StartTime: today },
            });
            const request = onlyRequest(standin);
            assert.equal(request.method, "GET");
            assert.equal(request.path, `${ACCOUNT_PATH}/Calls.json`);
            assert.deepEqual(request.query, {
                PageSize: "50",
                To: "+16175551212",
                From: "+15005550006",
                Status: "queued",
                StartTime: today,
            });
            assert.equal(port, 1);
            assert.deepEqual(
                msg.payload.calls.map((call) => call.sid),
                [parent.sid],
            );
            assert.equal(msg.payload.page, 0);
            assert.equal(msg.payload.page_size, 50);
            assert.equal(msg.payload.next_page_uri, null);
            for (const field of ["uri", "first_page_uri", "previous_page_uri"]) assert.ok(field in msg.payload, field);
            assertFields(msg.payload.calls[0], "call");
        });

        it("listCall by ParentCallSid, one page at a time", async function () {
            await seedCall();
            await seedCall();
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-calls", operation: "listCall", fields: { PageSize: "1", PageSizeType: "num" } });
            const { msg } = await run({ payload: {} });
            assert.equal(onlyRequest(standin).query.PageSize, "1");
            assert.equal(msg.payload.calls.length, 1);
            assert.match(msg.payload.next_page_uri, /Page=1/);
            standin.requests.length = 0;
            const ParentCallSid = "CA" + "0".repeat(32);
            const filtered = await run({ payload: { ParentCallSid } });
            assert.equal(onlyRequest(standin).query.ParentCallSid, ParentCallSid);
            assert.deepEqual(filtered.msg.payload.calls, []);
        });

        it("deleteCall DELETEs Calls/{CallSid}.json and emits null", async function () {
            const call = await seedCall();
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-calls", operation: "deleteCall" });
            const { port, msg } = await run({ topic: "cleanup", payload: { CallSid: call.sid } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "DELETE");
            assert.equal(request.path, `${ACCOUNT_PATH}/Calls/${call.sid}.json`);
            assert.equal(port, 1);
            assert.equal(msg.payload, null);
            assert.equal(msg.topic, "cleanup");
            assert.equal((await standinApi(standin, "GET", `/Calls/${call.sid}.json`)).status, 404);
        });
    });

    describe("twilio-messages", function () {
        it("postMessage POSTs the form to Messages.json and emits the message", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const MessagingServiceSid = "MG" + "12".repeat(16);
            const ApplicationSid = "AP" + "34".repeat(16);
            const { port, msg } = await run({
                _flowProperty: 7,
                payload: {
                    From: "+16125550923",
                    To: "+17635551234",
                    Body: "Your device is in an error state.",
                    MaxPrice: "0.0075",
                    MediaUrl: ["https://example.com/a.png", "https://example.com/b.gif"],
                    ApplicationSid,
                    StatusCallback: "https://example.com/status",
                    MessagingServiceSid,
                },
            });
            const request = onlyRequest(standin);
            assert.equal(request.method, "POST");
            assert.equal(request.path, `${ACCOUNT_PATH}/Messages.json`);
            assert.equal(request.username, STANDIN_ACCOUNT_SID);
            assert.deepEqual(request.form, {
                To: "+17635551234",
                Body: "Your device is in an error state.",
                From: "+16125550923",
                MaxPrice: "0.0075",
                MediaUrl: ["https://example.com/a.png", "https://example.com/b.gif"],
                ApplicationSid,
                StatusCallback: "https://example.com/status",
                MessagingServiceSid,
            });
            assert.equal(port, 1);
            assert.equal(msg._flowProperty, 7);
            assert.match(msg.payload.sid, /^MM[0-9a-f]{32}$/);
            assert.equal(msg.payload.body, "Your device is in an error state.");
            assert.equal(msg.payload.num_media, "2");
            assert.equal(msg.payload.MessagingServiceSid, MessagingServiceSid, "the spec's name for messaging_service_sid");
            assert.deepEqual(msg.payload.subresource_uri, msg.payload.subresource_uris);
            assertFields(msg.payload, "message");
        });

        it("postMessage takes a string payload as the Body", async function () {
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "postMessage",
                fields: { To: "+17635551234", ToType: "str", From: "ACME Alarm", FromType: "str" },
            });
            const { port } = await run({ payload: "Pump 3 pressure high" });
            assert.equal(port, 1);
            assert.deepEqual(onlyRequest(standin).form, { To: "+17635551234", Body: "Pump 3 pressure high", From: "ACME Alarm" });
        });

        it("getMessage GETs Messages/{MessageSid}.json", async function () {
            const message = await seedMessage();
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-messages", operation: "getMessage" });
            const { port, msg } = await run({ payload: { MessageSid: message.sid } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "GET");
            assert.equal(request.path, `${ACCOUNT_PATH}/Messages/${message.sid}.json`);
            assert.equal(port, 1);
            assert.deepEqual(msg.payload, {
                ...message,
                MessagingServiceSid: message.messaging_service_sid,
                subresource_uri: message.subresource_uris,
            });
            assertFields(msg.payload, "message");
        });

        it("listMessage GETs Messages.json with the filters", async function () {
            const wanted = await seedMessage({ To: "+17635551234" });
            await seedMessage({ To: "+14155550100" });
            standin.requests.length = 0;
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "listMessage",
                fields: { PageSize: "20", PageSizeType: "num" },
            });
            const today = new Date().toISOString().slice(0, 10);
            const { port, msg } = await run({ payload: { To: "+17635551234", From: "+15005550006", DateSent: today } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "GET");
            assert.equal(request.path, `${ACCOUNT_PATH}/Messages.json`);
            assert.deepEqual(request.query, { PageSize: "20", From: "+15005550006", To: "+17635551234", DateSent: today });
            assert.equal(port, 1);
            assert.deepEqual(
                msg.payload.messages.map((message) => message.sid),
                [wanted.sid],
            );
            assert.equal(msg.payload.page_size, 20);
            assertFields(msg.payload.messages[0], "message");
        });

        it("deleteMessage DELETEs Messages/{MessageSid}.json and emits null", async function () {
            const message = await seedMessage();
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-messages", operation: "deleteMessage" });
            const { port, msg } = await run({ payload: { MessageSid: message.sid } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "DELETE");
            assert.equal(request.path, `${ACCOUNT_PATH}/Messages/${message.sid}.json`);
            assert.equal(port, 1);
            assert.equal(msg.payload, null);
            assert.equal((await standinApi(standin, "GET", `/Messages/${message.sid}.json`)).status, 404);
        });
    });

    describe("twilio-media", function () {
        let message;
        let media;
        beforeEach(async function () {
            message = await seedMessage({ MediaUrl: "https://example.com/owl.png" });
            media = (await standinApi(standin, "GET", `/Messages/${message.sid}/Media.json`)).body.media_list[0];
            standin.requests.length = 0;
        });

        it("getMedia GETs Messages/{MessageSid}/Media/{MediaSid}.json", async function () {
            await loadNode(standin, { type: "twilio-media", operation: "getMedia" });
            const { port, msg } = await run({ payload: { MessageSid: message.sid, MediaSid: media.sid } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "GET");
            assert.equal(request.path, `${ACCOUNT_PATH}/Messages/${message.sid}/Media/${media.sid}.json`);
            assert.equal(port, 1);
            assert.deepEqual(msg.payload, media);
            assert.equal(msg.payload.content_type, "image/png");
            assert.equal(msg.payload.parent_sid, message.sid);
            assertFields(msg.payload, "media");
        });

        it("listMedia GETs Messages/{MessageSid}/Media.json with the filters", async function () {
            await loadNode(standin, { type: "twilio-media", operation: "listMedia" });
            const today = new Date().toISOString().slice(0, 10);
            const { port, msg } = await run({ payload: { MessageSid: message.sid, DateCreated: today, PageSize: 10 } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "GET");
            assert.equal(request.path, `${ACCOUNT_PATH}/Messages/${message.sid}/Media.json`);
            assert.deepEqual(request.query, { PageSize: "10", DateCreated: today });
            assert.equal(port, 1);
            assert.deepEqual(msg.payload.media_list, [media]);
            assert.equal(msg.payload.page_size, 10);
        });

        it("deleteMedia DELETEs Messages/{MessageSid}/Media/{MediaSid}.json and emits null", async function () {
            await loadNode(standin, { type: "twilio-media", operation: "deleteMedia" });
            const { port, msg } = await run({ payload: { MessageSid: message.sid, MediaSid: media.sid } });
            const request = onlyRequest(standin);
            assert.equal(request.method, "DELETE");
            assert.equal(request.path, `${ACCOUNT_PATH}/Messages/${message.sid}/Media/${media.sid}.json`);
            assert.equal(port, 1);
            assert.equal(msg.payload, null);
            const list = await standinApi(standin, "GET", `/Messages/${message.sid}/Media.json`);
            assert.deepEqual(list.body.media_list, []);
        });
    });

    describe("beyond the reference spec", function () {
        it("createCall with inline Twiml and MachineDetection (which wins over IfMachine)", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "createCall" });
            const Twiml = "<Response><Say>Pump 3 pressure high</Say></Response>";
            const { port } = await run({
                payload: { To: "+16175551212", From: "+15005550006", Twiml, MachineDetection: "DetectMessageEnd", IfMachine: "Continue" },
            });
            assert.equal(port, 1);
            const { form } = onlyRequest(standin);
            assert.equal(form.Twiml, Twiml);
            assert.equal(form.MachineDetection, "DetectMessageEnd");
            assert.equal("Url" in form, false);
        });

        it("postMessage with a Content template: ContentVariables go as JSON text", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const ContentSid = "HX" + "ab".repeat(16);
            const { port } = await run({
                payload: { To: "whatsapp:+16175551212", From: "whatsapp:+15005550006", ContentSid, ContentVariables: { 1: "pump 3", 2: "97.5" } },
            });
            assert.equal(port, 1);
            const { form } = onlyRequest(standin);
            assert.equal(form.ContentSid, ContentSid);
            assert.deepEqual(JSON.parse(form.ContentVariables), { 1: "pump 3", 2: "97.5" });
        });

        it("postMessage scheduled with SendAt and ScheduleType", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const MessagingServiceSid = "MG" + "cd".repeat(16);
            const { port, msg } = await run({
                payload: { To: "+16175551212", Body: "Weekly report", MessagingServiceSid, ScheduleType: "fixed", SendAt: "2030-01-07T09:00:00Z" },
            });
            assert.equal(port, 1);
            assert.equal(msg.payload.status, "scheduled");
            assert.deepEqual(onlyRequest(standin).form, {
                To: "+16175551212",
                Body: "Weekly report",
                MessagingServiceSid,
                SendAt: "2030-01-07T09:00:00Z",
                ScheduleType: "fixed",
            });
        });

        it("a list result's next_page_uri, given back as NextPageUri, fetches the next page", async function () {
            const seeded = [];
            for (let i = 0; i < 3; i++) seeded.push(await seedMessage({ Body: `m${i}` }));
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage", fields: { PageSize: "2", PageSizeType: "num" } });
            const first = await run({ payload: {} });
            assert.deepEqual(first.msg.payload.messages.map((m) => m.body), ["m2", "m1"]);
            const second = await run({ payload: { NextPageUri: first.msg.payload.next_page_uri } });
            assert.equal(second.port, 1);
            assert.deepEqual(second.msg.payload.messages.map((m) => m.body), ["m0"]);
            assert.equal(second.msg.payload.page, 1);
            assert.equal(second.msg.payload.next_page_uri, null);
            const { query } = standin.requests[1];
            assert.deepEqual(query, { PageSize: "2", Page: "1", PageToken: `PA${seeded[1].sid}` });
        });

        it("Page and PageToken go to the list request as they are", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall" });
            await run({ payload: { Page: 3, PageToken: "PACA0123" } });
            assert.deepEqual(onlyRequest(standin).query, { PageSize: "50", Page: "3", PageToken: "PACA0123" });
        });
    });

    it("every created resource carries well-formed Sids", async function () {
        await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
        const { msg } = await run({ payload: { To: "+17635551234", From: "+15005550006", Body: "x" } });
        assert.match(msg.payload.sid, SID);
        assert.match(msg.payload.account_sid, SID);
    });
});
