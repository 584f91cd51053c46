/**
 * Parity with the product's reference spec (twilio-service.txt), driven by the spec's own tables as kept in
 * test/fixtures/reference-spec/tables.json (see test/support/reference-spec.js) — not by the package's
 * catalog — so that a parameter,
 * enumeration value, default or response field that the spec has and the package lost (or renamed) fails here
 * by name.
 *
 *  - every argument of every operation, with a valid value built from its spec type (every value of an
 *    enumeration), goes through the node and reaches the request the stand-in records: as a form field (POST),
 *    a query field (GET), in the path (AccountSid), as the Basic auth user (AuthToken), or mapped as the
 *    README's "Decisions" document (IfMachine → MachineDetection=Enable). The one documented exception,
 *    Method/StatusCallbackMethod "PUT", must be refused with a ValidationError naming the parameter;
 *  - every `Default:` of the spec is sent when the parameter is absent;
 *  - every field of every success response table is in msg.payload on output 1 (list rows `calls[].x` in the
 *    first item of a non-empty list); a "nil" response gives msg.payload === null;
 *  - the fixture: eleven operations, the row counts of the spec, a few exact rows, no prose;
 *  - the parser that generates it (scripts/extract-reference-spec.js), on spec text rendered from the fixture:
 *    it reads the fixture back exactly, and throws on a broken table instead of shrinking it.
 *
 * REFERENCE_SPEC=/path/to/twilio-service.txt runs the parity tests against that copy of the spec instead of the
 * fixture (see reference-spec.js).
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const loadReferenceTables = require("./support/reference-spec");
const { parseReferenceSpec, tablesOf, readTablesFile, renderReferenceSpec, tablesSource, EXPECTED_OPERATIONS } = loadReferenceTables;
const { useStandin, loadNode, run, standinApi, STANDIN_ACCOUNT_SID } = require("./support/harness");

const SPEC_SOURCE = tablesSource();
let SPEC = [];
let specError;
try {
    SPEC = loadReferenceTables();
} catch (err) {
    specError = err;
}

const TODAY = new Date().toISOString().slice(0, 10);
const SEED_TO = "+14155550100";
const SEED_FROM = "+15005550006";
const MEDIA_URL = "https://example.com/owl.png";

/**
 * What this test knows of each operation besides the spec: the node that offers it, the HTTP method Twilio's
 * API uses for it, and the minimal parameters it needs (seeded resources for identifiers, so gets and deletes
 * succeed). `seed` creates resources in the account the test acts on.
 */
const OPERATION_SETUP = {
    createCall: { type: "twilio-calls", http: "POST", needs: async () => ({ To: SEED_TO, From: SEED_FROM, Url: "https://example.com/twiml" }) },
    getCall: { type: "twilio-calls", http: "GET", needs: async (seed) => ({ CallSid: (await seed.call()).sid }) },
    listCall: { type: "twilio-calls", http: "GET", needs: async (seed) => (await seed.call(), {}) },
    deleteCall: { type: "twilio-calls", http: "DELETE", needs: async (seed) => ({ CallSid: (await seed.call()).sid }) },
    postMessage: { type: "twilio-messages", http: "POST", needs: async () => ({ To: SEED_TO, From: SEED_FROM, Body: "parity" }) },
    getMessage: { type: "twilio-messages", http: "GET", needs: async (seed) => ({ MessageSid: (await seed.message()).sid }) },
    listMessage: { type: "twilio-messages", http: "GET", needs: async (seed) => (await seed.message(), {}) },
    deleteMessage: { type: "twilio-messages", http: "DELETE", needs: async (seed) => ({ MessageSid: (await seed.message()).sid }) },
    getMedia: { type: "twilio-media", http: "GET", needs: (seed) => seed.mediaItem() },
    listMedia: { type: "twilio-media", http: "GET", needs: async (seed) => ({ MessageSid: (await seed.mediaItem()).MessageSid }) },
    deleteMedia: { type: "twilio-media", http: "DELETE", needs: (seed) => seed.mediaItem() },
};

/** A well-formed Twilio Sid for a parameter: its two-letter prefix and 32 hexadecimal digits. */
const SID_PREFIX = { ApplicationSid: "AP", MessagingServiceSid: "MG", ParentCallSid: "CA", CallSid: "CA", MessageSid: "SM", MediaSid: "ME" };
function sidFor(name) {
    if (!SID_PREFIX[name]) throw new Error(`this test knows no Twilio Sid prefix for ${name}: add it to SID_PREFIX`);
    return SID_PREFIX[name] + "0123456789abcdef".repeat(2);
}

