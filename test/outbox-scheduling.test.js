/**
 * The outbox's rules of order and time, without I/O: lanes (what a lookup cannot tell apart goes one at a time),
 * the account's hold (one probe at a time), expiry, and the wall clock's steps, which are not counted as waiting.
 */
"use strict";
const assert = require("node:assert/strict");
const { Scheduler } = require("../build/outbox/scheduler");
const { WallClock, TwilioClock } = require("../build/outbox/clock");
const { laneOf } = require("../build/outbox/reconciler");
const { OPERATIONS } = require("../build/catalog/operations");

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

function entry(id, lane, extra = {}) {
    return { id, lane, created: NOW - 1_000, maxAge: HOUR, state: "waiting", busy: false, due: 0, failures: 0, ...extra };
}

describe("outbox scheduling", function () {
    describe("lanes", function () {
        it("calls to one number from one caller ID share a lane; another number or caller ID does not", function () {
            const call = (To, From) => laneOf(OPERATIONS.createCall, { To, From, Url: "http://x" });
            assert.equal(call("+16175551212", "+15005550006"), laneOf(OPERATIONS.createCall, { To: "+16175551212", From: "+15005550006", Twiml: "<Response/>" }));
            assert.notEqual(call("+16175551212", "+15005550006"), call("+16175551213", "+15005550006"));
            assert.notEqual(call("+16175551212", "+15005550006"), call("+16175551212", "+15005550007"));
        });

        it("messages share a lane only when a lookup cannot tell them apart: same text, or a Content template, to one number from one sender", function () {
            const sms = (params) => laneOf(OPERATIONS.postMessage, { To: "+16175551212", From: "+15005550006", ...params });
            assert.equal(sms({ Body: "a" }), sms({ Body: "a" }));
            assert.notEqual(sms({ Body: "a" }), sms({ Body: "b" }));
            assert.equal(sms({ ContentSid: "HX" + "0".repeat(32), ContentVariables: '{"1":"x"}' }), sms({ ContentSid: "HX" + "0".repeat(32), ContentVariables: '{"1":"y"}' }));
            assert.notEqual(sms({ Body: "a" }), sms({ Body: "a", MediaUrl: ["https://x/1.png"] }));
            assert.doesNotMatch(sms({ Body: "Pump 3 pressure high" }), /Pump/, "no text of the message in the lane");
        });

        it("while an entry of a lane may have reached Twilio (in flight or unknown), no other entry of the lane starts", function () {
            const scheduler = new Scheduler();
            const first = entry(1, "L");
            const second = entry(2, "L");
            const other = entry(3, "M");
            const { start } = scheduler.next([first, second, other], 0, 10, 1_000, NOW);
            assert.deepEqual(start.map((e) => e.id), [1, 3]);
            // the first attempt ends with an unknown outcome: the lane stays taken until it is looked up
            first.state = "unknown";
            first.lastAttempt = NOW;
            scheduler.release(first);
            scheduler.release(other);
            assert.deepEqual(scheduler.next([first, second], 0, 10, 1_000, NOW + 100).start.map((e) => e.id), [], "the lookup waits for the settle time, and the lane with it");
            assert.deepEqual(scheduler.next([first, second], 0, 10, 1_000, NOW + 10_000).start.map((e) => e.id), [1], "the lookup goes first, alone");
            first.state = "waiting";
            scheduler.forget(first);
            assert.deepEqual(scheduler.next([second], 0, 10, 1_000, NOW + 10_000).start.map((e) => e.id), [2]);
        });

        it("a new entry goes straight out only when its lane is free and the account is not held", function () {
            const scheduler = new Scheduler();
            assert.equal(scheduler.mayStartNow("L", 0, 10), true);
            scheduler.lease(entry(1, "L"));
            assert.equal(scheduler.mayStartNow("L", 1, 10), false);
            assert.equal(scheduler.mayStartNow("M", 1, 10), true);
            assert.equal(scheduler.mayStartNow("M", 10, 10), false);
            scheduler.hold("unreachable", NOW);
            assert.equal(scheduler.mayStartNow("M", 0, 10), false);
        });
    });

    describe("holds and expiry", function () {
        it("a held account starts nothing until its backoff is over, then one entry at a time finds out", function () {
            const scheduler = new Scheduler();
            const entries = [entry(1, "A"), entry(2, "B"), entry(3, "C")];
            scheduler.hold("credentials", NOW);
            const held = scheduler.next(entries, 0, 10, 1_000, NOW + 1);
            assert.deepEqual(held.start, []);
            assert.ok(held.wakeAt > NOW && held.wakeAt <= NOW + 1_000);
            assert.deepEqual(scheduler.held, { reason: "credentials", since: NOW });
            assert.deepEqual(scheduler.next(entries, 0, 10, 1_000, NOW + 60_000).start.map((e) => e.id), [1], "one probe");
            scheduler.clear();
            assert.equal(scheduler.held, undefined);
            assert.deepEqual(scheduler.next(entries, 0, 10, 1_000, NOW + 60_000).start.map((e) => e.id), [2, 3]);
        });

        it("an entry whose own lookup was refused waits on its own backoff; the others go on", function () {
            const scheduler = new Scheduler();
            const refused = entry(1, "A");
            scheduler.backOff(refused, NOW);
            const { start, wakeAt } = scheduler.next([refused, entry(2, "B")], 0, 10, 1_000, NOW + 1);
            assert.deepEqual(start.map((e) => e.id), [2]);
            assert.equal(wakeAt, refused.due);
        });

        it("an entry older than its max age expires, held account or not; one being attempted does not", function () {
            const scheduler = new Scheduler();
            const old = entry(1, "A", { created: NOW - HOUR - 1 });
            const busy = entry(2, "B", { created: NOW - HOUR - 1, busy: true });
            assert.deepEqual(scheduler.next([old, busy], 0, 10, 1_000, NOW).expire.map((e) => e.id), [1]);
            scheduler.hold("unreachable", NOW);
            assert.deepEqual(scheduler.next([old, busy], 0, 10, 1_000, NOW).expire.map((e) => e.id), [1]);
        });
    });

    describe("clocks", function () {
        it("a step of the wall clock is told apart from time passing", function () {
            let wall = NOW;
            let mono = 1_000;
            const clock = new WallClock(() => wall, () => mono);
            wall += 30_000;
            mono += 30_000;
            assert.equal(clock.step(), 0, "time passing");
            wall += 1_000 + 3 * 24 * HOUR; // NTP steps a clock that booted three days behind
            mono += 1_000;
            assert.equal(clock.step(), 3 * 24 * HOUR);
            wall -= 10 * 60_000; // and back by ten minutes
            assert.equal(clock.step(), -10 * 60_000);
            wall += 1_500; // drift within the tolerance is time
            assert.equal(clock.step(), 0);
        });

        it("Twilio's clock is read from the Date header of its answers", function () {
            const clock = new TwilioClock();
            assert.equal(clock.toTwilio(NOW), NOW, "no offset before an answer");
            clock.observe({ date: new Date(NOW - 120_000).toUTCString() }, NOW);
            assert.ok(Math.abs(clock.toTwilio(NOW) - (NOW - 120_000)) <= 1_000);
            clock.observe({ date: "not a date" }, NOW);
            assert.ok(Math.abs(clock.toTwilio(NOW) - (NOW - 120_000)) <= 1_000, "an unreadable header changes nothing");
        });
    });
});
