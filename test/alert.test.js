/**
 * twilio-alert through Node-RED against the stand-in, with waits of a second or so (fractional minutes): one
 * alarm per key however often it repeats; escalation by SMS then call, contact after contact, round after round,
 * then `exhausted`; acknowledgement by SMS reply, by "ACK <code>" with two alarms open, by keypress during the call;
 * refusal of a stranger's reply and of an unsigned request; clear mid-escalation; the cooldown; the account's
 * limits. What was sent is read from the stand-in's record of requests.
 */
"use strict";
const assert = require("node:assert/strict");
const { TwilioStandin, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { helper, captureLog } = require("./support/runtime");
const { NodeServer, postForm, sign, twimlOf } = require("./support/webhook");
const { useUserDir } = require("./support/outbox");
const { loadAlert, sends, sleep, ROOT, HOOK_PATH, FROM, ANN, BOB, STRANGER } = require("./support/alert");

const ACK_WAIT_MS = 0.02 * 60_000;

describe("twilio-alert: de-duplication, escalation, acknowledgement", function () {
    this.timeout(30_000);
    const standin = new TwilioStandin({ callbackDelayMs: 20 });
    const server = new NodeServer(ROOT);
    const dir = useUserDir();
    let hookUrl;

    before(async function () {
        await standin.start();
        await server.start();
        hookUrl = `${server.origin}${ROOT}${HOOK_PATH}`;
        helper.settings({ httpNodeRoot: ROOT });
    });

    after(async function () {
        await server.stop();
        await standin.stop();
    });

    beforeEach(function () {
        standin.reset();
        // useUserDir set the settings anew: the node root too, as Node-RED serves flows under it
        helper.settings({ userDir: dir.path, httpNodeRoot: ROOT });
    });

    afterEach(async function () {
        await standin.whenCallbacksSettled();
        await helper.unload();
    });

    const raise = (topic, payload = `pressure high on ${topic}`) => helper.getNode("alert").receive({ topic, payload });
    /** An SMS from `from` to the account's number, signed as Twilio signs; resolves with the TwiML answer's text. */
    async function textFrom(from, body) {
        const record = await standin.simulateIncomingMessage({ url: hookUrl, from, to: FROM, body });
        assert.equal(record.status, 200, record.body);
        return twimlOf(record).children.map((child) => child.text).join(" ");
    }

    it("sends an alarm once however often it repeats: repeats are counted as `repeated`", async function () {
        const events = await loadAlert(standin, server, { alert: { ackWait: 0.2 } });
        raise("pump-3");
        raise("pump-3", "pressure still high");
        raise("pump-3", { text: "and again" });
        await events.waitFor("notified");
        await events.waitFor("repeated", { count: 2 });
        await sleep(300);
        assert.deepEqual(events.events(), ["raised", "repeated", "repeated", "notified"]);
        const sent = sends(standin);
        assert.equal(sent.length, 1, JSON.stringify(sent));
        assert.equal(sent[0].kind, "sms");
        assert.equal(sent[0].to, ANN.number);
        assert.equal(sent[0].from, FROM);
        const raised = events.seen[0];
        assert.equal(raised.topic, "pump-3");
        assert.equal(raised.payload, "pressure high on pump-3");
        assert.match(raised.alarm.code, /^\d{3}$/);
        assert.match(sent[0].body, new RegExp(`pressure high on pump-3.*ACK ${raised.alarm.code}`));
        assert.equal(events.seen[2].alarm.repeats, 2);
        const notified = events.seen[3];
        assert.deepEqual(notified.contact, ANN);
        assert.equal(notified.channel, "sms");
        assert.match(notified.sid, /^SM[0-9a-f]{32}$/);
    });

    it("escalates SMS then call per contact, contact after contact, round after round, each after the wait; then `exhausted`", async function () {
        const events = await loadAlert(standin, server, { alert: { ackWait: 0.01 } });
        const started = Date.now();
        raise("pump-3");
        await events.waitFor("exhausted", { limitMs: 20_000 });
        const sent = sends(standin);
        assert.deepEqual(
            sent.map((one) => `${one.kind} ${one.to}`),
            [`sms ${ANN.number}`, `call ${ANN.number}`, `sms ${BOB.number}`, `sms ${ANN.number}`, `call ${ANN.number}`, `sms ${BOB.number}`],
        );
        // each step waits for the acknowledgement first (0.01 min = 600 ms; timers are never early)
        for (let i = 1; i < sent.length; i++) assert.ok(sent[i].at - sent[i - 1].at >= 550, `step ${i} came ${sent[i].at - sent[i - 1].at} ms after the one before`);
        assert.ok(Date.now() - started >= 6 * 600 - 100);
        const escalated = events.seen.filter((msg) => msg.event === "escalated");
        assert.deepEqual(
            escalated.map((msg) => `${msg.round} ${msg.channel} ${msg.contact.name}`),
            ["1 call Ann", "1 sms Bob", "2 sms Ann", "2 call Ann", "2 sms Bob"],
        );
        assert.equal(events.seen.filter((msg) => msg.event === "notified").length, 6);
        // the call says the text inside a <Gather> whose action is the webhook's URL, naming the node and the alarm
        const call = sent[1].twiml;
        assert.match(call, /^<\?xml[^>]*\?><Response><Gather numDigits="1" action="([^"]+)" method="POST"><Say>Alarm\. pressure high on pump-3\. Press 1 to acknowledge\.<\/Say><\/Gather><\/Response>$/);
        const action = new URL(/action="([^"]+)"/.exec(call)[1].replace(/&amp;/g, "&"));
        assert.equal(`${action.origin}${action.pathname}`, hookUrl);
        assert.equal(action.searchParams.get("twilioAlert"), "alert");
        assert.equal(action.searchParams.get("alarm"), events.seen[0].alarm.code);
        assert.equal(events.events().at(-1), "exhausted");
    });

    it("is acknowledged by an SMS reply ACK from the notified contact, who is answered; nothing more is sent", async function () {
        const events = await loadAlert(standin, server);
        raise("pump-3");
        await events.waitFor("notified");
        const answer = await textFrom(ANN.number, "ack");
        assert.match(answer, /^Acknowledged: pressure high on pump-3 \(alarm \d{3}\)$/);
        const acknowledged = await events.waitFor("acknowledged");
        assert.deepEqual(acknowledged.by, ANN);
        assert.equal(acknowledged.how, "sms");
        assert.equal(acknowledged.topic, "pump-3");
        await sleep(ACK_WAIT_MS * 2);
        assert.equal(sends(standin).length, 1);
        assert.deepEqual(events.events(), ["raised", "notified", "acknowledged"]);
        // the reply was the alert node's: the webhook's flow did not get it
        assert.equal(helper.getNode("alert") && (await hookEventsOf()).length, 0);
    });

    async function hookEventsOf() {
        const seen = [];
        const node = helper.getNode("hookEvents");
        const listener = (msg) => seen.push(msg);
        node.on("input", listener);
        await sleep(100);
        node.removeListener("input", listener);
        return seen;
    }

    it("with two alarms open for a contact, asks which one for a bare ACK and takes ACK <code>", async function () {
        const events = await loadAlert(standin, server, { alert: { ackWait: 0.05 } });
        raise("pump-3");
        raise("tank-1", "level low on tank-1");
        await events.waitFor("notified", { count: 2 });
        const [pump, tank] = events.seen.filter((msg) => msg.event === "raised");
        assert.notEqual(pump.alarm.code, tank.alarm.code);
        const which = await textFrom(ANN.number, "ACK");
        assert.match(which, /Several alarms are open: reply ACK and the code, one of (\d{3}), (\d{3})\./);
        assert.ok(which.includes(pump.alarm.code) && which.includes(tank.alarm.code));
        assert.equal(events.seen.filter((msg) => msg.event === "acknowledged").length, 0);
        const unknown = await textFrom(ANN.number, "ACK 1");
        assert.match(unknown, /No open alarm has that code/);
        const answer = await textFrom(ANN.number, `ACK ${tank.alarm.code} on my way`);
        assert.equal(answer, `Acknowledged: level low on tank-1 (alarm ${tank.alarm.code})`);
        const acknowledged = await events.waitFor("acknowledged");
        assert.equal(acknowledged.topic, "tank-1");
        // the other alarm goes on: Ann is called about pump-3 only
        const escalated = await events.waitFor("escalated");
        assert.equal(escalated.topic, "pump-3");
        await sleep(300);
        const calls = sends(standin).filter((one) => one.kind === "call");
        assert.equal(calls.length, 1);
        assert.match(calls[0].twiml, /pump-3/);
    });

    it("is acknowledged by pressing 1 during the alarm call (the stand-in posts the <Gather> to its action URL, signed)", async function () {
        standin.answerCalls({ digits: "1" });
        const events = await loadAlert(standin, server);
        raise("pump-3");
        const acknowledged = await events.waitFor("acknowledged");
        assert.deepEqual(acknowledged.by, ANN);
        assert.equal(acknowledged.how, "keypress");
        await standin.whenCallbacksSettled();
        const gather = standin.callbacks.find((record) => record.kind === "gather");
        assert.equal(gather.status, 200);
        assert.equal(gather.params.Digits, "1");
        assert.equal(twimlOf(gather).children[0].name, "Say");
        assert.match(twimlOf(gather).children[0].text, /^Acknowledged: pressure high on pump-3/);
        await sleep(ACK_WAIT_MS * 2);
        assert.deepEqual(sends(standin).map((one) => one.kind), ["sms", "call"]);
        assert.deepEqual(events.events(), ["raised", "notified", "escalated", "notified", "acknowledged"]);
    });

    it("is acknowledged by the second contact's SMS reply, which the stand-in sends when Bob is texted (signed, as Twilio would)", async function () {
        standin.answerMessages({ body: "Ack, on my way", url: hookUrl, to: BOB.number });
        const events = await loadAlert(standin, server, { alert: { ackWait: 0.01 } });
        raise("pump-3");
        const acknowledged = await events.waitFor("acknowledged");
        assert.deepEqual(acknowledged.by, BOB);
        assert.equal(acknowledged.how, "sms");
        await standin.whenCallbacksSettled();
        const reply = standin.callbacks.find((record) => record.kind === "incoming-message");
        assert.deepEqual([reply.params.From, reply.params.To, reply.params.Body], [BOB.number, FROM, "Ack, on my way"]);
        assert.match(twimlOf(reply).children[0].text, /^Acknowledged: pressure high on pump-3/);
        await sleep(0.01 * 60_000 * 2);
        assert.deepEqual(sends(standin).map((one) => `${one.kind} ${one.to}`), [`sms ${ANN.number}`, `call ${ANN.number}`, `sms ${BOB.number}`]);
    });

    it("refuses another key than 1, and goes on escalating", async function () {
        standin.answerCalls({ digits: "9" });
        const events = await loadAlert(standin, server, { alert: { rounds: 1 } });
        raise("pump-3");
        await events.waitFor("exhausted", { limitMs: 20_000 });
        const gather = standin.callbacks.find((record) => record.kind === "gather");
        assert.match(twimlOf(gather).children[0].text, /^Not acknowledged/);
        assert.equal(events.seen.filter((msg) => msg.event === "acknowledged").length, 0);
    });

    it("refuses a stranger's ACK with a short answer, acknowledges nothing; other texts still reach the flow", async function () {
        const events = await loadAlert(standin, server);
        raise("pump-3");
        await events.waitFor("notified");
        const answer = await textFrom(STRANGER, "ACK");
        assert.equal(answer, "There is no open alarm for this number to acknowledge.");
        // Bob has not been notified yet: his ACK is a stranger's too
        assert.equal(await textFrom(BOB.number, "ack"), "There is no open alarm for this number to acknowledge.");
        const hookEvents = [];
        helper.getNode("hookEvents").on("input", (msg) => hookEvents.push(msg));
        await standin.simulateIncomingMessage({ url: hookUrl, from: STRANGER, to: FROM, body: "hello" });
        assert.equal(hookEvents.length, 1);
        assert.equal(hookEvents[0].payload.Body, "hello");
        await events.waitFor("escalated");
        // the call's result too: one still in flight at the end would come out of the next test's node "alert"
        await events.waitFor("notified", { count: 2 });
        assert.equal(events.seen.filter((msg) => msg.event === "acknowledged").length, 0);
    });

    it("refuses an unsigned or wrongly signed ACK (403) before the alert node sees it", async function () {
        const events = await loadAlert(standin, server);
        raise("pump-3");
        await events.waitFor("notified");
        const params = { AccountSid: "AC00000000000000000000000000000001", MessageSid: "SM0123456789abcdef0123456789abcdef", From: ANN.number, To: FROM, Body: "ACK" };
        const unsigned = await postForm(hookUrl, params);
        assert.equal(unsigned.status, 403);
        const forged = await postForm(hookUrl, params, { signature: sign("not the token", hookUrl, params) });
        assert.equal(forged.status, 403);
        await events.waitFor("escalated");
        // the call's result too: one still in flight at the end would come out of the next test's node "alert"
        await events.waitFor("notified", { count: 2 });
        assert.equal(events.seen.filter((msg) => msg.event === "acknowledged").length, 0);
        // the same request signed with the account's token is taken
        const signed = await postForm(hookUrl, params, { signature: sign(STANDIN_AUTH_TOKEN, hookUrl, params) });
        assert.equal(signed.status, 200);
        assert.match(twimlOf(signed).children[0].text, /^Acknowledged/);
    });

    it("stops on clear mid-escalation and tells those notified, if set", async function () {
        const events = await loadAlert(standin, server, { alert: { notifyClear: true } });
        raise("pump-3");
        await events.waitFor("escalated");
        await events.waitFor("notified", { count: 2 });
        helper.getNode("alert").receive({ topic: "pump-3", clear: true });
        const cleared = await events.waitFor("cleared");
        assert.equal(cleared.topic, "pump-3");
        await sleep(ACK_WAIT_MS * 2);
        const sent = sends(standin);
        assert.deepEqual(sent.map((one) => `${one.kind} ${one.to}`), [`sms ${ANN.number}`, `call ${ANN.number}`, `sms ${ANN.number}`]);
        assert.match(sent[2].body, /^CLEARED: pressure high on pump-3/);
        assert.deepEqual(events.events(), ["raised", "notified", "escalated", "notified", "cleared"]);
        // payload "clear" clears too; a key that is not open is ignored
        raise("tank-1");
        await events.waitFor("notified", { count: 3 });
        helper.getNode("alert").receive({ topic: "tank-1", payload: "clear" });
        await events.waitFor("cleared", { count: 2 });
        helper.getNode("alert").receive({ topic: "nothing-open", clear: true });
        await sleep(200);
        assert.deepEqual(events.events().slice(5), ["raised", "notified", "cleared"]);
    });

    it("raises the same key again only after the cooldown", async function () {
        const events = await loadAlert(standin, server, { alert: { cooldown: 0.03, ackWait: 0.2 } });
        raise("pump-3");
        await events.waitFor("notified");
        await textFrom(ANN.number, "ACK");
        await events.waitFor("acknowledged");
        const acknowledgedAt = Date.now();
        raise("pump-3");
        const repeated = await events.waitFor("repeated");
        assert.equal(repeated.state, "cooldown");
        assert.equal(sends(standin).length, 1);
        // the cooldown (0.03 min) counts from the acknowledgement
        await sleep(acknowledgedAt + 0.03 * 60_000 + 100 - Date.now());
        raise("pump-3");
        await events.waitFor("raised", { count: 2 });
        await events.waitFor("notified", { count: 2 });
        assert.equal(sends(standin).length, 2);
    });

    it("sends through the account's limits (rate)", async function () {
        const events = await loadAlert(standin, server, { account: { rate: 2 }, alert: { ackWait: 0.2 } });
        for (const key of ["a", "b", "c", "d"]) raise(key);
        await events.waitFor("notified", { count: 4 });
        const at = sends(standin).map((one) => one.at);
        assert.equal(at.length, 4);
        // 2 per second: the fourth leaves at least 1.5 s after the first
        assert.ok(at[3] - at[0] >= 1_400, `4 sends within ${at[3] - at[0]} ms`);
    });

    it("reports a send that fails as `failed` with the error object, and goes on", async function () {
        const events = await loadAlert(standin, server, { alert: { contacts: [{ name: "Nobody", number: "+15005550001", sms: true, call: false }, { ...BOB, sms: true }], rounds: 1, ackWait: 0.01 } });
        raise("pump-3");
        const failed = await events.waitFor("failed");
        assert.equal(failed.error.type, "TwilioError");
        assert.equal(failed.error.status, 400);
        assert.equal(failed.error.code, 21211);
        assert.deepEqual(failed.contact, { name: "Nobody", number: "+15005550001" });
        await events.waitFor("exhausted");
        assert.deepEqual(sends(standin).map((one) => one.to), ["+15005550001", BOB.number]);
    });

    it("says which setting is wrong at deploy, and fails its messages with it", async function () {
        const log = captureLog();
        try {
            await loadAlert(standin, server, { alert: { contacts: [{ name: "Ann", number: "not a number", sms: true }] } });
            helper.getNode("alert").receive({ topic: "pump-3", payload: "x" });
            await sleep(200);
        } finally {
            log.stop();
        }
        const errors = log.entries.filter((entry) => entry.level === log.levels.ERROR && entry.id === "alert").map((entry) => String(entry.msg));
        const problem = 'Contact Ann: the number "not a number" is not a phone number; expected E.164 (+ and the country code) or a national number with the account\'s default country. Open the node and correct it.';
        // at deploy, then for the message (done(err), which Node-RED logs as the Error)
        assert.deepEqual(errors, [problem, `Error: ${problem}`]);
        assert.equal(sends(standin).length, 0);
    });
});
