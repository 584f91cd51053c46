/**
 * The pieces of acknowledgement on their own: what an SMS reply says, which open alarm it acknowledges, how the
 * webhook node chooses among the nodes registered to answer (the first acknowledgement wins, a node that fails is
 * passed over), the alarm settings' problems, and the stand-in's reading of a <Gather>'s action.
 */
"use strict";
const assert = require("node:assert/strict");
const { parseAckText, matchSmsAck, matchKeypress } = require("../build/nodes/alert/ack");
const { newCode } = require("../build/nodes/alert/alarm-state");
const { WebhookResponders } = require("../build/nodes/webhook/responders");
const { readAlertSettings } = require("../build/rules/alert-settings");
const { recipientRules } = require("../build/rules/recipient-settings");
const { toE164 } = require("../build/rules/phone-numbers");
const { gatherActionOf } = require("../build/standin/answers");

const ANN = { name: "Ann", number: "+16175551212" };
const BOB = { name: "Bob", number: "+16175551313" };
const alarm = (key, code, notified) => ({ key, code, text: key, state: "open", raisedAt: 0, repeats: 0, step: 1, notified });

describe("twilio-alert: acknowledgements, settings and the stand-in's <Gather>", function () {
    it("reads ACK and ACK <code> in any case, words after them ignored; nothing else is an ACK", function () {
        assert.deepEqual(parseAckText("ACK"), { code: undefined });
        assert.deepEqual(parseAckText("  ack 123 on my way"), { code: "123" });
        assert.deepEqual(parseAckText("Ack, on my way"), { code: undefined });
        assert.deepEqual(parseAckText("ack: 456"), { code: "456" });
        for (const body of ["acknowledged", "back", "hello ACK", "", undefined]) assert.equal(parseAckText(body), undefined, String(body));
    });

    it("acknowledges the one alarm a number was notified of, asks which one among several, refuses a stranger", function () {
        const pump = alarm("pump", "111", [ANN]);
        const tank = alarm("tank", "222", [ANN, BOB]);
        assert.deepEqual(matchSmsAck([pump, tank], BOB.number, undefined), { ok: true, alarm: tank, by: BOB });
        assert.deepEqual(matchSmsAck([pump, tank], ANN.number, undefined), { ok: false, problem: "whichOne", codes: ["111", "222"] });
        assert.deepEqual(matchSmsAck([pump, tank], ANN.number, "111"), { ok: true, alarm: pump, by: ANN });
        assert.deepEqual(matchSmsAck([pump, tank], BOB.number, "111"), { ok: false, problem: "unknownCode", codes: ["222"] });
        assert.deepEqual(matchSmsAck([pump, tank], "+16175559999", undefined), { ok: false, problem: "notNotified", codes: [] });
        assert.deepEqual(matchKeypress([pump, tank], BOB.number, "111"), { ok: false, problem: "notNotified", codes: [] });
        assert.deepEqual(matchKeypress([pump, tank], ANN.number, "111"), { ok: true, alarm: pump, by: ANN });
    });

    it("gives each open alarm of a node its own code", function () {
        const taken = new Set(["100", "101"]);
        let calls = 0;
        // a random source that offers the taken codes first
        const code = newCode(taken, () => [0, 0.001, 0.5][calls++]);
        assert.equal(code, "550");
    });

    it("the webhook's responders: the first acknowledgement wins over an earlier refusal; a failing one is passed over", async function () {
        const responders = new WebhookResponders();
        const errors = [];
        responders.add({ id: "a", respond: async () => ({ outcome: "refused", twiml: "a" }) });
        responders.add({ id: "b", respond: async () => { throw new Error("b failed"); } });
        responders.add({ id: "c", respond: async () => ({ outcome: "acknowledged", twiml: "c" }) });
        const request = { event: "incoming-message", params: {}, query: new URLSearchParams() };
        assert.deepEqual(await responders.answer(request, (err) => errors.push(err.message)), { outcome: "acknowledged", twiml: "c" });
        assert.deepEqual(errors, ["b failed"]);
        const none = new WebhookResponders();
        none.add({ id: "d", respond: async () => undefined });
        assert.equal(await none.answer(request, () => {}), undefined);
    });

    it("reads the settings as the flow holds them and names the setting that is wrong", function () {
        const rules = recipientRules({ allowedDestinations: "+1", defaultCountry: "US" });
        const t = (key, values) => `${key} ${JSON.stringify(values ?? {})}`;
        const e164 = (text, country) => {
            const number = toE164(text, country);
            return number.ok ? number.value : undefined;
        };
        const base = { account: "a", webhook: "w", from: "(500) 555-0006", contacts: [{ name: "Ann", number: "617 555 1212", sms: true, call: "true" }], ackWait: "0.5", rounds: 2, cooldown: 0 };
        const read = readAlertSettings(base, rules, t, e164);
        assert.equal(read.ok, true);
        assert.equal(read.settings.from, "+15005550006");
        assert.deepEqual(read.settings.contacts, [{ name: "Ann", number: "+16175551212", sms: true, call: true }]);
        assert.equal(read.settings.ackWaitMs, 30_000);
        assert.deepEqual(read.settings.steps.map((step) => `${step.round} ${step.channel}`), ["1 sms", "1 call", "2 sms", "2 call"]);
        const problems = [
            [{ from: "" }, "from"],
            [{ contacts: [] }, "contacts"],
            [{ contacts: "not json" }, "contacts"],
            [{ contacts: [{ name: "Ann", number: "12", sms: true }] }, "contacts", "contactNumber"],
            [{ contacts: [{ name: "Ann", number: "+4930123456", sms: true }] }, "contacts", "contactNotAllowed"],
            [{ contacts: [{ name: "Ann", number: "+16175551212" }] }, "contacts", "contactChannel"],
            [{ ackWait: 0 }, "ackWait"],
            [{ rounds: 1.5 }, "rounds"],
            [{ rounds: 11 }, "rounds"],
            [{ cooldown: -1 }, "cooldown"],
        ];
        for (const [change, setting, key = setting] of problems) {
            const result = readAlertSettings({ ...base, ...change }, rules, t, e164);
            assert.equal(result.ok, false, JSON.stringify(change));
            assert.equal(result.setting, setting, JSON.stringify(change));
            assert.match(result.problem, new RegExp(`^twilio\\.alert\\.errors\\.${key} `), JSON.stringify(change));
        }
    });

    it("the stand-in finds a <Gather>'s action, entities decoded", function () {
        const twiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" action="http://127.0.0.1:1/x?twilioAlert=n&amp;alarm=123" method="POST"><Say>a</Say></Gather></Response>';
        assert.equal(gatherActionOf(twiml), "http://127.0.0.1:1/x?twilioAlert=n&alarm=123");
        assert.equal(gatherActionOf("<Response><Say>no gather</Say></Response>"), undefined);
        assert.equal(gatherActionOf(undefined), undefined);
    });
});