/** Valid values by the spec's type column. */
const VALUES_BY_TYPE = {
    "string(E.164)": () => ["+16175551212"],
    "string(uri)": () => ["https://example.com/x"],
    "string(date)": () => [TODAY],
    "string {..1600}": () => ["Pump 3 pressure high"],
    integer: () => [30],
    "integer {..1000}": () => [30],
    "^[0-9\\#\\*w]+$": () => ["12#"],
    "^-?[0-9]*.?[0-9]*$": () => ["0.5"],
    "^[0-9a-zA-Z]{34}$": (arg) => [sidFor(arg.name)],
};

/** Arguments the spec types only as `string`: a valid value by name. */
const VALUES_BY_NAME = {
    Record: () => ["true", "false"],
    ApplicationSid: () => [sidFor("ApplicationSid")],
};

/** Spec names the package sends under Twilio's current name (README, Decisions). */
const MAPPED = {
    IfMachine: () => ({ MachineDetection: "Enable" }),
};

/** Enumeration values the spec lists that the package refuses on purpose (README, Decisions). */
const REFUSED = { Method: ["PUT"], StatusCallbackMethod: ["PUT"] };

function valuesFor(arg) {
    if (arg.enum) return arg.enum;
    if (arg.type !== "string" && VALUES_BY_TYPE[arg.type]) return VALUES_BY_TYPE[arg.type](arg);
    if (arg.type === "string" && VALUES_BY_NAME[arg.name]) return VALUES_BY_NAME[arg.name](arg);
    throw new Error(`this test has no valid value for spec type ${JSON.stringify(arg.type)} (argument ${arg.name}): add one`);
}

/** Where an argument must show up in the request the stand-in records. */
function placeOf(opName, arg) {
    if (arg.name === "AccountSid") return "path";
    if (arg.name === "AuthToken") return "auth";
    if (MAPPED[arg.name]) return "mapped";
    const http = OPERATION_SETUP[opName]?.http;
    if (http === "POST") return "form";
    if (http === "GET") return "query";
    throw new Error(`this test does not know where ${opName}'s argument ${arg.name} goes in a ${http} request`);
}

