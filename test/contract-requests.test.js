/**
 * Every request the nodes send, checked against the operation of Twilio's OpenAPI contract it is meant for:
 * path, method, query or form field names and values, enum values, required fields, lists as repeated keys.
 * The requests are the ones the stand-in received from the nodes; the judge is the contract.
 */
"use strict";
const assert = require("node:assert/strict");
const { OPERATIONS } = require("../build/catalog");
const { checkRequest, operationById } = require("./support/contract");
const { helper, useStandin, loadNode, run, standinApi } = require("./support/harness");

/** Each operation of the reference spec and the contract operation it is. */
const CONTRACT_OPERATION = {
    createCall: "CreateCall",
    getCall: "FetchCall",
    listCall: "ListCall",
    deleteCall: "DeleteCall",
    postMessage: "CreateMessage",
    getMessage: "FetchMessage",
    listMessage: "ListMessage",
    deleteMessage: "DeleteMessage",
    getMedia: "FetchMedia",
    listMedia: "ListMedia",
    deleteMedia: "DeleteMedia",
};

const TYPE_OF = { calls: "twilio-calls", messages: "twilio-messages", media: "twilio-media" };
const today = () => new Date().toISOString().slice(0, 10);

/** As many parameters as each operation takes at once, beyond-spec ones included. */
function fullPayload(operation, seeded) {
    switch (operation) {
        case "createCall":
            return {
                To: "+16175551212",
                From: "+15005550006",
                Url: "https://example.com/twiml",
                Method: "GET",
                Record: true,
                Timeout: 30,
                IfMachine: "Hangup",
                SendDigits: "ww12#",
                FallbackUrl: "https://example.com/fallback",
                FallbackMethod: "GET",
                StatusCallback: "https://example.com/status",
                StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
                StatusCallbackMethod: "GET",
                Twiml: "<Response><Say>Alarm</Say></Response>",
            };
        case "postMessage":
            return {
                To: "+16175551212",
                From: "+15005550006",
                Body: "Pump 3 pressure high",
                MaxPrice: "0.75",
                MediaUrl: ["https://example.com/1.png", "https://example.com/2.png"],
                ApplicationSid: "AP" + "ab".repeat(16),
                StatusCallback: "https://example.com/status",
                MessagingServiceSid: "MG" + "cd".repeat(16),
                ContentSid: "HX" + "ef".repeat(16),
                ContentVariables: { 1: "pump 3" },
                SendAt: "2030-01-07T09:00:00Z",
                ScheduleType: "fixed",
            };
        case "listCall":
            return {
                PageSize: 20,
                From: "+15005550006",
                To: "+16175551212",
                Status: "completed",
                StartTime: today(),
                ParentCallSid: seeded.call.sid,
                Page: 0,
                PageToken: "PACA0",
            };
        case "listMessage":
            return { PageSize: 20, From: "+15005550006", To: "+16175551212", DateSent: today(), Page: 0, PageToken: "PASM0" };
        case "listMedia":
            return { MessageSid: seeded.message.sid, PageSize: 20, DateCreated: today(), Page: 0, PageToken: "PAME0" };
        case "getCall":
        case "deleteCall":
            return { CallSid: seeded.call.sid };
        case "getMessage":
        case "deleteMessage":
            return { MessageSid: seeded.message.sid };
        case "getMedia":
        case "deleteMedia":
            return { MessageSid: seeded.message.sid, MediaSid: seeded.media.sid };
    }
    throw new Error(`no payload for ${operation}`);
}

