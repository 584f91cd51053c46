/**
 * twilio-alert across restarts: open alarms and their due steps are kept in the outbox's SQLite file. Flows stopped
 * and started in-process, a real Node-RED stopped (SIGTERM) and started again, and one killed (kill -9) right after
 * a step: each time the step that fell due while it was down is taken at once, and nothing already sent is sent
 * again (the stand-in's record of requests is the judge).
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { helper } = require("./support/runtime");
const { NodeServer } = require("./support/webhook");
const { useUserDir, withStore } = require("./support/outbox");
const { alertNode, loadAlert, sends, sleep, ROOT, FROM, ANN, BOB } = require("./support/alert");
const { prepareUserDir, startNodeRed, stop, kill } = require("./support/node-red-process");
const { waitUntil } = require("./support/wait");

describe("twilio-alert: a restart mid-escalation resumes it without sending anything twice", function () {
    this.timeout(90_000);
    const standin = new TwilioStandin({ callbackDelayMs: 20 });
    const server = new NodeServer(ROOT);
    const dir = useUserDir();

    before(async function () {
        await standin.start();
        await server.start();
    });

    after(async function () {
        await server.stop();
        await standin.stop();
    });

    beforeEach(function () {
        standin.reset();
        helper.settings({ userDir: dir.path, httpNodeRoot: ROOT });
    });

    afterEach(async function () {
        await standin.whenCallbacksSettled();
        await helper.unload();
    });

    it("flows stopped and started: the step due meanwhile is taken at once, the first is not sent again", async function () {
        let events = await loadAlert(standin, server, { alert: { ackWait: 0.02 } });
        helper.getNode("alert").receive({ topic: "pump-3", payload: "pressure high" });
        const raised = await events.waitFor("raised");
        await events.waitFor("notified");
        await helper.unload();
        // down for longer than the wait: the call to Ann fell due meanwhile
        await sleep(0.02 * 60_000 + 300);
        assert.equal(sends(standin).length, 1);
        const restarted = Date.now();
        events = await loadAlert(standin, server, { alert: { ackWait: 0.02 } });
        const escalated = await events.waitFor("escalated");
        assert.ok(Date.now() - restarted < 1_000, `the due step came ${Date.now() - restarted} ms after the start`);
        assert.equal(escalated.alarm.code, raised.alarm.code);
        assert.equal(escalated.channel, "call");
        // a repeat of the key after the restart is a repeat of the same alarm
        helper.getNode("alert").receive({ topic: "pump-3", payload: "pressure high" });
        assert.equal((await events.waitFor("repeated")).alarm.code, raised.alarm.code);
        await events.waitFor("notified");
        await events.waitFor("escalated", { count: 2 });
        await events.waitFor("notified", { count: 2 });
        assert.deepEqual(sends(standin).map((one) => `${one.kind} ${one.to}`), [`sms ${ANN.number}`, `call ${ANN.number}`, `sms ${BOB.number}`]);
        // acknowledged after the restart by the contact notified before it
        const answer = await standin.simulateIncomingMessage({ url: `${server.origin}${ROOT}/twilio/alarm`, from: ANN.number, to: FROM, body: "ACK" });
        assert.match(answer.body, /Acknowledged: pressure high/);
        await events.waitFor("acknowledged");
    });

    it("without the outbox, keeps its alarms in memory: flows stopped and started in the same process resume them", async function () {
        let events = await loadAlert(standin, server, { account: { outbox: false }, alert: { ackWait: 0.02 } });
        helper.getNode("alert").receive({ topic: "pump-3", payload: "pressure high" });
        await events.waitFor("notified");
        await helper.unload();
        assert.equal(fs.existsSync(dir.file), false, "no outbox file is made");
        events = await loadAlert(standin, server, { account: { outbox: false }, alert: { ackWait: 0.02 } });
        await events.waitFor("escalated");
        await events.waitFor("notified");
        assert.deepEqual(sends(standin).map((one) => `${one.kind} ${one.to}`), [`sms ${ANN.number}`, `call ${ANN.number}`]);
        // removed: its alarms are forgotten, also in memory
        await helper.getNode("alert").close(true);
        await helper.unload();
        events = await loadAlert(standin, server, { account: { outbox: false }, alert: { ackWait: 0.02 } });
        await sleep(0.02 * 60_000 + 300);
        assert.deepEqual(events.events(), []);
        assert.equal(sends(standin).length, 2);
    });

    it("keeps alarms in the outbox file, one row per alarm; a node removed from the flow forgets its alarms", async function () {
        const events = await loadAlert(standin, server, { alert: { ackWait: 0.2 } });
        helper.getNode("alert").receive({ topic: "pump-3", payload: "pressure high" });
        await events.waitFor("notified");
        await helper.unload();
        await withStore(dir.file, async (store) => {
            const alarms = await store.alarmsOf("alert");
            assert.equal(alarms.length, 1);
            const alarm = JSON.parse(alarms[0].data);
            assert.equal(alarm.key, "pump-3");
            assert.equal(alarm.step, 1);
            assert.deepEqual(alarm.notified, [ANN]);
            // no credentials in the file's alarms
            assert.ok(!alarms[0].data.includes(STANDIN_AUTH_TOKEN));
        });
        await loadAlert(standin, server, { alert: { ackWait: 0.2 } });
        // as a deploy without the node closes it: removed
        await helper.getNode("alert").close(true);
        await helper.unload();
        await withStore(dir.file, async (store) => assert.deepEqual(await store.alarmsOf("alert"), []));
    });
});

describe("the alarm store in the outbox file", function () {
    let dir;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-alarms-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("opens a file an earlier version wrote (entries, no alarms table), keeps its entries and adds the table", async function () {
        const file = path.join(dir, "twilio-outbox.sqlite");
        const { openDatabase } = require("../build/outbox/sqlite");
        const db = openDatabase(file);
        db.exec(`CREATE TABLE entries (id INTEGER PRIMARY KEY, account TEXT, config TEXT NOT NULL, node TEXT NOT NULL, operation TEXT NOT NULL,
            params TEXT NOT NULL, msg BLOB NOT NULL, bytes INTEGER NOT NULL, created INTEGER NOT NULL, max_age INTEGER NOT NULL, state TEXT NOT NULL,
            attempt_started INTEGER, last_attempt INTEGER, sid TEXT, finished INTEGER)`);
        db.prepare("INSERT INTO entries (account, config, node, operation, params, msg, bytes, created, max_age, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .run("AC1@api.twilio.com", "acct", "n1", "postMessage", "{}", Buffer.from("{}"), 4, Date.now(), 3_600_000, "waiting");
        db.close();
        await withStore(file, async (store) => {
            assert.equal(store.countOpen("AC1@api.twilio.com"), 1);
            await store.putAlarm({ node: "alert", key: "b", data: '{"n":1}' });
            await store.putAlarm({ node: "alert", key: "a", data: '{"n":2}' });
            await store.putAlarm({ node: "alert", key: "b", data: '{"n":3}' });
            await store.putAlarm({ node: "other", key: "a", data: "{}" });
            // in the order first written, an update keeping its place
            assert.deepEqual(await store.alarmsOf("alert"), [
                { node: "alert", key: "b", data: '{"n":3}' },
                { node: "alert", key: "a", data: '{"n":2}' },
            ]);
            await store.deleteAlarms("alert", "b");
            assert.deepEqual((await store.alarmsOf("alert")).map((row) => row.key), ["a"]);
            await store.deleteAlarms("alert");
            assert.deepEqual(await store.alarmsOf("alert"), []);
            assert.equal((await store.alarmsOf("other")).length, 1);
        });
        // and again after a close: durable
        await withStore(file, async (store) => assert.equal((await store.alarmsOf("other")).length, 1));
    });
});

describe("twilio-alert in a real Node-RED: stopped or killed mid-escalation, restarted", function () {
    this.timeout(120_000);
    const standin = new TwilioStandin({ callbackDelayMs: 20 });
    let userDir;
    let node;
    const ACK_WAIT_MIN = 0.05;

    before(() => standin.start());
    after(() => standin.stop());
    beforeEach(function () {
        standin.reset();
        userDir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-alert-"));
    });
    afterEach(async function () {
        if (node) await kill(node);
        node = undefined;
        fs.rmSync(userDir, { recursive: true, force: true });
    });

    /** The flow: an inject that raises the alarm once at start (again after a restart: a repeat), the account with its outbox, the webhook and the alert node. */
    function flows() {
        return [
            { id: "tab1", type: "tab", label: "alarms" },
            { id: "acct", type: "twilio-account", apiBaseUrl: standin.url, timeout: 5, outbox: true },
            { id: "raise", z: "tab1", type: "inject", props: [{ p: "payload" }, { p: "topic", vt: "str" }], topic: "pump-3", payload: "pressure high", payloadType: "str", once: true, onceDelay: 0.1, wires: [["alert"]] },
            { id: "hook", z: "tab1", type: "twilio-webhook", account: "acct", path: "/twilio/alarm", publicBaseUrl: "http://127.0.0.1:1880", validate: true, wires: [[]] },
            alertNode({ ackWait: ACK_WAIT_MIN, rounds: 1, cooldown: 1, wires: [["log"]] }),
            { id: "log", z: "tab1", type: "debug", active: true, tosidebar: false, console: true, complete: "event", targetType: "msg", wires: [] },
        ];
    }

    async function start() {
        node = startNodeRed(userDir);
        await node.ready;
        return node;
    }

    for (const how of ["stop", "kill"]) {
        it(`${how === "stop" ? "stopped (SIGTERM)" : "killed (kill -9)"} after the first step: the next is taken at once on restart, the first never again`, async function () {
            prepareUserDir(userDir, { flows: flows(), credentials: { acct: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } } });
            await start();
            await waitUntil("the first SMS", () => sends(standin).length === 1, { events: [[standin, "answered"]], everyMs: 50, limitMs: 20_000 });
            const first = sends(standin)[0];
            if (how === "stop") await stop(node);
            else {
                // right after the step's send was answered: its entry and the alarm are on disk
                await sleep(50);
                await kill(node);
            }
            // the call falls due while Node-RED is down
            const due = first.at + ACK_WAIT_MIN * 60_000;
            await sleep(Math.max(0, due - Date.now()) + 500);
            assert.equal(sends(standin).length, 1);
            const restarted = Date.now();
            await start();
            await waitUntil("the call", () => sends(standin).length >= 2, { events: [[standin, "answered"]], everyMs: 50, limitMs: 20_000 });
            assert.ok(Date.now() - restarted < 15_000);
            await waitUntil("Bob's SMS", () => sends(standin).length >= 3, { events: [[standin, "answered"]], everyMs: 100, limitMs: 30_000 });
            await sleep(500);
            assert.deepEqual(sends(standin).map((one) => `${one.kind} ${one.to}`), [`sms ${ANN.number}`, `call ${ANN.number}`, `sms ${BOB.number}`]);
            // the inject raised pump-3 again at the restart: counted as a repeat of the open alarm, nothing sent
            assert.match(node.output, /repeated/);
            assert.doesNotMatch(node.output, /\[error\]/);
        });
    }
});
