/**
 * Hostile input, property-based (fast-check): random msg.payload values at every operation — wrong types,
 * huge strings, nested objects, __proto__ and constructor keys, path characters and CRLF in Sids, non-http
 * URLs, numbers as text and text as numbers. Whatever comes in, the node does not throw, answers exactly once,
 * sends nothing Twilio's contract would refuse, and a ValidationError means nothing was sent.
 */
"use strict";
const assert = require("node:assert/strict");
const fc = require("fast-check");
const { OPERATIONS } = require("../nodes/catalog");
const { checkRequest } = require("./support/contract");
const { helper, captureLog, useStandin, loadNode, run, NODE_ID } = require("./support/harness");

const TYPE_OF = { calls: "twilio-calls", messages: "twilio-messages", media: "twilio-media" };
const RUNS_PER_OPERATION = 300;
const SEED = Number(process.env.FAST_CHECK_SEED ?? 20261126);

/** Values a parameter should never let through, and some it should. */
const hostileText = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
        "../../Accounts/AC00000000000000000000000000000001",
        "CA0123456789abcdef0123456789abcdef\r\nX-Injected: 1",
        "SM0123456789abcdef0123456789abcde/",
        "ME%2e%2e%2f%2e%2e",
        "?PageSize=1000#",
        "javascript:alert(1)",
        "ftp://example.com/x.png",
        "file:///etc/passwd",
        "https://bad_host.example.com/x",
        "http://example.com/ok",
        "+16175551212",
        "whatsapp:+16175551212",
        "sip:alice@example.com",
        "client:alice",
        "0",
        "-1",
        "1e3",
        "NaN",
        "true",
        "2026-02-30",
        "2026-11-26",
        "<Response/>",
        "{\"1\":\"x\"}",
        "\u0000\u202e",
    ),
    fc.string({ minLength: 1000, maxLength: 20000 }),
);
const hostileValue = fc.oneof(
    hostileText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(hostileText, { maxLength: 12 }),
    fc.object({ maxDepth: 2 }),
);

function payloadFor(op) {
    const names = op.params.map((spec) => spec.name);
    const keys = fc.oneof(
        fc.constantFrom(...names),
        fc.constantFrom("__proto__", "constructor", "prototype", "toString", "to", "BODY", "Sid"),
        fc.string({ maxLength: 12 }),
    );
    // an object built by JSON.parse, as an MQTT or HTTP payload is: "__proto__" is then an own key
    const params = fc.dictionary(keys, hostileValue, { maxKeys: 8 }).map((object) => JSON.parse(JSON.stringify(object)));
    return fc.oneof({ weight: 4, arbitrary: params }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) });
}

describe("hostile input (property-based)", function () {
    this.timeout(120_000);
    const standin = useStandin();

    for (const op of Object.values(OPERATIONS)) {
        it(`${op.name}: answers once, never throws, never sends an invalid request`, async function () {
            await loadNode(standin, { type: TYPE_OF[op.group], operation: op.name });
            const logged = captureLog();
            try {
                await fc.assert(
                    fc.asyncProperty(payloadFor(op), async (payload) => {
                        standin.requests.length = 0;
                        const { port, msg } = await run({ payload });
                        for (const request of standin.requests) assert.deepEqual(checkRequest(request), [], JSON.stringify(request));
                        if (port === 1) {
                            assert.equal(standin.requests.length, 1);
                        } else {
                            assert.ok(["ValidationError", "TwilioError"].includes(msg.payload.type), JSON.stringify(msg.payload));
                            assert.equal(typeof msg.payload.error, "string");
                            if (msg.payload.type === "ValidationError") assert.equal(standin.requests.length, 0, "a ValidationError sends nothing");
                        }
                    }),
                    { numRuns: RUNS_PER_OPERATION, seed: SEED },
                );
                const thrown = logged.entries.filter((entry) => entry.id === NODE_ID && entry.level === logged.levels.ERROR);
                assert.deepEqual(thrown.map((entry) => String(entry.msg)), [], "the node logged no error of its own");
            } finally {
                logged.stop();
            }
            assert.equal(Object.prototype.polluted, undefined);
        });
    }
});
