/**
 * Recipients as alarm flows need them (issue 13), through Node-RED against the stand-in, whose record of
 * requests is the judge: the account's allowed destinations (node field, payload, list; nothing sent on a
 * refusal), per-message credentials only where the node allows them, numbers as people write them normalised
 * to E.164 with the account's default country, and several recipients in one To: one request per distinct
 * recipient, each outcome its own message with msg.parts, which a join node collects.
 */
"use strict";
const assert = require("node:assert/strict");
const { coreNode, loadFlow } = require("./support/runtime");
const { helper, useStandin, loadNode, run, collect, quiet, NODE_ID, ACCOUNT_ID, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("./support/harness");

const SMS = { From: "+15005550006", Body: "Pump 3 pressure high" };
const CALL = { From: "+15005550006", Url: "https://example.com/twiml" };
const UK_MOBILE = "+447911123456";
const DE_MOBILE = "+491712345678";

/**
 * What the node under test does, in the order it does it: each output it sends, each error it reports (to Catch
 * nodes) and each done() call, by input _msgid. Recorded as the node calls them (the complete node `completeId` is
 * called from within done()), not as the helpers receive them a hop later, when Node-RED's delivery may reorder them.
 */
function recordOrder(completeId) {
    const events = [];
    const node = helper.getNode(NODE_ID);
    const { send, error } = node;
    node.send = function (msg) {
        for (const one of [msg].flat()) if (one) events.push({ msgid: one._msgid, event: "send" });
        return send.apply(this, arguments);
    };
    node.error = function (err, msg) {
        if (msg) events.push({ msgid: msg._msgid, event: "error" });
        return error.apply(this, arguments);
    };
    const completion = helper.getNode(completeId);
    const receive = completion.receive;
    completion.receive = function (msg) {
        events.push({ msgid: msg._msgid, event: "done" });
        return receive.apply(this, arguments);
    };
    return { of: (msgid) => events.filter((event) => event.msgid === msgid).map(({ event }) => event) };
}

/** Resolves once every condition holds, checked at each input of the nodes named by their keys. */
function untilInputs(conditions, timeoutMs = 10_000) {
    const nodes = Object.keys(conditions).map((id) => helper.getNode(id));
    return new Promise((resolve, reject) => {
        const stop = () => nodes.forEach((node) => node.removeListener("input", check));
        const timer = setTimeout(() => {
            stop();
            reject(new Error(`still waiting for ${Object.keys(conditions).filter((id) => !conditions[id]()).join(", ")}`));
        }, timeoutMs);
        function check() {
            if (!Object.values(conditions).every((holds) => holds())) return;
            clearTimeout(timer);
            stop();
            resolve();
        }
        // registered after the test's own listeners, which the conditions count: they see each input first
        nodes.forEach((node) => node.on("input", check));
        check();
    });
}

describe("recipients", function () {
    const standin = useStandin();
    const sentTo = () => standin.requests.map((request) => request.form.To);

    /** A postMessage node (or another operation) on an account with these settings. */
    function load(account, options = {}) {
        return loadNode(standin, { type: "twilio-messages", operation: "postMessage", ...options, account });
    }

    describe("allowed destinations (account setting allowedDestinations)", function () {
        it("refuses a To from msg.payload outside the list, naming the setting; nothing is sent", async function () {
            await load({ allowedDestinations: "+1617 +49" });
            const { port, msg } = await run({ payload: { ...SMS, To: UK_MOBILE } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ValidationError");
            assert.equal(msg.payload.status, 400);
            assert.match(msg.payload.error, /To "\+447911123456" is not an allowed destination of the twilio-account node \(allowedDestinations: \+1617 \+49\)/);
            assert.equal(standin.requests.length, 0);
        });

        it("refuses a To set in the node's field as well", async function () {
            await load({ allowedDestinations: "+1617" }, { fields: { To: UK_MOBILE, ToType: "str", From: SMS.From, FromType: "str" } });
            const { port, msg } = await run({ payload: SMS.Body });
            assert.equal(port, 2, JSON.stringify(msg.payload));
            assert.match(msg.payload.error, /allowedDestinations/);
            assert.equal(standin.requests.length, 0);
        });

        it("sends to prefixes and exact numbers of the list, E.164 or inside whatsapp:", async function () {
            await load({ allowedDestinations: "+1617, +4917 +447911123456" });
            for (const To of ["+16175551212", DE_MOBILE, "whatsapp:+16175551212", UK_MOBILE]) {
                const { port, msg } = await run({ payload: { ...SMS, To } });
                assert.equal(port, 1, `${To}: ${JSON.stringify(msg.payload)}`);
            }
            const { port } = await run({ payload: { ...SMS, To: "whatsapp:+447911123457" } });
            assert.equal(port, 2, "the number inside whatsapp: counts");
            assert.deepEqual(sentTo(), ["+16175551212", DE_MOBILE, "whatsapp:+16175551212", UK_MOBILE]);
        });

        it("judges each recipient of a list: the allowed one is sent, the other refused on its own part", async function () {
            await load({ allowedDestinations: "+1617" });
            const outputs = collect(2);
            helper.getNode(NODE_ID).receive({ payload: { ...SMS, To: `+16175551212, ${UK_MOBILE}` } });
            const byIndex = (await outputs).sort((a, b) => a.msg.parts.index - b.msg.parts.index);
            assert.deepEqual(byIndex.map(({ port }) => port), [1, 2]);
            assert.match(byIndex[1].msg.payload.error, /allowedDestinations/);
            assert.equal(byIndex[1].msg.parameters.To, UK_MOBILE);
            assert.deepEqual(sentTo(), ["+16175551212"]);
        });

        it("createCall: client: and sip: only when the list has them", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "createCall", account: { allowedDestinations: "+1 client:" } });
            assert.equal((await run({ payload: { ...CALL, To: "client:alice" } })).port, 1);
            const sip = await run({ payload: { ...CALL, To: "sip:alice@example.com" } });
            assert.equal(sip.port, 2);
            assert.match(sip.msg.payload.error, /allowedDestinations: \+1 client:/);
            assert.deepEqual(sentTo(), ["client:alice"]);
        });

        it("blank allows any destination", async function () {
            await load({ allowedDestinations: "" });
            assert.equal((await run({ payload: { ...SMS, To: UK_MOBILE } })).port, 1);
        });

        it("an unusable setting sends nothing (ConfigError naming the entry), and reads still work", async function () {
            await load({ allowedDestinations: "+1 49" }, {
                extraNodes: [{ id: "reader", type: "twilio-messages", account: ACCOUNT_ID, operation: "listMessage", wires: [["out1"], ["out2"]] }],
            });
            const { port, msg } = await run({ payload: { ...SMS, To: "+16175551212" } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ConfigError");
            assert.match(msg.payload.error, /allowedDestinations.*"49" is neither an E\.164 prefix/);
            assert.equal(standin.requests.length, 0);
            const listed = collect(1);
            helper.getNode("reader").receive({ payload: {} });
            assert.equal((await listed)[0].port, 1, "an operation without a recipient is not affected");
        });
    });

    describe("credentials from messages (node setting allowMessageCredentials)", function () {
        const OPERATIONS = [
            ["twilio-calls", "getCall", { CallSid: "CA" + "a1".repeat(16) }],
            ["twilio-messages", "postMessage", { ...SMS, To: "+16175551212" }],
            ["twilio-media", "listMedia", { MessageSid: "MM" + "b2".repeat(16) }],
        ];
        for (const [type, operation, payload] of OPERATIONS) {
            it(`${type}: off when the flow does not set it, AccountSid or AuthToken in the message is refused`, async function () {
                await loadNode(standin, { type, operation });
                for (const carried of [{ AccountSid: "AC" + "1".repeat(32) }, { AuthToken: "0123456789abcdef" }]) {
                    const { port, msg } = await run({ payload: { ...payload, ...carried } });
                    assert.equal(port, 2);
                    assert.equal(msg.payload.type, "ValidationError");
                    assert.match(msg.payload.error, new RegExp(`carries ${Object.keys(carried)[0]}.*\\(allowMessageCredentials\\)`));
                    assert.ok(!JSON.stringify(msg).includes("0123456789abcdef"), "the token is not echoed");
                }
                assert.equal(standin.requests.length, 0);
            });
        }

        it("an AuthToken field that reads msg is a credential from the message too", async function () {
            const other = standin.addAccount();
            await loadNode(standin, {
                type: "twilio-messages",
                operation: "listMessage",
                fields: { AccountSid: other.sid, AccountSidType: "str", AuthToken: "token", AuthTokenType: "msg" },
            });
            const { port, msg } = await run({ token: other.token, payload: {} });
            assert.equal(port, 2);
            assert.match(msg.payload.error, /carries AuthToken/);
            assert.equal(standin.requests.length, 0);
        });

        it("AccountSid set in the node (not from the message) is the node's own setting and works", async function () {
            const sub = standin.addAccount(STANDIN_ACCOUNT_SID);
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage", fields: { AccountSid: sub.sid, AccountSidType: "str" } });
            assert.equal((await run({ payload: {} })).port, 1);
            assert.equal(standin.requests[0].path, `/2010-04-01/Accounts/${sub.sid}/Messages.json`);
        });

        it("a NextPageUri naming another account is an AccountSid from the message; one of the node's own account works", async function () {
            const sub = standin.addAccount(STANDIN_ACCOUNT_SID);
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage" });
            const other = await run({ payload: { NextPageUri: `/2010-04-01/Accounts/${sub.sid}/Messages.json?PageSize=5&Page=1&PageToken=PA1` } });
            assert.equal(other.port, 2);
            assert.match(other.msg.payload.error, /carries AccountSid \(NextPageUri\).*allowMessageCredentials/);
            assert.equal(standin.requests.length, 0);
            const own = await run({ payload: { NextPageUri: `/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json?PageSize=5&Page=1&PageToken=PA1` } });
            assert.equal(own.port, 1, JSON.stringify(own.msg.payload));
            assert.equal(standin.requests[0].path, `/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`);
        });

        it("ticked, the message's credentials are used", async function () {
            const other = standin.addAccount();
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage", fields: { allowMessageCredentials: true } });
            assert.equal((await run({ payload: { AccountSid: other.sid, AuthToken: other.token } })).port, 1);
            assert.equal(standin.requests[0].username, other.sid);
        });
    });

    describe("numbers as people write them (account setting defaultCountry)", function () {
        it("DE: national, trunk 0, 00, (0), slashes and spaces all become E.164 in the request", async function () {
            await load({ defaultCountry: "DE" });
            for (const To of ["0171 2345678", "0049 171 2345678", "+49 (0)171 2345678", "0171/234 56 78", "0171-234.56.78"]) {
                const { port, msg } = await run({ payload: { ...SMS, To } });
                assert.equal(port, 1, `${To}: ${JSON.stringify(msg.payload)}`);
            }
            assert.deepEqual(sentTo(), Array(5).fill(DE_MOBILE));
        });

        it("US: (617) 555-1212 as To and From, and whatsapp: with a national number", async function () {
            await load({ defaultCountry: "us" });
            await run({ payload: { ...SMS, To: "(617) 555-1212", From: "500-555-0006" } });
            await run({ payload: { ...SMS, To: "whatsapp:617.555.1212", From: "whatsapp:+1 500 555 0006" } });
            assert.deepEqual(standin.requests.map(({ form }) => [form.To, form.From]), [
                ["+16175551212", "+15005550006"],
                ["whatsapp:+16175551212", "whatsapp:+15005550006"],
            ]);
        });

        it("keeps client:, sip: and alphanumeric sender IDs as they are", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "createCall", account: { defaultCountry: "DE" } });
            await run({ payload: { ...CALL, To: "sip:alice@example.com;transport=tls", From: "client:gateway" } });
            await helper.unload();
            await load({ defaultCountry: "DE" });
            await run({ payload: { ...SMS, To: "0171 2345678", From: "ACME Alarm" } });
            assert.deepEqual(standin.requests.map(({ form }) => [form.To, form.From]), [
                ["sip:alice@example.com;transport=tls", "client:gateway"],
                [DE_MOBILE, "ACME Alarm"],
            ]);
        });

        it("without a default country, only numbers with a country code are normalised", async function () {
            await load({});
            assert.equal((await run({ payload: { ...SMS, To: "+49 171 2345678" } })).port, 1);
            assert.equal((await run({ payload: { ...SMS, To: "0049 171 2345678" } })).port, 1);
            const national = await run({ payload: { ...SMS, To: "0171 2345678" } });
            assert.equal(national.port, 2);
            assert.match(national.msg.payload.error, /To must be a phone number in E\.164 format.*got "0171 2345678"/);
            assert.deepEqual(sentTo(), [DE_MOBILE, DE_MOBILE]);
        });

        it("list filters are normalised too", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage", account: { defaultCountry: "DE" } });
            assert.equal((await run({ payload: { To: "0171 2345678" } })).port, 1);
            assert.equal(standin.requests[0].query.To, DE_MOBILE);
        });

        const IMPOSSIBLE = [
            ["+49 171", "DE", /got "\+49 171", which is too short to be a phone number/],
            ["+999 1234 5678", undefined, /got "\+999 1234 5678", which does not start with a country code that exists/],
            ["0171 2345678 9999 9999", "DE", /which is too long to be a phone number/],
            ["12345", "DE", /got "12345", which is not a number of the numbering plan of DE: check the digits/],
            ["0171 23", "DE", /got "0171 23", which is (too short to be a phone number|not a number of the numbering plan of DE)/],
        ];
        for (const [To, defaultCountry, reason] of IMPOSSIBLE) {
            it(`refuses ${To} (${defaultCountry ?? "no default country"}) saying why and what was received`, async function () {
                await load({ defaultCountry });
                const { port, msg } = await run({ payload: { ...SMS, To } });
                assert.equal(port, 2);
                assert.equal(msg.payload.type, "ValidationError");
                assert.match(msg.payload.error, reason);
                assert.equal(standin.requests.length, 0);
            });
        }

        // with its country code, a number needs a possible length only: the metadata on a gateway ages, and a range
        // opened since must not hold an alarm back (Twilio's 21211 answers the invalid ones)
        const POSSIBLE_NOT_IN_PLAN = [
            ["+1 999 999 9999", undefined, "+19999999999"],
            ["+44 7700 900123", "DE", "+447700900123"], // Ofcom's drama range: possible, in no plan
            ["0044 7700 900123", undefined, "+447700900123"],
        ];
        for (const [To, defaultCountry, e164] of POSSIBLE_NOT_IN_PLAN) {
            it(`sends ${To} (${defaultCountry ?? "no default country"}), written with its country code, as ${e164}: possible, though in no range of the plan`, async function () {
                await load({ defaultCountry });
                const { port } = await run({ payload: { ...SMS, To } });
                assert.equal(port, 1);
                assert.deepEqual(sentTo(), [e164]);
            });
        }

        it("an unknown default country sends nothing, saying so", async function () {
            await load({ defaultCountry: "XX" });
            const { port, msg } = await run({ payload: { ...SMS, To: "+16175551212" } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ConfigError");
            assert.match(msg.payload.error, /defaultCountry.*"XX"/);
            assert.equal(standin.requests.length, 0);
        });
    });

    describe("several recipients", function () {
        it("an array: one request per distinct recipient after normalisation, each output with msg.parts", async function () {
            await load({ defaultCountry: "DE" });
            const outputs = collect(2);
            helper.getNode(NODE_ID).receive({ _msgid: "alarm-42", topic: "pump3", payload: { ...SMS, To: ["0171 2345678", "+16175551212", "+49 171 2345678"] } });
            const received = (await outputs).sort((a, b) => a.msg.parts.index - b.msg.parts.index);
            assert.deepEqual(sentTo().sort(), ["+16175551212", DE_MOBILE]);
            assert.deepEqual(received.map(({ port }) => port), [1, 1]);
            assert.deepEqual(received.map(({ msg }) => msg.parts), [
                { id: "alarm-42", index: 0, count: 2, type: "array", len: 1 },
                { id: "alarm-42", index: 1, count: 2, type: "array", len: 1 },
            ]);
            assert.deepEqual(received.map(({ msg }) => msg.payload.to), [DE_MOBILE, "+16175551212"]);
            assert.ok(received.every(({ msg }) => msg.topic === "pump3"), "other properties pass through to every part");
        });

        it("text separated by commas, semicolons and new lines", async function () {
            await load({});
            const outputs = collect(3);
            helper.getNode(NODE_ID).receive({ payload: { ...SMS, To: "+16175551212;\n+15005550009 ,\r\n+447911123456," } });
            await outputs;
            assert.deepEqual(sentTo().sort(), ["+15005550009", "+16175551212", UK_MOBILE]);
        });

        it("a recipient that is no number fails on its own; the others are sent", async function () {
            await load({ defaultCountry: "DE" });
            const outputs = collect(2);
            helper.getNode(NODE_ID).receive({ payload: { ...SMS, To: ["0171 2345678", "+49 171"] } });
            const received = (await outputs).sort((a, b) => a.msg.parts.index - b.msg.parts.index);
            assert.deepEqual(received.map(({ port }) => port), [1, 2]);
            assert.match(received[1].msg.payload.error, /too short/);
            assert.deepEqual(sentTo(), [DE_MOBILE]);
        });

        it("at most 50: a longer list is one ValidationError, and nothing is sent", async function () {
            await load({});
            const To = Array.from({ length: 51 }, (_, i) => `+1617555${String(1000 + i)}`);
            const { port, msg } = await run({ payload: { ...SMS, To } });
            assert.equal(port, 2);
            assert.match(msg.payload.error, /To names 51 recipients, but one message may name at most 50/);
            assert.equal(msg.parts, undefined);
            assert.equal(standin.requests.length, 0);
        });

        it("each recipient takes its own place in the account's limits", async function () {
            await load({ maxConcurrent: 1, queueSize: 1 });
            const outputs = collect(3);
            helper.getNode(NODE_ID).receive({ payload: { ...SMS, To: ["+16175551212", "+16175551213", "+16175551214"] } });
            const received = await outputs;
            const full = received.filter(({ msg }) => msg.payload.type === "QueueFullError");
            assert.equal(full.length, 1, "one in flight, one queued, the third found the queue full");
            assert.equal(standin.requests.length, 2);
            assert.equal(full[0].msg.parameters.To, "+16175551214");
        });

        it("an input that is already a part keeps its parts inside the new ones", async function () {
            await load({});
            const outer = { id: "split-1", index: 3, count: 5, type: "array", len: 1 };
            const outputs = collect(2);
            helper.getNode(NODE_ID).receive({ parts: outer, payload: { ...SMS, To: ["+16175551212", "+16175551213"] } });
            for (const { msg } of await outputs) assert.deepEqual(msg.parts.parts, outer);
        });

        it("a join node collects every recipient's outcome, both outputs wired to it; done() comes once, after all", async function () {
            const flow = [
                { id: "tab1", type: "tab", label: "recipients" },
                { id: ACCOUNT_ID, type: "twilio-account", apiBaseUrl: standin.url, timeout: 5, allowedDestinations: "+1" },
                { id: NODE_ID, z: "tab1", type: "twilio-messages", account: ACCOUNT_ID, operation: "postMessage", wires: [["joiner"], ["joiner"]] },
                { id: "joiner", z: "tab1", type: "join", mode: "auto", build: "array", property: "payload", propertyType: "msg", wires: [["joined"]] },
                { id: "joined", z: "tab1", type: "helper" },
                { id: "completion", z: "tab1", type: "complete", scope: [NODE_ID], uncaught: false, wires: [["completed"]] },
                { id: "completed", z: "tab1", type: "helper" },
            ];
            await loadFlow(flow, { [ACCOUNT_ID]: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } }, [coreNode("sequence/17-split.js")]);
            const order = recordOrder("completion");
            const joined = [];
            const completed = [];
            helper.getNode("joined").on("input", (msg) => joined.push(msg));
            helper.getNode("completed").on("input", (msg) => completed.push(msg));
            const both = (count) => untilInputs({ joined: () => joined.length >= count, completed: () => completed.length >= count });
            helper.getNode(NODE_ID).receive({ _msgid: "first", payload: { ...SMS, To: `+16175551212, ${UK_MOBILE}, +15005550001` } });
            await both(1);
            const [msg] = joined;
            assert.equal(msg.payload.length, 3, "one entry per recipient, in the list's order");
            assert.equal(msg.payload[0].to, "+16175551212");
            assert.equal(msg.payload[1].type, "ValidationError", "not an allowed destination");
            assert.equal(msg.payload[2].code, 21211, "Twilio's answer for its invalid test number");
            assert.deepEqual(sentTo().sort(), ["+15005550001", "+16175551212"]);
            // a second message, to be sure done() was not called per part: one more "complete" per input only
            helper.getNode(NODE_ID).receive({ _msgid: "second", payload: { ...SMS, To: ["+16175551212", "+16175551213"] } });
            await both(2);
            // counted once nothing more came for a while: a second done() or output would be in
            await quiet(["joined", "completed"]);
            assert.deepEqual(completed.map((m) => m._msgid), ["first", "second"], "done() exactly once per input");
            assert.equal(joined.length, 2);
            // in the order the node called them: every part's output first, then done()
            assert.deepEqual(order.of("first"), ["send", "send", "send", "done"]);
            assert.deepEqual(order.of("second"), ["send", "send", "done"]);
        });

        it("with output 2 unwired, each refused recipient reaches Catch nodes, and done() comes once", async function () {
            await load({ allowedDestinations: "+1" }, {
                errorOutput: false,
                extraNodes: [
                    { id: "catch1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
                    { id: "caught", type: "helper" },
                    { id: "complete1", type: "complete", scope: [NODE_ID], uncaught: false, wires: [["completed"]] },
                    { id: "completed", type: "helper" },
                ],
            });
            const order = recordOrder("complete1");
            const caught = [];
            const completed = [];
            const sent = [];
            helper.getNode("caught").on("input", (msg) => caught.push(msg));
            helper.getNode("completed").on("input", (msg) => completed.push(msg));
            helper.getNode("out1").on("input", (msg) => sent.push(msg));
            helper.getNode(NODE_ID).receive({ _msgid: "alarm", payload: { ...SMS, To: [UK_MOBILE, "+16175551212", DE_MOBILE] } });
            await untilInputs({ out1: () => sent.length >= 1, caught: () => caught.length >= 2, completed: () => completed.length >= 1 });
            await quiet(["out1", "caught", "completed"]);
            assert.equal(sent.length, 1);
            assert.equal(caught.length, 2);
            assert.deepEqual(caught.map((msg) => msg.parts.index).sort(), [0, 2]);
            assert.ok(caught.every((msg) => /allowedDestinations/.test(msg.error.message)));
            assert.equal(completed.length, 1, "done() exactly once");
            // the one sent and the two refused (to Catch through node.error) before done()
            assert.deepEqual(order.of("alarm").slice(-1), ["done"]);
            assert.deepEqual(order.of("alarm").slice(0, -1).sort(), ["error", "error", "send"]);
        });
    });
});