/** Calls the stand-in's API as another account (standinApi is the stand-in's own account). */
async function accountApi(standin, account, method, path, form) {
    const response = await fetch(`${standin.url}/2010-04-01/Accounts/${account.sid}${path}`, {
        method,
        headers: {
            Authorization: "Basic " + Buffer.from(`${account.sid}:${account.token}`).toString("base64"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
    });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

/** Creates resources in `account` (default: the stand-in's own account) through the stand-in's API. */
function seeder(standin, account) {
    async function api(method, path, form) {
        const { status, body } = account ? await accountApi(standin, account, method, path, form) : await standinApi(standin, method, path, form);
        assert.ok(status >= 200 && status < 300, `seeding ${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
        return body;
    }
    const message = (form = {}) => api("POST", "/Messages.json", { To: SEED_TO, From: SEED_FROM, Body: "seed", ...form });
    return {
        call: () => api("POST", "/Calls.json", { To: SEED_TO, From: SEED_FROM, Url: "https://example.com/twiml" }),
        message,
        async mediaItem() {
            const { sid } = await message({ MediaUrl: MEDIA_URL });
            const list = await api("GET", `/Messages/${sid}/Media.json`);
            assert.ok(list.media_list?.length > 0, "the seeded message has a media item");
            return { MessageSid: sid, MediaSid: list.media_list[0].sid };
        },
    };
}

/** The only request the stand-in recorded since it was cleared. */
function onlyRequest(standin, what) {
    assert.equal(standin.requests.length, 1, `${what}: exactly one request reached the stand-in (got ${standin.requests.length})`);
    return standin.requests[0];
}

function assertOutput1({ port, msg }, what) {
    assert.equal(port, 1, `${what}: expected output 1, got output ${port}: ${JSON.stringify(msg.payload)}`);
}

const wordIn = (name) => new RegExp(`(^|[^A-Za-z])${name}([^A-Za-z]|$)`);

describe("parity with the reference spec", function () {
    // The fixture itself (whatever REFERENCE_SPEC says) and the parser that generates it, on spec text rendered
    // from the fixture, without the stand-in: these pin the spec's rows.
    describe("the reference spec's tables and their parser", function () {
        // prose continuing createCall's Url row over two more lines, as the spec's own Url description does
        const URL_CONTINUED = ["continues on a second line (with parentheses).", "More of it: https://example.com/twiml"];
        let fixture;
        let byName;
        let text;
        before(function () {
            fixture = readTablesFile();
            byName = Object.fromEntries(fixture.operations.map((op) => [op.name, op]));
            text = renderReferenceSpec(fixture.operations, { "createCall Url": URL_CONTINUED });
        });
        const arg = (op, name) => byName[op].arguments.find((a) => a.name === name);

        it("the fixture has the eleven operations", function () {
            assert.equal(fixture.operations.length, 11);
            assert.deepEqual(fixture.operations.map((op) => op.name).sort(), [...EXPECTED_OPERATIONS].sort());
        });

        it("the fixture has every argument and response row of the spec (counted by reading it)", function () {
            const counts = Object.fromEntries(fixture.operations.map((op) => [op.name, [op.arguments.length, op.responses.length]]));
            assert.deepEqual(counts, {
                createCall: [16, 23],
                deleteCall: [2, 0],
                getCall: [2, 23],
                listCall: [8, 30],
                deleteMedia: [2, 0],
                getMedia: [2, 7],
                listMedia: [4, 14],
                deleteMessage: [2, 0],
                getMessage: [2, 20],
                listMessage: [6, 27],
                postMessage: [10, 20],
            });
        });

        it("the fixture has enumerations, patterns and defaults", function () {
            assert.deepEqual(arg("createCall", "IfMachine").enum, ["Continue", "Hangup"]);
            assert.equal(arg("createCall", "IfMachine").default, undefined);
            assert.deepEqual(arg("createCall", "Method").enum, ["GET", "PUT", "POST"]);
            assert.equal(arg("createCall", "Method").default, "POST");
            assert.deepEqual(arg("createCall", "FallbackMethod").enum, ["GET", "POST"]);
            assert.equal(arg("createCall", "SendDigits").type, "^[0-9\\#\\*w]+$");
            assert.equal(arg("createCall", "SendDigits").pattern, "^[0-9\\#\\*w]+$");
            assert.equal(arg("createCall", "Url").type, "string(uri)");
            assert.deepEqual(arg("listCall", "PageSize"), { name: "PageSize", type: "integer {..1000}", default: "50" });
            assert.equal(arg("postMessage", "Body").type, "string {..1600}");
            assert.equal(arg("postMessage", "ApplicationSid").type, "string");
        });

        it("the fixture has the success tables only and none of the spec's prose", function () {
            const row = byName.getMessage.responses.find((r) => r.name === "MessagingServiceSid");
            assert.deepEqual(row, { name: "MessagingServiceSid", type: "^[0-9a-zA-Z]{34}$", pattern: "^[0-9a-zA-Z]{34}$" });
            assert.equal(byName.getCall.responses.find((r) => r.name === "status").enum.length, 8, "the call's status, not the error's");
            assert.ok(byName.listCall.responses.some((r) => r.name === "calls[].formatted_to"));
            for (const name of ["deleteCall", "deleteMessage", "deleteMedia"]) assert.equal(byName[name].result, "nil", name);
            for (const op of fixture.operations) {
                assert.deepEqual(Object.keys(op), ["name", "result", "arguments", "responses"], `${op.name}: keys`);
                assert.ok(!op.responses.some((r) => r.name === "error" || r.name === "type"), `${op.name}: no Request error rows`);
                for (const r of [...op.arguments, ...op.responses]) {
                    const extra = Object.keys(r).filter((key) => !["name", "type", "pattern", "enum", "default"].includes(key));
                    assert.deepEqual(extra, [], `${op.name} ${r.name}: only table columns, no prose`);
                }
            }
            assert.match(fixture.source.sha256, /^[0-9a-f]{64}$/, "the fixture names the sha256 of the spec it came from");
        });

        it("the parser reads the fixture back from spec text, with descriptions over several lines", function () {
            const parsed = parseReferenceSpec(text, "rendered spec");
            assert.deepEqual(tablesOf(parsed), fixture.operations);
            const url = parsed.find((op) => op.name === "createCall").arguments.find((a) => a.name === "Url");
            assert.equal(url.description, ["The Url row.", ...URL_CONTINUED].join("\n"));
        });

        it("the parser throws on a row whose type it cannot read instead of dropping it", function () {
            const broken = text.replace("Timeout integer The", "Timeout integr The");
            assert.ok(broken !== text, "the Timeout row to break is in the text");
            assert.throws(() => parseReferenceSpec(broken), /createCall arguments, line \d+: cannot parse the table row "Timeout integr/);
            const tabbed = text.replace("Body string {..1600} The Body row.", "Body\tstring {..1600}\tThe Body row.");
            assert.ok(tabbed !== text, "the Body row to break is in the text");
            assert.throws(() => parseReferenceSpec(tabbed), /postMessage arguments, line \d+: cannot parse the table row/);
            const format = text.replace("StartTime string(date)", "StartTime string(day)");
            assert.throws(() => parseReferenceSpec(format), /listCall arguments, line \d+: unknown string format "\(day\)"/);
        });

        it("the parser throws when an operation is missing", function () {
            const start = text.indexOf("\ngetMedia\n");
            const end = text.indexOf("\nlistMedia\n");
            assert.ok(start > 0 && end > start);
            assert.throws(() => parseReferenceSpec(text.slice(0, start) + text.slice(end)), /operations missing: \[getMedia\]/);
            assert.throws(() => parseReferenceSpec(text.replace("\nlistCall\n", "\nList calls\n")), /"Arguments" is not preceded by an operation name/);
        });
    });

    if (specError) {
        it(`the reference spec tables (${SPEC_SOURCE}) load`, function () {
            throw specError;
        });
        return;
    }
    const standin = useStandin();

    /** Seeds what the operation needs (in `account`), loads its node and sends one message with `extra`. */
    async function send(opName, extra, account) {
        const setup = OPERATION_SETUP[opName];
        const payload = { ...(await setup.needs(seeder(standin, account))), ...extra };
        // the spec's per-call AccountSid and AuthToken: opt-in per node (allowMessageCredentials)
        await loadNode(standin, { type: setup.type, operation: opName, fields: { allowMessageCredentials: true } });
        standin.requests.length = 0;
        return run({ payload });
    }

    describe("every argument of the spec reaches the request", function () {
        for (const op of SPEC) {
            for (const arg of op.arguments) {
                const label = `${op.name}: argument ${arg.name} (spec type ${arg.type})`;
                let values;
                let place;
                try {
                    place = placeOf(op.name, arg);
                    values = place === "path" || place === "auth" ? [] : valuesFor(arg); // built from the account below
                    if (!OPERATION_SETUP[op.name]) throw new Error(`this test does not know how to run ${op.name}`);
                } catch (err) {
                    it(`${label} can be tested`, function () {
                        throw err;
                    });
                    continue;
                }

                if (place === "path") {
                    it(`${label}: a subaccount's Sid goes into the URL path and the request succeeds`, async function () {
                        const sub = standin.addAccount(STANDIN_ACCOUNT_SID);
                        const result = await send(op.name, { AccountSid: sub.sid }, sub);
                        assertOutput1(result, label);
                        const request = onlyRequest(standin, label);
                        assert.ok(
                            request.path.startsWith(`/2010-04-01/Accounts/${sub.sid}/`),
                            `${label}: the request path ${request.path} is not under the subaccount ${sub.sid}`,
                        );
                        assert.equal(request.username, STANDIN_ACCOUNT_SID, `${label}: alone, the account node's credentials act on it`);
                    });
                    continue;
                }

                if (place === "auth") {
                    it(`${label}: with AccountSid, it is the Basic auth password of that account`, async function () {
                        const other = standin.addAccount(); // not a subaccount: only its own token opens it
                        const result = await send(op.name, { AccountSid: other.sid, AuthToken: other.token }, other);
                        assertOutput1(result, `${label} (the stand-in accepts only that account's token)`);
                        const request = onlyRequest(standin, label);
                        assert.equal(request.username, other.sid, `${label}: Basic auth user`);
                        const sent = JSON.stringify([request.form, request.query, request.path]);
                        assert.ok(!sent.includes(other.token), `${label}: the token must not travel in the path, form or query`);
                    });
                    continue;
                }

                for (const value of values) {
                    const shown = `${label} = ${JSON.stringify(value)}`;
                    if (REFUSED[arg.name]?.includes(value)) {
                        it(`${shown} is refused with a ValidationError naming ${arg.name} (documented exception), nothing sent`, async function () {
                            const { port, msg } = await send(op.name, { [arg.name]: value });
                            assert.equal(port, 2, `${shown}: expected output 2, got ${port}: ${JSON.stringify(msg.payload)}`);
                            assert.equal(msg.payload.type, "ValidationError", shown);
                            assert.match(msg.payload.error, wordIn(arg.name), `${shown}: the error names the parameter`);
                            assert.equal(standin.requests.length, 0, `${shown}: nothing reached the stand-in`);
                        });
                        continue;
                    }
                    if (place === "mapped") {
                        const mapped = MAPPED[arg.name](value);
                        it(`${shown} is sent as ${JSON.stringify(mapped)} (documented mapping)`, async function () {
                            const result = await send(op.name, { [arg.name]: value });
                            assertOutput1(result, shown);
                            const request = onlyRequest(standin, shown);
                            for (const [name, wire] of Object.entries(mapped)) {
                                assert.equal(request.form[name], wire, `${shown}: form field ${name}`);
                            }
                            assert.equal(arg.name in request.form, false, `${shown}: the retired name is not sent`);
                        });
                        continue;
                    }
                    it(`${shown} reaches the ${place} as ${arg.name}=${String(value)}`, async function () {
                        const result = await send(op.name, { [arg.name]: value });
                        assertOutput1(result, shown);
                        const request = onlyRequest(standin, shown);
                        assert.equal(request.method, OPERATION_SETUP[op.name].http, `${shown}: HTTP method`);
                        assert.equal(request[place][arg.name], String(value), `${shown}: ${place} field ${arg.name} of ${JSON.stringify(request[place])}`);
                    });
                }
            }
        }
    });

    describe("every Default: of the spec is sent when the argument is absent", function () {
        for (const op of SPEC) {
            for (const arg of op.arguments.filter((a) => a.default !== undefined)) {
                const label = `${op.name}: argument ${arg.name} absent`;
                it(`${label} → the request carries the spec's default ${arg.name}=${arg.default}`, async function () {
                    const place = placeOf(op.name, arg);
                    const result = await send(op.name, {});
                    assertOutput1(result, label);
                    const request = onlyRequest(standin, label);
                    assert.equal(request[place][arg.name], arg.default, `${label}: ${place} ${JSON.stringify(request[place])}`);
                });
            }
        }
    });

    it("every documented refusal is still a value the spec lists", function () {
        for (const [name, refused] of Object.entries(REFUSED)) {
            for (const value of refused) {
                const listed = SPEC.some((op) => op.arguments.some((a) => a.name === name && a.enum?.includes(value)));
                assert.ok(listed, `REFUSED lists ${name}=${value}, which the spec no longer has: drop it from this test`);
            }
        }
    });

    it("the node's parameters beyond the spec are the ones its catalog marks as such", function () {
        const { OPERATIONS } = require("../build/catalog");
        // identifiers the spec's examples pass although its tables leave them out (README, Decisions)
        const IDENTIFIERS = new Set(["CallSid", "MessageSid", "MediaSid"]);
        for (const op of SPEC) {
            const specNames = new Set(op.arguments.map((arg) => arg.name));
            for (const param of OPERATIONS[op.name].params) {
                if (IDENTIFIERS.has(param.name)) continue;
                const beyond = !specNames.has(param.name);
                assert.equal(param.beyondSpec === true, beyond, `${op.name} ${param.name}: ${beyond ? "not in the spec, not marked beyondSpec" : "in the spec, marked beyondSpec"}`);
            }
        }
    });

    describe("every response field of the spec is in msg.payload", function () {
        for (const op of SPEC) {
            if (op.result === "nil") {
                it(`${op.name}: the spec's nil response → msg.payload === null on output 1`, async function () {
                    const result = await send(op.name, {});
                    assertOutput1(result, op.name);
                    assert.equal(result.msg.payload, null, `${op.name}: msg.payload`);
                });
                continue;
            }
            describe(`${op.name} response`, function () {
                let payload;
                before(async function () {
                    standin.reset();
                    const result = await send(op.name, {});
                    assertOutput1(result, op.name);
                    payload = result.msg.payload;
                });
                for (const row of op.responses) {
                    const item = /^(\w+)\[\]\.(\w+)$/.exec(row.name);
                    it(`${op.name}: response field ${row.name}`, function () {
                        if (!item) {
                            assert.ok(payload !== null && typeof payload === "object", `${op.name}: msg.payload is an object`);
                            assert.ok(row.name in payload, `${op.name}: response field ${row.name} missing from msg.payload (keys: ${Object.keys(payload)})`);
                            if (row.type === "[ object ]") {
                                assert.ok(Array.isArray(payload[row.name]) && payload[row.name].length > 0, `${op.name}: ${row.name} is a non-empty list`);
                            }
                            return;
                        }
                        const [, list, field] = item;
                        assert.ok(Array.isArray(payload[list]) && payload[list].length > 0, `${op.name}: msg.payload.${list} is a non-empty list`);
                        const first = payload[list][0];
                        assert.ok(field in first, `${op.name}: response field ${row.name} missing from msg.payload.${list}[0] (keys: ${Object.keys(first)})`);
                    });
                }
            });
        }
    });
});
