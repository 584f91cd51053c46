/**
 * The whole alarm path with a real broker: the "MQTT alarm to SMS" example in a Node-RED child process (the
 * Node-RED of NODE_RED_RUNTIME), Debian's Mosquitto (apt-get install mosquitto) started by the test on 127.0.0.1
 * with its own config, a device publishing alarms with QoS 1 while Node-RED keeps a persistent session, and
 * Node-RED killed (SIGKILL) and restarted while alarms arrive. The stand-in (Twilio) creates every message and
 * answers half of the creates late, so that at each kill entries wait in the outbox and creates are on the wire.
 *
 * What it holds the package to: every alarm the broker acknowledged to the device is created once for each
 * on-call number, with its result out, when each kill comes INTERVAL_MS after the latest alarm. The window it
 * leaves out: core's mqtt in node (MQTT.js) sends PUBACK as soon as the message event returns, before the
 * message has passed the template and reached the outbox; a kill inside that window (a few milliseconds: two
 * hops of Node-RED's message passing and one commit) loses what is in it, since the broker holds only what was
 * not acknowledged. A store that commits later than INTERVAL_MS after an alarm arrives turns this test red.
 */
"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { waitUntil } = require("./support/wait");
const { mosquittoBinary, freePort } = require("./support/mosquitto");
const { prepareUserDir, startNodeRed, kill, outboxSummary, RUNTIME } = require("./support/node-red-process");
const { SqliteOutboxStore } = require("../build/outbox/sqlite-store");
const { accountKey, OPEN_STATES } = require("../build/outbox/store");
const { OUTBOX_FILE } = require("../build/nodes/account/outbox");

const mqtt = require(require.resolve("mqtt", { paths: [path.dirname(require.resolve("@node-red/nodes/package.json"))] }));
const EXAMPLE = path.join(__dirname, "..", "examples", "MQTT alarm to SMS.json");
const ALARMS = 300;
const KILLS = 5;
/** 20 alarms a second, and each kill this long after the latest alarm reached the broker. */
const INTERVAL_MS = 50;
/** Alarms published while Node-RED is down, at each kill: the broker keeps them for the session. */
const WHILE_DOWN = 3;
const PROBE = "probe";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (min, max) => min + Math.random() * (max - min);
const alarmName = (i) => `alarm-${String(i).padStart(4, "0")}`;




