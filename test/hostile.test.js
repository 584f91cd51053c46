/**
 * Hostile input, property-based (fast-check): random msg.payload values at every operation — wrong types,
 * huge strings, nested objects, __proto__ and constructor keys, path characters and CRLF in Sids, non-http
 * URLs, numbers as text and text as numbers — and valid payloads with hostile keys on top, so that requests do
 * go out. Whatever comes in, the node does not throw, answers exactly once (each input's outputs and done()
 * counted by its _msgid, a To list's parts included, late ones too), sends nothing Twilio's contract would refuse,
 * one request per result or refusal, and a ValidationError means nothing was sent; each operation must reach
 * floors of requests and of each kind of outcome, so that the property cannot pass vacuously. A second block
 * tries to change the account, the token or the destination: nothing may reach the stand-in unless the node's
 * settings allow it (each property also checks that allowed requests did go out, so that it cannot pass vacuously).
 */
"use strict";
const assert = require("node:assert/strict");
const fc = require("fast-check");
const { OPERATIONS } = require("../build/catalog");
const { checkRequest } = require("./support/contract");
const {
    helper,
    captureLog,
    useStandin,
    loadNode,
    standinApi,
    quiet,
    OutputLedger,
    COMPLETE_NODES,
    NODE_ID,
    STANDIN_ACCOUNT_SID,
    STANDIN_AUTH_TOKEN,
} = require("./support/harness");

const TYPE_OF = { calls: "twilio-calls", messages: "twilio-messages", media: "twilio-media" };
/** 300 hostile payloads per operation, and 150 valid ones with or without hostile keys (see payloadFor). */
const RUNS_PER_OPERATION = 450;
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

/** The junk of a payload: its keys (the operation's parameter names among them) and hostile values. */
function junkFor(op, maxKeys) {
    const names = op.params.map((spec) => spec.name);
    const keys = fc.oneof(
        fc.constantFrom(...names),
        fc.constantFrom("__proto__", "constructor", "prototype", "toString", "to", "BODY", "Sid"),
        fc.string({ maxLength: 12 }),
    );
    return fc.dictionary(keys, hostileValue, { maxKeys });
}

/** An object as JSON.parse builds it, as an MQTT or HTTP payload is: "__proto__" is then an own key. */
const parsed = (object) => JSON.parse(JSON.stringify(object));

/**
 * Sids the stand-in holds (created before the property runs) and well-formed ones it does not: a request with
 * them reaches the stand-in, which answers the resource or Twilio's 404.
 */
async function seedResources(standin) {
    const calls = [];
    const messages = [];
    const media = [];
    for (let i = 0; i < 8; i++) {
        calls.push((await standinApi(standin, "POST", "/Calls.json", { To: "+16175551212", From: "+15005550006", Url: "http://example.com/ok" })).body.sid);
        messages.push((await standinApi(standin, "POST", "/Messages.json", { To: "+16175551212", From: "+15005550006", Body: `seed ${i}` })).body.sid);
        const form = new URLSearchParams({ To: "+16175551212", From: "+15005550006", Body: `media ${i}` });
        form.append("MediaUrl", "http://example.com/a.png");
        form.append("MediaUrl", "http://example.com/b.png");
        const { body: withMedia } = await standinApi(standin, "POST", "/Messages.json", form);
        const { body: list } = await standinApi(standin, "GET", `/Messages/${withMedia.sid}/Media.json`);
        for (const item of list.media_list) media.push({ MessageSid: withMedia.sid, MediaSid: item.sid });
    }
    standin.requests.length = 0;
    const unknown = (prefix) => prefix + "0123456789abcdef".repeat(2);
    // one time in three a Sid the stand-in does not have
    const knownOr = (known, ...unknowns) => fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.constantFrom(...unknowns) });
    return {
        CallSid: knownOr(calls, unknown("CA")),
        MessageSid: knownOr([...messages, ...media.map((item) => item.MessageSid)], unknown("SM"), unknown("MM")),
        media: knownOr(media, { MessageSid: media[0].MessageSid, MediaSid: unknown("ME") }, { MessageSid: unknown("MM"), MediaSid: media[0].MediaSid }),
    };
}

