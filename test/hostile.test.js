/**
 * Hostile input, property-based (fast-check): random msg.payload values at every operation — wrong types,
 * huge strings, nested objects, __proto__ and constructor keys, path characters and CRLF in Sids, non-http
 * URLs, numbers as text and text as numbers. Whatever comes in, the node does not throw, answers exactly once,
 * sends nothing Twilio's contract would refuse, and a ValidationError means nothing was sent. A second block
 * tries to change the account, the token or the destination: nothing may reach the stand-in unless the node's
 * settings allow it (each property also checks that allowed requests did go out, so that it cannot pass vacuously).
 */
"use strict";
const assert = require("node:assert/strict");
const fc = require("fast-check");
const { OPERATIONS } = require("../build/catalog");
const { checkRequest } = require("./support/contract");
const { helper, captureLog, useStandin, loadNode, run, NODE_ID, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("./support/harness");

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

/**
 * Payloads that try to change the account, the token or the destination (issue 13): other accounts' Sids and
 * tokens, NextPageUri of another account, foreign and premium numbers written every way libphonenumber reads
 * (00, 011, national, whatsapp:), lists that hide one among allowed ones, look-alike digits and separators.
 * None may reach the stand-in unless the node's settings allow it.
 */
describe("hostile input: account, token and destination (property-based)", function () {
    this.timeout(180_000);
    const standin = useStandin();
    const RUNS = Number(process.env.HOSTILE_RECIPIENT_RUNS ?? 150);
    const ALLOWED = ["+1617", "client:"];
    const ACCOUNT_PATH = `/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/`;

    const destination = fc.oneof(
        fc.constantFrom(
            "+16175551212",
            "(617) 555-1213",
            "617.555.1214",
            "+1 (617) 555-1215",
            "whatsapp:+16175551216",
            "whatsapp:(617) 555-1217",
            "client:alice",
            "+447911123456",
            "00447911123456",
            "011 44 7911 123456",
            "+1 900 555 0123",
            "1-900-555-0123",
            "+882345678901",
            "whatsapp:+447911123456",
            "whatsapp:011447911123456",
            "sip:mallory@example.com",
            "sips:mallory@example.com;transport=tls",
            "client:mallory",
            "+1617\n+447911123456",
            "+16175551212;+447911123456",
            "+16175551212, 0044 7911 123456",
            " +16175551212 ",
            "+1617555121\uff12",
            "+1617\u202e5551212",
            "+1\u00a0617\u00a0555\u00a01218",
            "+16175551212\u0000",
            "+15005550001",
        ),
        fc.string({ maxLength: 30 }),
    );
    const to = fc.oneof({ weight: 3, arbitrary: destination }, { weight: 2, arbitrary: fc.array(fc.oneof(destination, fc.integer(), fc.constant(null)), { maxLength: 60 }) });

    /** Sends one message and resolves with all its outputs (one, or msg.parts.count), once done() was called. */
    function runAll(msg, timeoutMs = 15_000) {
        return new Promise((resolve, reject) => {
            const outputs = [];
            const listeners = [];
            let completed = 0;
            let expected;
            const stop = () => listeners.forEach(([node, listener]) => node.removeListener("input", listener));
            const timer = setTimeout(() => {
                stop();
                reject(new Error(`expected ${expected ?? "?"} outputs and done(), got ${outputs.length} and ${completed}`));
            }, timeoutMs);
            const check = () => {
                if (completed === 0 || expected === undefined || outputs.length < expected) return;
                clearTimeout(timer);
                stop();
                resolve(outputs);
            };
            for (const [id, port] of [["out1", 1], ["out2", 2], ["completed", 0]]) {
                const node = helper.getNode(id);
                const listener = (out) => {
                    if (port === 0) completed++;
                    else {
                        outputs.push({ port, msg: out });
                        expected = out.parts ? out.parts.count : 1;
                    }
                    check();
                };
                node.on("input", listener);
                listeners.push([node, listener]);
            }
            helper.getNode(NODE_ID).receive(msg);
        });
    }

    const COMPLETE = [
        { id: "complete1", type: "complete", scope: [NODE_ID], uncaught: false, wires: [["completed"]] },
        { id: "completed", type: "helper" },
    ];

    const CASES = [
        ["twilio-messages", "postMessage", { From: "+15005550006", Body: "alarm" }],
        ["twilio-calls", "createCall", { From: "+15005550006", Url: "https://example.com/twiml" }],
        ["twilio-messages", "listMessage", {}],
    ];

    for (const [type, operation, base] of CASES) {
        it(`${operation}: nothing reaches the stand-in on another account, with another token, or outside allowedDestinations`, async function () {
            const other = standin.addAccount();
            const sub = standin.addAccount(STANDIN_ACCOUNT_SID);
            const sid = fc.constantFrom(other.sid, sub.sid, STANDIN_ACCOUNT_SID, "AC" + "0".repeat(32), other.sid.toLowerCase(), ` ${sub.sid}`);
            const token = fc.constantFrom(other.token, STANDIN_AUTH_TOKEN, "x", other.token.toUpperCase());
            const pageUri = sid.map((account) => `/2010-04-01/Accounts/${account}/Messages.json?PageSize=5&Page=1&PageToken=PA1`);
            // a share of the messages carries no credentials, so that allowed requests do go out
            const attack = fc.oneof(
                { weight: 2, arbitrary: fc.constant({}) },
                { weight: 3, arbitrary: fc.record({ AccountSid: sid, AuthToken: token }, { requiredKeys: [] }) },
                { weight: 1, arbitrary: fc.record({ NextPageUri: pageUri, AccountSid: sid }, { requiredKeys: ["NextPageUri"] }) },
                { weight: 1, arbitrary: fc.record({ accountSid: sid, account_sid: sid }, { requiredKeys: [] }) },
            );
            const recipient = operation === "listMessage" ? fc.option(to.filter((value) => typeof value === "string"), { nil: undefined }) : to;
            const payload = fc
                .tuple(recipient, attack)
                .map(([To, extra]) => JSON.parse(JSON.stringify({ ...base, To, ...extra })));
            await loadNode(standin, {
                type,
                operation,
                account: { allowedDestinations: ALLOWED.join(" "), defaultCountry: "US" },
                extraNodes: COMPLETE,
            });
            const logged = captureLog();
            let reachedTotal = 0;
            try {
                await fc.assert(
                    fc.asyncProperty(payload, async (sent) => {
                        standin.requests.length = 0;
                        const outputs = await runAll({ payload: sent });
                        reachedTotal += standin.requests.length;
                        for (const request of standin.requests) {
                            assert.ok(request.path.startsWith(ACCOUNT_PATH), `on the node's account: ${request.path}`);
                            assert.equal(request.username, STANDIN_ACCOUNT_SID, "with the account's own credentials");
                            if (request.method === "POST") {
                                const reached = String(request.form.To).replace(/^whatsapp:/, "");
                                assert.ok(ALLOWED.some((prefix) => reached.startsWith(prefix)), `an allowed destination: ${request.form.To}`);
                            }
                        }
                        const carries = ["AccountSid", "AuthToken"].some((name) => sent[name] !== undefined && sent[name] !== "");
                        if (carries) assert.equal(standin.requests.length, 0, "a message carrying credentials sends nothing");
                        // each request is one output: a result on output 1, or Twilio's refusal on output 2
                        const answered = outputs.filter(({ port, msg }) => port === 1 || msg.payload.type === "TwilioError");
                        assert.equal(standin.requests.length, answered.length);
                        for (const { port, msg } of outputs) {
                            if (port === 2) assert.ok(["ValidationError", "TwilioError", "ConfigError"].includes(msg.payload.type), JSON.stringify(msg.payload));
                        }
                    }),
                    { numRuns: RUNS, seed: SEED },
                );
                // the property means something only if the allowed requests did go out
                assert.ok(reachedTotal > 0, "some requests reached the stand-in");
                const thrown = logged.entries.filter((entry) => entry.id === NODE_ID && entry.level === logged.levels.ERROR);
                assert.deepEqual(thrown.map((entry) => String(entry.msg)), [], "the node logged no error of its own");
            } finally {
                logged.stop();
            }
        });
    }

    it("allowMessageCredentials ticked and any destination: a request acts on another account only when the message named it", async function () {
        const other = standin.addAccount();
        const sub = standin.addAccount(STANDIN_ACCOUNT_SID);
        const sid = fc.constantFrom(other.sid, sub.sid, "AC" + "0".repeat(32));
        const payload = fc
            .record({ To: to, AccountSid: sid, AuthToken: fc.constantFrom(other.token, "x") }, { requiredKeys: ["To"] })
            .map((extra) => ({ From: "+15005550006", Body: "alarm", ...extra }));
        await loadNode(standin, { type: "twilio-messages", operation: "postMessage", fields: { allowMessageCredentials: true }, extraNodes: COMPLETE });
        let elsewhere = 0;
        await fc.assert(
            fc.asyncProperty(payload, async (sent) => {
                standin.requests.length = 0;
                await runAll({ payload: sent });
                elsewhere += standin.requests.filter((request) => !request.path.startsWith(ACCOUNT_PATH)).length;
                for (const request of standin.requests) {
                    const account = /^\/2010-04-01\/Accounts\/([^/]+)\//.exec(request.path)[1];
                    assert.ok(account === STANDIN_ACCOUNT_SID || account === sent.AccountSid, request.path);
                    assert.ok(request.username === STANDIN_ACCOUNT_SID || request.username === sent.AccountSid, request.username);
                }
            }),
            { numRuns: Math.ceil(RUNS / 2), seed: SEED },
        );
        assert.ok(elsewhere > 0, "ticked, some requests did act on the account the message named");
    });
});