describe("requests against Twilio's OpenAPI contract", function () {
    const standin = useStandin();
    let seeded;

    beforeEach(async function () {
        const call = (await standinApi(standin, "POST", "/Calls.json", { To: "+16175551212", From: "+15005550006", Url: "https://example.com/t" })).body;
        const message = (
            await standinApi(standin, "POST", "/Messages.json", { To: "+16175551212", From: "+15005550006", MediaUrl: "https://example.com/owl.png" })
        ).body;
        const media = (await standinApi(standin, "GET", `/Messages/${message.sid}/Media.json`)).body.media_list[0];
        seeded = { call, message, media };
        standin.requests.length = 0;
    });

    /** Sends one message and returns the one request it caused. */
    async function requestOf(operation, payload) {
        const op = OPERATIONS[operation];
        await loadNode(standin, { type: TYPE_OF[op.collection], operation });
        const { port, msg } = await run({ payload });
        assert.equal(port, 1, `the stand-in accepted it: ${JSON.stringify(msg.payload)}`);
        assert.equal(standin.requests.length, 1);
        return standin.requests[0];
    }

    for (const [operation, operationId] of Object.entries(CONTRACT_OPERATION)) {
        it(`${operation} sends a request ${operationId} allows`, async function () {
            const request = await requestOf(operation, fullPayload(operation, seeded));
            assert.deepEqual(checkRequest(request), []);
            const { template, method } = operationById(operationId);
            assert.equal(request.method.toLowerCase(), method, "the contract operation's method");
            const templatePattern = new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{\w+\}/g, "[^/]+")}$`);
            assert.match(request.path, templatePattern, "the contract operation's path");
        });
    }

    it("sends the contract's list fields as repeated keys, one per item", async function () {
        for (const [operation, operationId] of [["createCall", "CreateCall"], ["postMessage", "CreateMessage"]]) {
            standin.requests.length = 0;
            const payload = fullPayload(operation, seeded);
            const request = await requestOf(operation, payload);
            const { properties } = operationById(operationId).operation.requestBody.content["application/x-www-form-urlencoded"].schema;
            const lists = Object.keys(request.form).filter((name) => properties[name].type === "array");
            assert.ok(lists.length > 0, `${operation} sent a list`);
            for (const name of lists) {
                assert.deepEqual(request.form[name], payload[name], `${name}: each item under its own key`);
            }
            await helper.unload();
        }
    });

    describe("enumerations", function () {
        const enums = Object.values(OPERATIONS).flatMap((op) =>
            op.params.filter((spec) => spec.kind === "enum").map((spec) => ({ op, spec })),
        );
        for (const { op, spec } of enums) {
            it(`${op.name} ${spec.name}: every value the node accepts, the contract accepts (${spec.values.join(", ")})`, async function () {
                for (const value of spec.values) {
                    standin.requests.length = 0;
                    const payload = { ...fullPayload(op.name, seeded), [spec.name]: value };
                    const request = await requestOf(op.name, payload);
                    assert.deepEqual(checkRequest(request), [], `${spec.name}=${value}`);
                    await helper.unload();
                }
            });
        }
    });

    describe("names and required fields, statically", function () {
        for (const [operation, operationId] of Object.entries(CONTRACT_OPERATION)) {
            const op = OPERATIONS[operation];
            const { operation: contractOp } = operationById(operationId);
            const formSchema = contractOp.requestBody?.content?.["application/x-www-form-urlencoded"]?.schema;
            const queryNames = (contractOp.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);

            it(`${operation}: every parameter it sends is one of ${operationId}`, function () {
                for (const spec of op.params) {
                    const name = spec.mapsTo?.name ?? spec.name;
                    if (spec.in === "form") assert.ok(name in formSchema.properties, `${name} is a form field of ${operationId}`);
                    if (spec.in === "query") assert.ok(queryNames.includes(name), `${name} is a query parameter of ${operationId}`);
                }
            });

            it(`${operation}: what ${operationId} requires, the node requires`, function () {
                const required = new Set([
                    ...op.params.filter((spec) => spec.required).map((spec) => spec.name),
                    ...(op.requireOneOf ?? []).flat(),
                ]);
                for (const name of formSchema?.required ?? []) assert.ok(required.has(name), `${name} is required`);
                const pathNames = (contractOp.parameters ?? []).filter((p) => p.in === "path" && p.name !== "AccountSid");
                const pathPlaceholders = [...op.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).filter((name) => name !== "AccountSid");
                assert.equal(pathPlaceholders.length, pathNames.length, "as many Sids in the path as the contract has");
                for (const name of pathPlaceholders) assert.ok(required.has(name), `${name} is required`);
            });
        }
    });

    describe("the checker itself finds what is wrong", function () {
        const account = "/2010-04-01/Accounts/AC00000000000000000000000000000001";
        const form = { "content-type": "application/x-www-form-urlencoded" };
        const cases = [
            ["a misnamed field", { method: "POST", path: `${account}/Messages.json`, query: {}, form: { To: "+16175551212", Bdy: "x" }, headers: form }, /Bdy: not a parameter/],
            ["an enum value the contract lacks", { method: "POST", path: `${account}/Calls.json`, query: {}, form: { To: "+1", From: "+1", Method: "PUT" }, headers: form }, /Method must be equal to one of the allowed values/],
            ["a missing required field", { method: "POST", path: `${account}/Calls.json`, query: {}, form: { To: "+16175551212" }, headers: form }, /must have required property 'From'/],
            ["a malformed Sid in the path", { method: "GET", path: `${account}/Calls/CA12.json`, query: {}, form: {}, headers: {} }, /path Sid/],
            ["a query parameter of another operation", { method: "GET", path: `${account}/Messages.json`, query: { Status: "queued" }, form: {}, headers: {} }, /Status: not a parameter of ListMessage/],
            ["a page size out of range", { method: "GET", path: `${account}/Calls.json`, query: { PageSize: "5000" }, form: {}, headers: {} }, /PageSize: must be <= 1000/],
            ["a number that is not one", { method: "POST", path: `${account}/Calls.json`, query: {}, form: { To: "+1", From: "+1", Timeout: "soon" }, headers: form }, /Timeout must be integer/],
            ["a form sent as JSON", { method: "POST", path: `${account}/Messages.json`, query: {}, form: { To: "+1" }, headers: { "content-type": "application/json" } }, /takes application\/x-www-form-urlencoded/],
            ["a path the contract does not have", { method: "GET", path: `${account}/Faxes.json`, query: {}, form: {}, headers: {} }, /no path of the contract/],
        ];
        for (const [what, request, expected] of cases) {
            it(what, function () {
                const violations = checkRequest(request);
                assert.ok(violations.some((violation) => expected.test(violation)), violations.join("; "));
            });
        }
    });
});