/**
 * A payload the operation accepts (the Sids of `seeded`; a magic To that Twilio refuses now and then, a list of
 * recipients), so that the node does send: alone, or with some hostile keys on top.
 */
function validFor(op, seeded) {
    const number = fc.constantFrom("+16175551212", "+16175551213", "+15005550001");
    // a list of recipients is split into one output each (msg.parts), hostile entries among them
    const to = fc.oneof({ weight: 3, arbitrary: number }, { weight: 1, arbitrary: fc.array(fc.oneof(number, hostileText), { minLength: 1, maxLength: 4 }) });
    const base = {
        createCall: fc.record({ To: to, From: fc.constant("+15005550006"), Url: fc.constant("http://example.com/ok") }),
        postMessage: fc.record({ To: to, From: fc.constant("+15005550006"), Body: fc.constant("alarm") }),
        getCall: fc.record({ CallSid: seeded.CallSid }),
        deleteCall: fc.record({ CallSid: seeded.CallSid }),
        getMessage: fc.record({ MessageSid: seeded.MessageSid }),
        deleteMessage: fc.record({ MessageSid: seeded.MessageSid }),
        listCall: fc.record({ PageSize: fc.integer({ min: 1, max: 20 }) }, { requiredKeys: [] }),
        listMessage: fc.record({ PageSize: fc.integer({ min: 1, max: 20 }) }, { requiredKeys: [] }),
        getMedia: seeded.media,
        deleteMedia: seeded.media,
        listMedia: seeded.media.map(({ MessageSid }) => ({ MessageSid })),
    }[op.name];
    assert.ok(base, `a valid payload for ${op.name}`);
    return fc.oneof(base, fc.tuple(base, junkFor(op, 3)).map(([valid, junk]) => ({ ...valid, ...junk })));
}

/**
 * Hostile payloads (random keys and values, or anything at all) and, a third of the time, valid ones with or
 * without hostile keys: without those, most operations would never send a request (no random value is a Sid).
 */
function payloadFor(op, seeded) {
    return fc.oneof(
        { weight: 8, arbitrary: junkFor(op, 8).map(parsed) },
        { weight: 2, arbitrary: fc.anything({ maxDepth: 2 }) },
        { weight: 5, arbitrary: validFor(op, seeded).map(parsed) },
    );
}

/**
 * What each operation's payloads must come to at least, over a test's runs: requests sent, results on output 1,
 * ValidationErrors and Twilio's refusals. A list has no refusal from Twilio to reach (the node validates
 * PageSize and Page before sending).
 */
const FLOORS = { requests: 40, result: 5, ValidationError: 60, TwilioError: 5, fannedOut: 0 };
const LIST_FLOORS = { ...FLOORS, TwilioError: 0 };
/** A create's To given as a list is split into one output per recipient: some inputs must have been. */
const CREATE_FLOORS = { ...FLOORS, fannedOut: 5 };

