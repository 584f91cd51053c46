/**
 * The outbox (store and forward) inside one Node-RED: committed before sent, kept while Twilio is down, bounded,
 * expired, resumed from what an earlier run left in the file, and reconciled with Twilio before anything whose
 * outcome is unknown is sent again. Real SQLite files in a temporary user directory; the stand-in is the judge.
 */
"use strict";
const fs = require("node:fs");
const v8 = require("node:v8");
const assert = require("node:assert/strict");
const { TwilioStandin } = require("../build/standin/server");
const { restoreMessage } = require("../build/outbox/saved-message");
const { helper, captureLog, useStandin, loadNode, run, collect, standinApi } = require("./support/harness");
const { useUserDir, withStore, runningStore, seed, standinKey, waitFor } = require("./support/outbox");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };
const OUTBOX = { outbox: true, timeout: 1 };

async function creates(standin, body = SMS.Body) {
    const { body: page } = await standinApi(standin, "GET", "/Messages.json?PageSize=1000");
    return page.messages.filter((message) => message.body === body);
}

function statuses(node) {
    const seen = [];
    node.on("call:status", (call) => seen.push(call.args[0]));
    return seen;
}

describe("outbox", function () {
    this.timeout(30_000);
    const standin = useStandin();
    const dir = useUserDir();

    describe("sending", function () {
        it("commits a create to the file before it is sent, and forgets it once finished", async function () {
            let atArrival;
            standin.setFaultPolicy(() => {
                atArrival = runningStore().rowsOf(standinKey(standin));
                return undefined;
            });
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            const { port, msg } = await run({ payload: SMS, topic: "pump-3" });
            assert.equal(port, 1);
            assert.equal(msg.topic, "pump-3");
            assert.equal("reconciled" in msg, false);
            const [entry] = atArrival;
            assert.equal(entry.state, "sending", "in the file, marked as being sent, when the request arrived");
            assert.deepEqual(JSON.parse(entry.params), SMS);
            assert.equal(restoreMessage(entry.msg).topic, "pump-3");
            assert.equal((await creates(standin)).length, 1);
            await waitFor("the entry to be finished", () => (runningStore().countOpen(standinKey(standin)) === 0 ? true : undefined));
        });

        it("keeps a message while Twilio is unreachable, says so, and sends it once Twilio is back", async function () {
            await standin.stop();
            const node = await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            const seen = statuses(node);
            const output = collect(1, 20_000);
            node.receive({ payload: SMS });
            const waiting = await waitFor("the waiting status", () => seen.find((s) => /1 waiting \(Twilio unreachable since \d\d:\d\d\)/.test(s.text)));
            assert.equal(waiting.fill, "yellow");
            assert.equal(runningStore().countOpen(standinKey(standin)), 1);
            await standin.start();
            const [{ port, msg }] = await output;
            assert.equal(port, 1);
            assert.match(msg.payload.sid, /^SM/);
            assert.equal(standin.requests.length, 1, "one request reached the stand-in: the create");
            assert.equal((await creates(standin)).length, 1);
        });

        it("never stores what fails validation", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            const { port, msg } = await run({ payload: { ...SMS, To: "12" } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ValidationError");
            assert.deepEqual(runningStore().rowsOf(standinKey(standin)), []);
            assert.equal(standin.requests.length, 0);
        });

        it("answers QueueFullError at once when the outbox holds outboxMaxEntries, and sends the ones it holds once Twilio is back", async function () {
            await standin.stop();
            const node = await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { ...OUTBOX, outboxMaxEntries: 2 } });
            const refused = collect(1, 5_000);
            for (let i = 0; i < 3; i++) node.receive({ payload: { ...SMS, Body: `alarm ${i}` } });
            const [{ port, msg }] = await refused;
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "QueueFullError");
            assert.match(msg.payload.error, /holds 2 messages/);
            assert.equal(msg.parameters.Body, "alarm 2");
            assert.equal(runningStore().countOpen(standinKey(standin)), 2, "the two it took are in the file");
            const sent = collect(2, 20_000);
            await standin.start();
            const later = await sent;
            assert.deepEqual(later.map((o) => o.port), [1, 1]);
            assert.deepEqual(later.map((o) => o.msg.payload.body).sort(), ["alarm 0", "alarm 1"]);
            assert.deepEqual([(await creates(standin, "alarm 0")).length, (await creates(standin, "alarm 1")).length, (await creates(standin, "alarm 2")).length], [1, 1, 0]);
        });

        it("ends a message older than outboxMaxAge with ExpiredError, not sent although Twilio answers again before its age is checked; the file keeps nothing of it", async function () {
            const maxAgeMs = 1_800; // 0.0005 hours
            await standin.stop();
            // no repeats within an attempt: each attempt is the outbox's own, with the age checked before it
            const node = await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { ...OUTBOX, outboxMaxAge: 0.0005, maxRetries: 0 } });
            const expired = collect(1, 15_000);
            const receivedAt = Date.now();
            node.receive({ payload: SMS });
            // Twilio is down for a second, then answers: 429 (nothing created) while the message is younger than its
            // max age (and 20 ms more, for a request on its way), then normally. An outbox that let it go after that
            // would have it created.
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            const answersFrom = receivedAt + maxAgeMs + 20;
            standin.setFaultPolicy(() => (Date.now() < answersFrom ? { status: 429, code: 20429, message: "Too Many Requests" } : undefined));
            await standin.start();
            const backAt = Date.now();
            const [{ port, msg }] = await expired;
            assert.ok(Date.now() > backAt, "expired while Twilio answered");
            assert.equal(port, 2, `on output 2, not sent (got ${msg.payload.type ?? msg.payload.sid})`);
            assert.equal(msg.payload.type, "ExpiredError");
            assert.match(msg.payload.error, /was not sent/);
            assert.equal("outcome" in msg.payload, false);
            assert.equal((await creates(standin)).length, 0, "not created");
            // the outbox goes on sending at this Twilio: a new message is created
            const next = await run({ payload: { ...SMS, Body: "after the expired one" } }, 15_000);
            assert.equal(next.port, 1);
            assert.equal((await creates(standin)).length, 0, "still not created");
            // the file, once the flow has stopped: the entry expired, its message and parameters erased
            await helper.unload();
            const rows = await withStore(dir.file, (store) => store.rowsOf(standinKey(standin)));
            assert.deepEqual(rows.map((row) => [row.state, row.params, row.msg.length]), [["expired", "", 0], ["done", "", 0]]);
            for (const file of [dir.file, `${dir.file}-wal`]) {
                if (fs.existsSync(file)) assert.equal(fs.readFileSync(file).includes(SMS.Body), false, `${file} keeps no text of the expired message`);
            }
        });

        it("sends from memory, saying so, when no SQLite can open the file", async function () {
            const log = captureLog();
            process.env.TWILIO_OUTBOX_SQLITE = "none";
            try {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            } finally {
                delete process.env.TWILIO_OUTBOX_SQLITE;
                log.stop();
            }
            const account = helper.getNode("acct1");
            assert.equal(account.outbox.outbox, undefined);
            assert.ok(log.entries.some((entry) => entry.level === log.levels.ERROR && /Cannot open the outbox file .*twilio-outbox\.sqlite/.test(entry.msg)));
            const { port } = await run({ payload: SMS });
            assert.equal(port, 1);
            assert.equal((await creates(standin)).length, 1);
        });

        it("shows the file's path to the editor", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            const response = await helper.request().get("/twilio-account/outbox").expect(200);
            assert.equal(response.body.file, dir.file);
        });

        it("reconciles an attempt that got a 5xx after Twilio created the message: output 1, created once", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            standin.failNext({ status: 500, after: true });
            const { port, msg } = await run({ payload: SMS, topic: "t" }, 15_000);
            assert.equal(port, 1);
            assert.equal(msg.reconciled, true);
            assert.deepEqual(standin.requests.map((r) => `${r.method} ${r.status}`), ["POST 500", "GET 200"], "the create, then the lookup");
            const created = await creates(standin);
            assert.equal(created.length, 1);
            assert.equal(msg.payload.sid, created[0].sid);
        });
    });

    describe("after a restart", function () {
        it("resumes what an earlier run left, out of the node that sent it, with the saved message properties", async function () {
            await seed(dir.file, standin, [{ params: SMS, msg: v8.serialize({ topic: "pump-3", payload: "x", _msgid: "m1" }) }]);
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            const output = collect(1);
            const [{ port, msg }] = await output;
            assert.equal(port, 1);
            assert.equal(msg.topic, "pump-3");
            assert.match(msg.payload.sid, /^SM/);
            assert.equal((await creates(standin)).length, 1);
        });

        it("logs the result of a node that no longer exists, and completes it", async function () {
            await seed(dir.file, standin, [{ node: "gone", params: SMS }]);
            const log = captureLog();
            try {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                await waitFor("the log line", () => log.entries.find((e) => /from node gone, which no longer exists, finished: queued SM/.test(e.msg)));
            } finally {
                log.stop();
            }
            assert.equal((await creates(standin)).length, 1);
        });

        describe("reconciliation of an attempt in flight when Node-RED died", function () {
            const inFlight = (params, extra = {}) => ({
                params,
                state: "sending",
                attemptStarted: Date.now() - 5_000,
                lastAttempt: Date.now() - 5_000,
                ...extra,
            });

            it("finds the message the attempt created: output 1 with reconciled, nothing sent", async function () {
                const { body: made } = await standinApi(standin, "POST", "/Messages.json", SMS);
                await seed(dir.file, standin, [inFlight(SMS)]);
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const output = collect(1);
                const [{ port, msg }] = await output;
                assert.equal(port, 1);
                assert.equal(msg.reconciled, true);
                assert.equal(msg.payload.sid, made.sid);
                assert.equal(standin.requests.filter((r) => r.method === "POST").length, 1, "only the seeding create");
            });

            it("claimed before a crash, its result not out yet: found again with its own Sid, output 1 reconciled, nothing sent", async function () {
                const { body: made } = await standinApi(standin, "POST", "/Messages.json", SMS);
                const [id] = await seed(dir.file, standin, [inFlight(SMS)]);
                await withStore(dir.file, async (store) => assert.equal(await store.claim(id, standinKey(standin), made.sid), true));
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const output = collect(1);
                const [{ port, msg }] = await output;
                assert.equal(port, 1);
                assert.equal(msg.reconciled, true);
                assert.equal(msg.payload.sid, made.sid);
                assert.equal(standin.requests.filter((r) => r.method === "POST").length, 1, "only the seeding create");
            });

            it("same body twice to the same number: a message another entry finished with is not taken", async function () {
                // the first alarm was sent and finished (its sid is claimed); the second was in flight, not created
                const { body: first } = await standinApi(standin, "POST", "/Messages.json", SMS);
                const [firstId, secondId] = await seed(dir.file, standin, [inFlight(SMS), inFlight(SMS)]);
                await withStore(dir.file, (store) => store.finish(firstId, "done", first.sid));
                assert.ok(secondId > 0);
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const output = collect(1);
                const [{ port, msg }] = await output;
                assert.equal(port, 1);
                assert.notEqual(msg.payload.sid, first.sid);
                assert.equal("reconciled" in msg, false, "not found: sent");
                assert.equal((await creates(standin)).length, 2);
            });

            it("same body twice, both in flight and both created: each takes its own", async function () {
                const { body: a } = await standinApi(standin, "POST", "/Messages.json", SMS);
                const { body: b } = await standinApi(standin, "POST", "/Messages.json", SMS);
                await seed(dir.file, standin, [inFlight(SMS), inFlight(SMS)]);
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const output = collect(2);
                const outputs = await output;
                assert.deepEqual(outputs.map((o) => o.port), [1, 1]);
                assert.deepEqual(outputs.map((o) => o.msg.payload.sid).sort(), [a.sid, b.sid].sort());
                assert.ok(outputs.every((o) => o.msg.reconciled === true));
                assert.equal((await creates(standin)).length, 2);
            });

            it("a message created by something else (same To and From, other Body) is not taken: sent", async function () {
                await standinApi(standin, "POST", "/Messages.json", { ...SMS, Body: "someone else's text" });
                await seed(dir.file, standin, [inFlight(SMS)]);
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const output = collect(1);
                const [{ port, msg }] = await output;
                assert.equal(port, 1);
                assert.equal("reconciled" in msg, false);
                assert.equal((await creates(standin)).length, 1);
                assert.equal((await creates(standin, "someone else's text")).length, 1);
            });

            it("a message created before the attempt, beyond the clock-skew margin, is not taken: sent", async function () {
                await standinApi(standin, "POST", "/Messages.json", SMS);
                await seed(dir.file, standin, [inFlight(SMS, { attemptStarted: Date.now() + 90_000 })]);
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const output = collect(1);
                const [{ port, msg }] = await output;
                assert.equal(port, 1);
                assert.equal("reconciled" in msg, false);
                assert.equal((await creates(standin)).length, 2);
            });

            it("a calls entry is looked up by To and From", async function () {
                const CALL = { To: "+16175551212", From: "+15005550006", Url: "http://demo.twilio.com/docs/voice.xml" };
                const { body: made } = await standinApi(standin, "POST", "/Calls.json", CALL);
                await seed(dir.file, standin, [inFlight(CALL, { operation: "createCall" })]);
                await loadNode(standin, { type: "twilio-calls", operation: "createCall", account: OUTBOX });
                const output = collect(1);
                const [{ port, msg }] = await output;
                assert.equal(port, 1);
                assert.equal(msg.reconciled, true);
                assert.equal(msg.payload.sid, made.sid);
            });
        });

        it("a config node with a new id for the same account takes over what the old one left, and sends it once", async function () {
            await seed(dir.file, standin, [{ params: SMS, config: "removed-config-node" }]);
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
            const [{ port, msg }] = await collect(1);
            assert.equal(port, 1);
            assert.match(msg.payload.sid, /^SM/);
            assert.equal((await creates(standin)).length, 1);
        });

        it("entries of an account no config node names are reported at start, kept, and not sent", async function () {
            const other = "AC" + "9".repeat(32);
            await seed(dir.file, standin, [{ params: SMS, account: `${other}@api.twilio.com` }, { params: SMS, account: `${other}@api.twilio.com` }]);
            const log = captureLog();
            try {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const said = await waitFor("the report", () => log.entries.find((e) => e.msg?.includes?.(other)));
                assert.equal(said.level, log.levels.WARN);
                assert.match(said.msg, new RegExp(`holds 2 entries of the Twilio account ${other}@api\\.twilio\\.com \\(the oldest from \\d{4}-`));
            } finally {
                log.stop();
            }
            const response = await helper.request().get("/twilio-account/outbox").expect(200);
            assert.deepEqual(response.body.accounts.find((a) => a.account.startsWith(other)).open, 2);
            assert.equal(standin.requests.length, 0, "another account's entries are never sent with these credentials");
        });

        it("with the outbox unticked, what the file still holds for the account is sent first, and the log says so", async function () {
            await seed(dir.file, standin, [{ params: SMS }, { params: { ...SMS, Body: "second" } }]);
            const log = captureLog();
            let outputs;
            try {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { ...OUTBOX, outbox: false } });
                outputs = await collect(2);
                await waitFor("the log line", () => log.entries.find((e) => /The outbox is off: the 2 entries/.test(e.msg)));
            } finally {
                log.stop();
            }
            assert.deepEqual(outputs.map((o) => o.port), [1, 1]);
            assert.equal((await creates(standin)).length, 1);
            assert.equal((await creates(standin, "second")).length, 1);
            // new messages go from memory: nothing more enters the file
            const { port } = await run({ payload: { ...SMS, Body: "new" } });
            assert.equal(port, 1);
            assert.equal(runningStore().rowsOf(standinKey(standin)).length, 2);
        });

        describe("with Twilio's clock two minutes behind ours", function () {
            const behind = new TwilioStandin({ now: () => new Date(Date.now() - 120_000) });
            before(() => behind.start());
            after(() => behind.stop());

            it("finds the message the attempt created, measuring Twilio's clock from its Date header", async function () {
                const { body: made } = await standinApi(behind, "POST", "/Messages.json", SMS);
                await seed(dir.file, behind, [{ params: SMS, state: "sending", attemptStarted: Date.now() - 1_000, lastAttempt: Date.now() - 5_000 }]);
                await loadNode(behind, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const [{ port, msg }] = await collect(1);
                assert.equal(port, 1);
                assert.equal(msg.reconciled, true, "a window on our clock alone would start after Twilio's date_created, and send it again");
                assert.equal(msg.payload.sid, made.sid);
                assert.equal(behind.requests.filter((r) => r.method === "POST").length, 1, "only the seeding create");
            });
        });

        describe("with Twilio's clock behind ours", function () {
            const skewed = new TwilioStandin({ now: () => new Date(Date.now() - 40_000) });
            before(() => skewed.start());
            after(() => skewed.stop());

            it("still finds the message the attempt created 40 s 'earlier' by Twilio's clock", async function () {
                const { body: made } = await standinApi(skewed, "POST", "/Messages.json", SMS);
                await seed(dir.file, skewed, [{ params: SMS, state: "sending", attemptStarted: Date.now() - 1_000, lastAttempt: Date.now() - 5_000 }]);
                await loadNode(skewed, { type: "twilio-messages", operation: "postMessage", account: OUTBOX });
                const output = collect(1);
                const [{ port, msg }] = await output;
                assert.equal(port, 1);
                assert.equal(msg.reconciled, true);
                assert.equal(msg.payload.sid, made.sid);
            });
        });
    });

    describe("the file, as a result is handed on", function () {
        const nextTurns = (n) => (n === 0 ? Promise.resolve() : new Promise((resolve) => setImmediate(() => resolve(nextTurns(n - 1)))));
        const stateOf = (store, id) => store.rowsOf(standinKey(standin)).find((row) => row.id === id)?.state;

        it("keeps a finished entry open through a commit in the same turn: Node-RED delivers the result a turn later, and a crash before then puts it out again", async function () {
            const [id] = await seed(dir.file, standin, [{ params: SMS, state: "sending", attemptStarted: Date.now(), lastAttempt: Date.now() }]);
            await withStore(dir.file, async (store) => {
                store.finish(id, "done", "SM00000000000000000000000000000001");
                // an urgent commit (another alarm) in the next turn, as the result is still on its way to the next node
                await store.insert({ account: standinKey(standin), config: "acct1", node: "twilio1", operation: "postMessage", params: SMS, msg: Buffer.from("{}"), bytes: 2, created: Date.now(), maxAge: 3_600_000, state: "waiting" });
                assert.equal(stateOf(store, id), "sending", "not committed with the urgent write");
                await nextTurns(2);
                store.flush();
                assert.equal(stateOf(store, id), "done", "committed two turns later");
            });
        });

        it("keeps a claimed entry open, with its Sid, until it is finished: a crash before its result is out finds it again", async function () {
            const [id, other] = await seed(dir.file, standin, [
                { params: SMS, state: "sending", attemptStarted: Date.now(), lastAttempt: Date.now() },
                { params: SMS, state: "sending", attemptStarted: Date.now(), lastAttempt: Date.now() },
            ]);
            const sid = "SM00000000000000000000000000000002";
            await withStore(dir.file, async (store) => {
                assert.equal(await store.claim(id, standinKey(standin), sid), true);
                const row = store.rowsOf(standinKey(standin)).find((r) => r.id === id);
                assert.deepEqual([row.state, row.sid], ["sending", sid], "claimed, still open");
                assert.equal(await store.claim(other, standinKey(standin), sid), false, "no other entry can take the Sid");
                assert.equal(await store.claim(id, standinKey(standin), sid), true, "the entry itself can, after a restart");
            });
        });
    });
});
