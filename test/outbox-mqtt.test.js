/**
 * The whole alarm path with a real broker: the "MQTT alarm to SMS" example in a Node-RED child process, Debian's
 * Mosquitto (apt-get install mosquitto) started by the test on 127.0.0.1 with its own config, a device publishing
 * alarms with QoS 1 while Node-RED keeps a persistent session, and Node-RED killed (SIGKILL) and restarted while
 * alarms arrive. The stand-in counts what was created.
 *
 * The window this measures: core's mqtt in node (MQTT.js) sends PUBACK as soon as the message event returns, before
 * the message has passed the template and reached the outbox; a kill in between loses that alarm (the broker
 * holds only what was not acknowledged). Nothing is sent twice: what the outbox committed is sent exactly once.
 */
"use strict";
const assert = require("node:assert/strict");
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { prepareUserDir, startNodeRed, kill } = require("./support/node-red-process");
const { OutboxStore } = require("../build/runtime/outbox/store");
const { OUTBOX_FILE } = require("../build/runtime/outbox/outbox");

const mqtt = require(require.resolve("mqtt", { paths: [path.dirname(require.resolve("@node-red/nodes/package.json"))] }));
const EXAMPLE = path.join(__dirname, "..", "examples", "MQTT alarm to SMS.json");
const ALARMS = 300;
const KILLS = 5;
/** 20 alarms a second: a busy site. Faster than the disk commits, the window grows with the backlog (README). */
const INTERVAL_MS = 50;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function mosquittoBinary() {
    for (const candidate of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]) if (fs.existsSync(candidate)) return candidate;
    try {
        return execFileSync("sh", ["-c", "command -v mosquitto"]).toString().trim();
    } catch {
        throw new Error("mosquitto is not installed: apt-get install -y mosquitto (.ci/run does)");
    }
}

/** Listens on port 0 to learn a free port for mosquitto (which cannot report the port it chose). */
function freePort() {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

describe("MQTT alarm to SMS with Mosquitto, through kill -9 of Node-RED", function () {
    this.timeout(240_000);
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

    it(`${ALARMS} alarms with QoS 1 to a persistent session through ${KILLS} kills: none sent twice, the window measured`, async function () {
        const outputsFile = path.join(dir, "outputs.log");
        // an example is imported into a tab: its flow nodes get one here
        const flows = [{ id: "alarms", type: "tab", label: "alarms" }, ...JSON.parse(fs.readFileSync(EXAMPLE, "utf8"))];
        let accountId;
        for (const n of flows) {
            if (!["tab", "mqtt-broker", "twilio-account"].includes(n.type)) n.z = "alarms";
            if (n.type === "mqtt-broker") Object.assign(n, { broker: "127.0.0.1", port: String(broker.port) });
            if (n.type === "twilio-account") Object.assign(n, { apiBaseUrl: standin.url, timeout: 2 }, (accountId = n.id) && {});
            if (n.type === "debug") {
                // the example's debug nodes become a record of each output
                const port = n.name && /error/i.test(n.name) ? 2 : 1;
                Object.assign(n, { type: "function", outputs: 0, func: `global.get("fs").appendFileSync(${JSON.stringify(outputsFile)}, "${port} " + (msg.payload.body || (msg.parameters && msg.parameters.Body)) + "\\n"); return null;` });
            }
        }
        assert.ok(flows.find((n) => n.type === "twilio-account").outbox, "the example keeps unsent messages on disk");
        const userDir = path.join(dir, "user");
        prepareUserDir(userDir, { flows, credentials: { [accountId]: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } } });
        const start = async () => {
            node = startNodeRed(userDir);
            await node.ready;
        };
        await start();
        // the session exists at the broker once Node-RED has subscribed
        await sleep(1000);

        device = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: "device-1", clean: true });
        await new Promise((resolve, reject) => device.once("connect", resolve).once("error", reject));
        const killAt = new Set(Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * ALARMS) / (KILLS + 1))));
        let kills = 0;
        for (let i = 0; i < ALARMS; i++) {
            const message = `alarm-${String(i).padStart(4, "0")}`;
            // resolves on the broker's PUBACK: the broker has it
            await device.publishAsync(`alarms/dev-${i % 7}`, JSON.stringify({ device: `dev-${i % 7}`, message, value: i }), { qos: 1 });
            await sleep(INTERVAL_MS);
            if (killAt.has(i)) {
                await kill(node);
                kills++;
                await sleep(200); // alarms keep coming while it is down: the broker keeps them for the session
                const restarting = start();
                for (let j = 0; j < 3 && i + 1 < ALARMS; j++) {
                    i++;
                    await device.publishAsync(`alarms/dev-${i % 7}`, JSON.stringify({ device: `dev-${i % 7}`, message: `alarm-${String(i).padStart(4, "0")}`, value: i }), { qos: 1 });
                }
                await restarting;
            }
        }
        const bodies = Array.from({ length: ALARMS }, (_, i) => `alarm-${String(i).padStart(4, "0")}`);
        // the example sends each alarm to every on-call number of its To list: one SMS per alarm and number
        const recipients = flows.find((n) => n.type === "twilio-messages").To.split(",").length;
        const counts = () => {
            const byAlarm = new Map();
            for (const m of standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.values()) {
                const alarm = /alarm-\d{4}/.exec(m.body)?.[0];
                const byNumber = byAlarm.get(alarm) ?? new Map();
                byNumber.set(m.to, (byNumber.get(m.to) ?? 0) + 1);
                byAlarm.set(alarm, byNumber);
            }
            return byAlarm;
        };
        // everything Node-RED took in is through when its outbox is empty (read while it runs: WAL has room for a reader)
        const open = () => {
            const store = new OutboxStore(path.join(userDir, OUTBOX_FILE));
            try {
                return store.countOpen(accountId);
            } finally {
                store.close();
            }
        };
        const deadline = Date.now() + 60_000;
        while ((open() > 0 || counts().size === 0) && Date.now() < deadline) await sleep(250);
        if (!fs.existsSync(outputsFile)) throw new Error(`no outputs; stand-in saw ${standin.requests.length} requests; Node-RED said:\n${node.output}\nbroker:${broker.output}`);
        const byAlarm = counts();
        const twice = bodies.filter((b) => [...(byAlarm.get(b)?.values() ?? [])].some((count) => count > 1));
        // an alarm counts as lost when one of its SMS is missing (each recipient is an outbox entry of its own)
        const lost = bodies.filter((b) => (byAlarm.get(b)?.size ?? 0) < recipients);
        const outputs = fs.readFileSync(outputsFile, "utf8").trim().split("\n");
        console.log(`      mqtt run: ${JSON.stringify({ alarms: ALARMS, kills, recipients, created: [...byAlarm.values()].reduce((sum, byNumber) => sum + [...byNumber.values()].reduce((a, b) => a + b, 0), 0), twice: twice.length, lostInWindow: lost.length, lost, outputs: outputs.length })}`);
        assert.deepEqual(twice, [], "sent twice");
        assert.equal(kills, KILLS);
        // every alarm that was created has its result out
        const out = new Set(outputs.map((line) => /alarm-\d{4}/.exec(line)?.[0]));
        assert.deepEqual([...byAlarm.keys()].filter((b) => !out.has(b)), []);
        // a loss can only come from a kill: at most the messages in Node-RED's hands at that moment
        assert.ok(lost.length <= kills * 20, `${lost.length} lost in ${kills} kills`);
    });
});