describe("hostile input (property-based)", function () {
    this.timeout(120_000);
    const standin = useStandin();

    for (const op of Object.values(OPERATIONS)) {
        it(`${op.name}: answers exactly once, never throws, never sends an invalid request`, async function () {
            const seeded = await seedResources(standin);
            await loadNode(standin, { type: TYPE_OF[op.collection], operation: op.name, extraNodes: COMPLETE_NODES });
            const ledger = new OutputLedger().attach();
            const logged = captureLog();
            const reached = { requests: 0, result: 0, ValidationError: 0, TwilioError: 0, fannedOut: 0 };
            try {
                await fc.assert(
                    fc.asyncProperty(payloadFor(op, seeded), async (payload) => {
                        standin.requests.length = 0;
                        const outputs = await ledger.run({ payload });
                        for (const request of standin.requests) assert.deepEqual(checkRequest(request), [], JSON.stringify(request));
                        for (const { port, msg } of outputs) {
                            if (port === 2) {
                                assert.ok(["ValidationError", "TwilioError"].includes(msg.payload.type), JSON.stringify(msg.payload));
                                assert.equal(typeof msg.payload.error, "string");
                            }
                            reached[port === 1 ? "result" : msg.payload.type]++;
                        }
                        // each request is one output (a result, or Twilio's refusal); a ValidationError sends nothing
                        const answered = outputs.filter(({ port, msg }) => port === 1 || msg.payload.type === "TwilioError");
                        assert.equal(standin.requests.length, answered.length, "one request per result or refusal, none for a ValidationError");
                        reached.requests += standin.requests.length;
                        if (outputs[0].msg.parts) reached.fannedOut++;
                    }),
                    { numRuns: RUNS_PER_OPERATION, seed: SEED },
                );
                // whatever else the node had would come out now: after a quiet spell, and as the flow stops
                await quiet(["out1", "out2", "completed"]);
                await helper.unload();
                ledger.assertAllExact();
                const thrown = logged.entries.filter((entry) => entry.id === NODE_ID && entry.level === logged.levels.ERROR);
                assert.deepEqual(thrown.map((entry) => String(entry.msg)), [], "the node logged no error of its own");
            } finally {
                ledger.detach();
                logged.stop();
            }
            console.log(`      ${op.name}: ${JSON.stringify(reached)}`);
            // the property means something only if the payloads reached each kind of outcome
            const floors = op.name.startsWith("list") ? LIST_FLOORS : op.name.startsWith("create") || op.name.startsWith("post") ? CREATE_FLOORS : FLOORS;
            for (const [kind, floor] of Object.entries(floors)) assert.ok(reached[kind] >= floor, `${op.name}: ${kind} ${reached[kind]}, at least ${floor}`);
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
                extraNodes: COMPLETE_NODES,
            });
            const ledger = new OutputLedger().attach();
            const logged = captureLog();
            let reachedTotal = 0;
            try {
                await fc.assert(
                    fc.asyncProperty(payload, async (sent) => {
                        standin.requests.length = 0;
                        const outputs = await ledger.run({ payload: sent });
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
                await quiet(["out1", "out2", "completed"]);
                await helper.unload();
                ledger.assertAllExact();
                // the property means something only if the allowed requests did go out
                assert.ok(reachedTotal > 0, "some requests reached the stand-in");
                const thrown = logged.entries.filter((entry) => entry.id === NODE_ID && entry.level === logged.levels.ERROR);
                assert.deepEqual(thrown.map((entry) => String(entry.msg)), [], "the node logged no error of its own");
            } finally {
                ledger.detach();
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
        await loadNode(standin, { type: "twilio-messages", operation: "postMessage", fields: { allowMessageCredentials: true }, extraNodes: COMPLETE_NODES });
        const ledger = new OutputLedger().attach();
        let elsewhere = 0;
        await fc.assert(
            fc.asyncProperty(payload, async (sent) => {
                standin.requests.length = 0;
                await ledger.run({ payload: sent });
                elsewhere += standin.requests.filter((request) => !request.path.startsWith(ACCOUNT_PATH)).length;
                for (const request of standin.requests) {
                    const account = /^\/2010-04-01\/Accounts\/([^/]+)\//.exec(request.path)[1];
                    assert.ok(account === STANDIN_ACCOUNT_SID || account === sent.AccountSid, request.path);
                    assert.ok(request.username === STANDIN_ACCOUNT_SID || request.username === sent.AccountSid, request.username);
                }
            }),
            { numRuns: Math.ceil(RUNS / 2), seed: SEED },
        );
        await quiet(["out1", "out2", "completed"]);
        await helper.unload();
        ledger.detach();
        ledger.assertAllExact();
        assert.ok(elsewhere > 0, "ticked, some requests did act on the account the message named");
    });
});
