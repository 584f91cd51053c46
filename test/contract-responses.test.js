/**
 * The stand-in answers as Twilio's contract says Twilio answers: every success response validates against
 * the operation's response schema (a JSON Schema validator, with OpenAPI's nullable), carries exactly the
 * schema's fields (every field is nullable and none required, so validation alone would let a renamed field
 * through), and uses the operation's status code. The contract's own named examples pass the same checks.
 */
"use strict";
const assert = require("node:assert/strict");
const { checkResponse, successResponse } = require("./support/contract");
const { useStandin, standinApi } = require("./support/harness");

/** For a list response: the key of its items. */
const LIST_KEYS = { ListCall: "calls", ListMessage: "messages", ListMedia: "media_list" };

function sameFields(actual, schema, what) {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(schema.properties).sort(), `${what} has exactly the contract's fields`);
}

/** Asserts a body fits the operation's success response: schema, fields, list items. */
function assertFits(operationId, body) {
    const { schema } = successResponse(operationId);
    assert.deepEqual(checkResponse(schema, body), [], `${operationId} response validates`);
    sameFields(body, schema, operationId);
    const key = LIST_KEYS[operationId];
    if (key) {
        assert.ok(body[key].length > 0, "the list has items to check");
        for (const item of body[key]) sameFields(item, schema.properties[key].items, `an item of ${key}`);
    }
}

describe("stand-in responses against Twilio's OpenAPI contract", function () {
    const standin = useStandin();
    let call;
    let message;
    let media;

    beforeEach(async function () {
        call = await standinApi(standin, "POST", "/Calls.json", { To: "+16175551212", From: "+15005550006", Url: "https://example.com/t" });
        message = await standinApi(standin, "POST", "/Messages.json", {
            To: "+16175551212",
            From: "+15005550006",
            Body: "Pump 3 pressure high",
            MediaUrl: "https://example.com/owl.png",
        });
        media = (await standinApi(standin, "GET", `/Messages/${message.body.sid}/Media.json`)).body.media_list[0];
    });

    const cases = [
        ["CreateCall", () => call],
        ["FetchCall", () => standinApi(standin, "GET", `/Calls/${call.body.sid}.json`)],
        ["ListCall", () => standinApi(standin, "GET", "/Calls.json?PageSize=1")],
        ["DeleteCall", () => standinApi(standin, "DELETE", `/Calls/${call.body.sid}.json`)],
        ["CreateMessage", () => message],
        [
            "CreateMessage",
            () =>
                standinApi(standin, "POST", "/Messages.json", {
                    To: "+16175551212",
                    MessagingServiceSid: "MG" + "1".repeat(32),
                    Body: "later",
                    ScheduleType: "fixed",
                    SendAt: "2030-01-07T09:00:00Z",
                }),
        ],
        ["FetchMessage", () => standinApi(standin, "GET", `/Messages/${message.body.sid}.json`)],
        ["ListMessage", () => standinApi(standin, "GET", "/Messages.json")],
        ["DeleteMessage", () => standinApi(standin, "DELETE", `/Messages/${message.body.sid}.json`)],
        ["FetchMedia", () => standinApi(standin, "GET", `/Messages/${message.body.sid}/Media/${media.sid}.json`)],
        ["ListMedia", () => standinApi(standin, "GET", `/Messages/${message.body.sid}/Media.json`)],
        ["DeleteMedia", () => standinApi(standin, "DELETE", `/Messages/${message.body.sid}/Media/${media.sid}.json`)],
    ];

    for (const [operationId, answer] of cases) {
        it(`${operationId}: the stand-in's answer fits the contract`, async function () {
            const { status, body } = await answer();
            const expected = successResponse(operationId);
            assert.equal(status, expected.status, `${operationId} answers ${expected.status}`);
            if (expected.schema) assertFits(operationId, body);
            else assert.equal(body, null, "no body");
        });
    }

    it("a list page in the middle has previous and next page URIs that fit the contract", async function () {
        for (let i = 0; i < 3; i++) await standinApi(standin, "POST", "/Messages.json", { To: "+16175551212", From: "+15005550006", Body: `m${i}` });
        const { body } = await standinApi(standin, "GET", "/Messages.json?PageSize=1&Page=1");
        assert.match(body.previous_page_uri, /Page=0/);
        assert.match(body.next_page_uri, /Page=2&PageToken=PA/);
        assertFits("ListMessage", body);
    });

    it("an error body is Twilio's {code, message, more_info, status}", async function () {
        const { status, body } = await standinApi(standin, "GET", `/Calls/CA${"0".repeat(32)}.json`);
        assert.equal(status, 404);
        assert.deepEqual(Object.keys(body).sort(), ["code", "message", "more_info", "status"]);
        assert.equal(body.code, 20404);
        assert.equal(body.status, 404);
    });

    describe("the contract's named examples pass the same checks (the validator reads Twilio as Twilio writes)", function () {
        for (const operationId of ["CreateCall", "FetchCall", "ListCall", "CreateMessage", "FetchMessage", "ListMessage", "FetchMedia", "ListMedia"]) {
            for (const { name, value } of successResponse(operationId).examples) {
                it(`${operationId} example ${name}`, function () {
                    const { schema } = successResponse(operationId);
                    assert.deepEqual(checkResponse(schema, value), []);
                    sameFields(value, schema, name);
                });
            }
        }
    });

    describe("the checks can fail", function () {
        it("a renamed field", async function () {
            const { body } = await standinApi(standin, "GET", `/Calls/${call.body.sid}.json`);
            const { to_formatted, ...renamed } = body;
            assert.throws(() => assertFits("FetchCall", { ...renamed, formatted_to: to_formatted }), /exactly the contract's fields/);
        });

        it("a value of the wrong type", async function () {
            const { body } = await standinApi(standin, "GET", `/Messages/${message.body.sid}.json`);
            assert.throws(() => assertFits("FetchMessage", { ...body, num_segments: 1, error_code: "none" }), /validates/);
        });

        it("a status outside the contract's enum", async function () {
            const { body } = await standinApi(standin, "GET", `/Calls/${call.body.sid}.json`);
            assert.throws(() => assertFits("FetchCall", { ...body, status: "dialing" }), /validates/);
        });
    });
});