describe("MQTT alarm to SMS with Mosquitto, through kill -9 of Node-RED", function () {
    this.timeout(300_000);
    let dir;
    let broker;
    let node;
    let device;
    const standin = new TwilioStandin();

    before(async function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-mqtt-"));
        const port = await freePort();
        fs.writeFileSync(path.join(dir, "mosquitto.conf"), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 10000\n`);
        broker = spawn(mosquittoBinary(), ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "pipe", "pipe"] });
        broker.port = port;
        broker.output = "";
        broker.stdout.on("data", (c) => (broker.output += c));
        broker.stderr.on("data", (c) => (broker.output += c));
        await standin.start();
    });
    after(async () => {
        device?.end(true);
        if (node) await kill(node);
        broker?.kill("SIGTERM");
        await standin.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it(`${ALARMS} alarms with QoS 1 to a persistent session through ${KILLS} kills, each ${INTERVAL_MS} ms after the latest alarm: none lost, none twice, every result out`, async function () {
        const started = Date.now();
        const outputsFile = path.join(dir, "outputs.log");
        // an example is imported into a tab: its flow nodes get one here
        const flows = [{ id: "alarms", type: "tab", label: "alarms" }, ...JSON.parse(fs.readFileSync(EXAMPLE, "utf8"))];
        let accountId;
        for (const n of flows) {
            if (!["tab", "mqtt-broker", "twilio-account"].includes(n.type)) n.z = "alarms";
            if (n.type === "mqtt-broker") Object.assign(n, { broker: "127.0.0.1", port: String(broker.port) });
            if (n.type === "twilio-account") {
                Object.assign(n, { apiBaseUrl: standin.url, timeout: 2 });
                accountId = n.id;
            }
            if (n.type === "debug") {
                // the example's debug nodes become a record of each output
                const port = n.name && /not sent|error/i.test(n.name) ? 2 : 1;
                const record = port === 1
                    ? "{ port: 1, sid: msg.payload.sid, body: msg.payload.body, to: msg.payload.to, reconciled: msg.reconciled === true, at: Date.now() }"
                    : "{ port: 2, error: msg.payload.type, body: msg.parameters && msg.parameters.Body, to: msg.parameters && msg.parameters.To, at: Date.now() }";
                Object.assign(n, { type: "function", outputs: 0, func: `global.get("fs").appendFileSync(${JSON.stringify(outputsFile)}, JSON.stringify(${record}) + "\\n"); return null;` });
            }
        }
        assert.equal(flows.find((n) => n.type === "mqtt-broker").cleansession, false, "the example keeps its session at the broker");
        assert.ok(flows.find((n) => n.type === "twilio-account").outbox, "the example keeps unsent messages on disk");
        const userDir = path.join(dir, "user");
        const file = path.join(userDir, OUTBOX_FILE);
        const key = accountKey(STANDIN_ACCOUNT_SID, standin.url);
        prepareUserDir(userDir, { flows, credentials: { [accountId]: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } } });
        const start = async () => {
            node = startNodeRed(userDir);
            await node.ready;
        };
        // Twilio creates each message; half of the creates are answered 0.2-0.8 s late, so entries wait at each kill
        standin.setFaultPolicy((request) => (request.method === "POST" && Math.random() < 0.5 ? { delayMs: Math.round(random(200, 800)), after: true } : undefined));
        const messages = () => [...standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.values()];
        // the example sends each alarm to every on-call number of its To list: one SMS per alarm and number
        const recipients = flows.find((n) => n.type === "twilio-messages").To.split(",").length;
        await start();

        device = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: "device-1", clean: true });
        await new Promise((resolve, reject) => device.once("connect", resolve).once("error", reject));
        const publish = (i, topic = `alarms/dev-${i % 7}`) =>
            // resolves on the broker's PUBACK: the broker has it
            device.publishAsync(topic, JSON.stringify({ device: `dev-${i % 7}`, message: alarmName(i), value: i }), { qos: 1 });

        // Node-RED's subscription (and with it the session the broker keeps while it is down) is in place once a
        // retained probe, delivered to it on subscribing, has come through the flow as an SMS to each number
        await device.publishAsync(`alarms/${PROBE}`, JSON.stringify({ device: PROBE, message: PROBE, value: 0 }), { qos: 1, retain: true });
        await waitUntil("the probe alarm's SMS", () => messages().filter((m) => m.body.includes(`ALARM ${PROBE}`)).length === recipients, { events: [[standin, "answered"]] });
        await device.publishAsync(`alarms/${PROBE}`, "", { qos: 1, retain: true }); // no longer retained

        const killAt = new Set(Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * ALARMS) / (KILLS + 1))));
        let kills = 0;
        const openAtKills = [];
        for (let i = 0; i < ALARMS; i++) {
            await publish(i);
            await sleep(INTERVAL_MS);
            if (killAt.has(i)) {
                // INTERVAL_MS after the latest alarm reached the broker
                await kill(node);
                node = undefined;
                kills++;
                // what the outbox held at the kill: Node-RED is dead, the file can be opened
                const store = new SqliteOutboxStore(file);
                try {
                    openAtKills.push(store.rowsOf(key).filter((row) => OPEN_STATES.includes(row.state)).length);
                } finally {
                    store.close();
                }
                // alarms keep coming while it is down: the broker keeps them for the session
                for (let j = 0; j < WHILE_DOWN && i + 1 < ALARMS; j++) await publish(++i);
                await start();
            }
        }
        standin.setFaultPolicy(undefined);

        const bodies = Array.from({ length: ALARMS }, (_, i) => alarmName(i));
        const alarmMessages = () => messages().filter((m) => /alarm-\d{4}/.test(m.body));
        // through: every SMS of every alarm created, and for 2 s the outbox empty, nothing new at the stand-in
        let quiet = { since: 0, requests: -1 };
        let settled = true;
        try {
            await waitUntil(
                "every alarm's SMS, and for 2 s the outbox empty and no request to Twilio",
                async () => {
                    const now = { requests: standin.requests.length };
                    const open = (await outboxSummary(node)).accounts.find((a) => a.account === key)?.open ?? 0;
                    if (alarmMessages().length < ALARMS * recipients || open !== 0 || now.requests !== quiet.requests) {
                        quiet = { since: Date.now(), ...now };
                        return false;
                    }
                    return Date.now() - quiet.since >= 2_000;
                },
                { events: [[standin, "answered"]], everyMs: 500, limitMs: 90_000 },
            );
        } catch {
            settled = false; // the assertions below say what is missing
        }
        await kill(node);
        node = undefined;
        const store = new SqliteOutboxStore(file);
        let left;
        try {
            left = store.rowsOf(key).filter((row) => OPEN_STATES.includes(row.state));
        } finally {
            store.close();
        }

        const byAlarm = new Map();
        for (const m of alarmMessages()) {
            const alarm = /alarm-\d{4}/.exec(m.body)[0];
            const byNumber = byAlarm.get(alarm) ?? new Map();
            byNumber.set(m.to, (byNumber.get(m.to) ?? 0) + 1);
            byAlarm.set(alarm, byNumber);
        }
        const twice = bodies.filter((b) => [...(byAlarm.get(b)?.values() ?? [])].some((count) => count > 1));
        // an alarm counts as lost when one of its SMS is missing (each recipient is an outbox entry of its own)
        const lost = bodies.filter((b) => (byAlarm.get(b)?.size ?? 0) < recipients);
        const outputs = fs.readFileSync(outputsFile, "utf8").trim().split("\n").map((line) => JSON.parse(line)).filter((out) => /alarm-\d{4}/.test(out.body));
        const resultsOf = new Map();
        for (const out of outputs) {
            const sms = `${/alarm-\d{4}/.exec(out.body)[0]} ${out.to}`;
            resultsOf.set(sms, [...(resultsOf.get(sms) ?? []), out]);
        }
        const figures = {
            runtime: `node-red ${RUNTIME.version} on ${RUNTIME.node}`,
            alarms: ALARMS,
            kills,
            recipients,
            created: alarmMessages().length,
            twice: twice.length,
            lost: lost.length,
            outputs: outputs.length,
            onOutput2: outputs.filter((out) => out.port === 2).length,
            repeated: outputs.length - resultsOf.size,
            reconciled: outputs.filter((out) => out.reconciled).length,
            openAtKills,
            lookups: standin.requests.filter((r) => r.method === "GET").length,
            seconds: Math.round((Date.now() - started) / 1000),
        };
        console.log(`      mqtt run: ${JSON.stringify(figures)}`);

        assert.equal(kills, KILLS);
        assert.deepEqual(lost, [], "lost");
        assert.deepEqual(twice, [], "sent twice");
        assert.equal(figures.created, ALARMS * recipients);
        assert.equal(figures.onOutput2, 0, "every result on output 1");
        assert.deepEqual(alarmMessages().filter((m) => !resultsOf.has(`${/alarm-\d{4}/.exec(m.body)[0]} ${m.to}`)).map((m) => `${m.body} to ${m.to}`), [], "every SMS's result out");
        // a result is put out again only when a kill came between putting it out and the file forgetting the entry:
        // then it is looked up and found (reconciled), never sent again
        assert.deepEqual([...resultsOf].filter(([, outs]) => outs.slice(1).some((out) => !out.reconciled)).map(([sms]) => sms), [], "a repeated result is reconciled");
        assert.deepEqual(left.map((row) => row.id), [], "nothing open in the file at the end");
        assert.ok(settled, "through within 90 s: the outbox empty and quiet");
        assert.ok(openAtKills.every((n) => n > 0), `every kill came while entries were open in the outbox (${openAtKills})`);
    });
});
