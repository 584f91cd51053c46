/**
 * `npm start` (scripts/start.js) as a user meets it: a child process with Node-RED, the example flows and the
 * local stand-in, in a fresh user directory; once with no MQTT broker where the MQTT example looks for one, once
 * with Debian's Mosquitto there (apt-get install mosquitto; .ci/run installs it). Needs `npm run build` first (the
 * script loads nodes/ and build/).
 */
"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const { EventEmitter } = require("node:events");
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server.js");
const { probeMqttBroker } = require("../scripts/start.js");
const { startMosquitto, freePort } = require("./support/mosquitto");

// Node-RED's own dependencies: the editor's websocket client and core's MQTT client
const nodeRedModule = (name, owner) => require(require.resolve(name, { paths: [path.dirname(require.resolve(`${owner}/package.json`))] }));
const WebSocket = nodeRedModule("ws", "@node-red/editor-api");
const mqtt = nodeRedModule("mqtt", "@node-red/nodes");

const ROOT = path.join(__dirname, "..");
const EXAMPLES_DIR = path.join(ROOT, "examples");
const TWILIO_NODE_TYPES = ["twilio-calls", "twilio-messages", "twilio-media", "twilio-webhook", "twilio-alert"];
/** The operations that create something at Twilio: what the outbox keeps until Twilio has it. */
const CREATES = ["postMessage", "createCall"];
const START_LIMIT_MS = 30_000;
const EXIT_LIMIT_MS = 10_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns something other than undefined, or fails with `what` after `limitMs`.
 * An error with `fatal` set ends the wait at once.
 */
async function waitFor(what, limitMs, probe) {
    const deadline = Date.now() + limitMs;
    let lastError;
    while (Date.now() < deadline) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
            lastError = undefined;
        } catch (err) {
            if (err.fatal) throw err;
            lastError = err;
        }
        await sleep(200);
    }
    throw new Error(`timed out after ${limitMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ""}`);
}

function readExamples() {
    return fs
        .readdirSync(EXAMPLES_DIR)
        .filter((file) => file.endsWith(".json"))
        .sort()
        .map((file) => ({ file, nodes: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8")) }));
}

/** Node-RED's credential file format: {"$": <32 hex digits of IV><base64 of aes-256-ctr(JSON)>}, key sha256(secret). */
function decryptCredentials(file, secret) {
    const encrypted = JSON.parse(fs.readFileSync(file, "utf8")).$;
    const key = crypto.createHash("sha256").update(secret).digest();
    const iv = Buffer.from(encrypted.slice(0, 32), "hex");
    const decipher = crypto.createDecipheriv("aes-256-ctr", key, iv);
    return JSON.parse(decipher.update(encrypted.slice(32), "base64", "utf8") + decipher.final("utf8"));
}

/**
 * Resolves with what `check` returns once that is not undefined, checked now and on every `event` of `emitter`;
 * fails with `what` after `limitMs`, or at once when `check` throws.
 */
function when(what, limitMs, emitter, event, check) {
    return new Promise((resolve, reject) => {
        const done = (err, value) => {
            clearTimeout(timer);
            emitter.off(event, onEvent);
            if (err) reject(err);
            else resolve(value);
        };
        const onEvent = () => {
            let value;
            try {
                value = check();
            } catch (err) {
                return done(err);
            }
            if (value !== undefined) done(undefined, value);
        };
        const timer = setTimeout(() => done(new Error(`timed out after ${limitMs} ms waiting for ${what}`)), limitMs);
        emitter.on(event, onEvent);
        onEvent();
    });
}

/**
 * scripts/start.js as a child process on free ports (the editor's and the stand-in's), with `userDir` and `env`;
 * resolves once it has printed the editor's URL, which it does when the flows run.
 */
async function startScript(userDir, env = {}) {
    const childEnv = { ...process.env, PORT: "0", TWILIO_STANDIN_PORT: "0", NODE_RED_USER_DIR: userDir, ...env };
    // real credentials in the developer's shell would point the script at real Twilio
    delete childEnv.TWILIO_ACCOUNT_SID;
    delete childEnv.TWILIO_AUTH_TOKEN;
    delete childEnv.TWILIO_API_BASE_URL;
    delete childEnv.TWILIO_WEBHOOK_BASE_URL;
    const child = spawn(process.execPath, [path.join(ROOT, "scripts", "start.js")], { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    const run = { child, output: "", exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))) };
    // one event for both streams, after the text is in run.output
    const printed = new EventEmitter();
    for (const stream of [child.stdout, child.stderr]) {
        stream.on("data", (chunk) => {
            run.output += chunk;
            printed.emit("text");
        });
    }
    child.once("exit", () => printed.emit("text"));
    /** Resolves with the match of `pattern` in what the script printed; fails if it exits first. */
    run.printed = (what, pattern, limitMs = START_LIMIT_MS) =>
        when(what, limitMs, printed, "text", () => {
            const match = pattern.exec(run.output);
            if (match) return match;
            if (child.exitCode !== null || child.signalCode !== null) throw new Error(`start.js exited (${child.exitCode ?? child.signalCode}) before ${what}`);
            return undefined;
        }).catch((err) => {
            err.message += `\n--- start.js output ---\n${run.output}`;
            throw err;
        });
    /** Stops it as Ctrl-C in a terminal would (SIGTERM) and resolves with how it exited. */
    run.stop = async (signal = "SIGTERM") => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        let timer;
        const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve({ timedOut: EXIT_LIMIT_MS }), EXIT_LIMIT_MS)));
        const result = await Promise.race([run.exited, timedOut]);
        clearTimeout(timer);
        return result;
    };
    const [, editor, standin] = await run.printed(
        "start.js to print the editor's URL",
        /Node-RED editor: (http:\/\/127\.0\.0\.1:\d+)\/ - Twilio nodes use the local Twilio stand-in at (http:\/\/127\.0\.0\.1:\d+)/,
    );
    return Object.assign(run, { editor, standin });
}

/** Kills what `startScript` started, if it still runs (for after hooks). */
async function killScript(run) {
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill("SIGKILL");
        await run.exited;
    }
}

/**
 * The editor's websocket (/comms), as the debug sidebar gets what debug nodes show: `events` collects each
 * {id, name, msg, ...} (msg is text: JSON for objects).
 */
async function debugSidebar(editor) {
    const ws = new WebSocket(`${editor.replace(/^http/, "ws")}/comms`);
    const events = [];
    const received = new EventEmitter();
    ws.on("message", (data) => {
        for (const { topic, data: event } of JSON.parse(data)) {
            if (topic !== "debug") continue;
            events.push(event);
            received.emit("debug");
        }
    });
    // without adminAuth a connection gets every message from the moment it is open (editor-api's comms.js)
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    ws.send(JSON.stringify({ subscribe: "debug" }));
    return {
        events,
        /** Resolves with the events that `filter` keeps once there are at least `count` of them. */
        waitFor(what, count, filter, limitMs = 15_000) {
            return when(what, limitMs, received, "debug", () => {
                const kept = events.filter(filter);
                return kept.length >= count ? kept : undefined;
            });
        },
        close: () => ws.close(),
    };
}

/** A debug event's msg as an object (complete "payload" or "true" debug nodes show JSON). */
function shown(event) {
    return JSON.parse(event.msg);
}

/** Every message the stand-in holds, newest first, as its Messages list answers. */
async function standinMessages(standin) {
    const authorization = `Basic ${Buffer.from(`${STANDIN_ACCOUNT_SID}:${STANDIN_AUTH_TOKEN}`).toString("base64")}`;
    const response = await fetch(`${standin}/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json?PageSize=1000`, { headers: { Authorization: authorization } });
    assert.equal(response.status, 200);
    return (await response.json()).messages;
}

/** The ids of the debug nodes `from` reaches through `wires` (every node after it, any output). */
function debugNodesAfter(nodes, ids) {
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const found = new Set();
    const seen = new Set();
    const queue = [...ids];
    while (queue.length > 0) {
        const id = queue.shift();
        if (seen.has(id)) continue;
        seen.add(id);
        const node = byId.get(id);
        if (!node) continue;
        if (node.type === "debug") found.add(id);
        for (const output of node.wires ?? []) queue.push(...output);
    }
    return found;
}

describe("npm start (scripts/start.js)", function () {
    this.timeout(START_LIMIT_MS + 15_000);

    const examples = readExamples();
    let run;
    let userDir;
    let editor;
    let standin;
    let brokerPort;

    before(async function () {
        userDir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-start-test-"));
        // a port where no broker answers, whatever runs on this machine's 1883
        brokerPort = await freePort();
        run = await startScript(userDir, { MQTT_BROKER_PORT: String(brokerPort) });
        ({ editor, standin } = run);
        // until the admin API answers with the first start's deployment
        await waitFor("GET /flows to list the deployed examples", START_LIMIT_MS, async () => {
            if (run.child.exitCode !== null) throw Object.assign(new Error(`start.js exited with ${run.child.exitCode}`), { fatal: true });
            const response = await fetch(`${editor}/flows`);
            if (!response.ok) return undefined;
            const flows = await response.json();
            return flows.length > 0 ? flows : undefined;
        }).catch((err) => {
            err.message += `\n--- start.js output ---\n${run.output}`;
            throw err;
        });
    });

    after(async function () {
        await killScript(run);
        if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    });

    async function getFlows() {
        const response = await fetch(`${editor}/flows`);
        assert.equal(response.status, 200);
        return response.json();
    }

    it("the example files agree on the config nodes they share, and every create goes through an account with the outbox on", function () {
        // npm start deploys one copy of a shared config node, and an import keeps whichever it meets first
        const copies = new Map();
        for (const { file, nodes } of examples) {
            for (const node of nodes.filter((n) => !("wires" in n) && !("z" in n) && !("x" in n))) {
                const first = copies.get(node.id);
                if (first) assert.deepEqual(node, first.node, `${file} and ${first.file}: copies of ${node.type} ${node.id}`);
                else copies.set(node.id, { file, node });
            }
            const accounts = new Map(nodes.filter((n) => n.type === "twilio-account").map((n) => [n.id, n]));
            for (const account of accounts.values()) {
                assert.equal(account.outbox, true, `${file}: account "${account.name}" keeps unsent messages on disk`);
            }
            const creates = nodes.filter((n) => CREATES.includes(n.operation));
            for (const node of creates) {
                assert.equal(accounts.get(node.account)?.outbox, true, `${file}: "${node.name}" (${node.operation}) sends through an account with the outbox on`);
            }
        }
        assert.ok(examples.some(({ nodes }) => nodes.some((n) => CREATES.includes(n.operation))), "some example sends");
    });

    it("deploys one tab per example file, with every Twilio node of that file on it", async function () {
        const flows = await getFlows();
        const tabs = flows.filter((node) => node.type === "tab");
        assert.equal(tabs.length, examples.length, `tabs: ${tabs.map((tab) => tab.label).join(", ")}`);
        assert.equal(new Set(tabs.map((tab) => tab.label)).size, tabs.length, "tab labels are distinct");
        const deployed = new Map(flows.map((node) => [node.id, node]));
        const tabIds = new Set(tabs.map((tab) => tab.id));
        for (const { file, nodes } of examples) {
            const twilioNodes = nodes.filter((node) => TWILIO_NODE_TYPES.includes(node.type));
            assert.ok(twilioNodes.length > 0, `${file} has Twilio nodes`);
            const homes = new Set();
            for (const node of twilioNodes) {
                const found = deployed.get(node.id);
                assert.ok(found, `${file}: ${node.type} "${node.name}" (${node.id}) is deployed`);
                assert.equal(found.type, node.type);
                assert.equal(found.operation, node.operation);
                assert.ok(tabIds.has(found.z), `${file}: "${node.name}" sits on one of the tabs`);
                homes.add(found.z);
            }
            assert.equal(homes.size, 1, `${file}: its nodes share one tab`);
        }
        // the account all examples share is deployed once, with references instead of values, its outbox on
        const accounts = flows.filter((node) => node.type === "twilio-account");
        assert.equal(accounts.length, 1);
        assert.equal(accounts[0].apiBaseUrl, "${TWILIO_API_BASE_URL}");
        assert.equal(accounts[0].outbox, true);
        // the MQTT example's broker: its port and whether it connects are settled by each start
        const brokers = flows.filter((node) => node.type === "mqtt-broker");
        assert.equal(brokers.length, 1);
        assert.deepEqual(
            { broker: brokers[0].broker, port: brokers[0].port, autoConnect: brokers[0].autoConnect },
            { broker: "localhost", port: "${MQTT_BROKER_PORT}", autoConnect: "${EXAMPLE_MQTT_CONNECT}" },
        );
    });

    it("the deployed account keeps unsent messages on disk: its outbox file is open in the user directory", async function () {
        // where the account dialog learns it
        const response = await fetch(`${editor}/twilio-account/outbox`);
        assert.equal(response.status, 200);
        const { file } = await response.json();
        assert.equal(path.dirname(file), userDir);
        assert.ok(fs.existsSync(file), `${file} exists`);
        assert.doesNotMatch(run.output, /Cannot open the outbox file/);
    });

    it("keeps only encrypted ${...} references in flows_cred.json, never the token", function () {
        const file = path.join(userDir, "flows_cred.json");
        const text = fs.readFileSync(file, "utf8");
        assert.ok(!text.includes(STANDIN_AUTH_TOKEN), "the stand-in's auth token is not in the file in clear");
        assert.ok(!text.includes(STANDIN_ACCOUNT_SID), "the stand-in's account SID is not in the file in clear");
        assert.ok(!text.includes("TWILIO_AUTH_TOKEN"), "the file is encrypted");
        const { _credentialSecret: secret } = JSON.parse(fs.readFileSync(path.join(userDir, ".config.runtime.json"), "utf8"));
        assert.equal(typeof secret, "string", "Node-RED generated the key (no credentialSecret was set)");
        const credentials = decryptCredentials(file, secret);
        const [accountId] = Object.keys(credentials);
        assert.deepEqual(credentials, {
            [accountId]: { accountSid: "${TWILIO_ACCOUNT_SID}", authToken: "${TWILIO_AUTH_TOKEN}" },
        });
    });

    it("says in one line that no MQTT broker answers, and how to get one; the broker node does not try", async function () {
        // printed after the editor's URL
        await run.printed("the line about the MQTT broker", /MQTT broker answers.*\n/);
        const lines = run.output.split("\n").filter((line) => /MQTT broker/.test(line));
        assert.deepEqual(lines, [
            `No MQTT broker answers on localhost:${brokerPort}: the "Local MQTT broker" node of the MQTT example stays disconnected (its inject simulates an alarm). For real alarms start one there (e.g. apt-get install mosquitto) and restart npm start.`,
        ]);
        // core's broker node logs each failed attempt ("Connection failed to broker: ...")
        assert.doesNotMatch(run.output, /Connection failed to broker/);
    });

    it('sends the SMS of "Send an SMS" to the stand-in', async function () {
        const { nodes } = examples.find(({ file }) => file === "Messages.json");
        const inject = nodes.find((node) => node.type === "inject" && node.name === "Send an SMS");
        assert.ok(inject, 'Messages.json has the "Send an SMS" inject node');
        const { To, Body } = JSON.parse(inject.payload);

        const response = await fetch(`${editor}/inject/${inject.id}`, { method: "POST" });
        assert.equal(response.status, 200);

        const authorization = `Basic ${Buffer.from(`${STANDIN_ACCOUNT_SID}:${STANDIN_AUTH_TOKEN}`).toString("base64")}`;
        const url = `${standin}/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`;
        const message = await waitFor(`the stand-in to hold a message to ${To}`, 10_000, async () => {
            const list = await fetch(url, { headers: { Authorization: authorization } });
            assert.equal(list.status, 200);
            const { messages } = await list.json();
            return messages.find((m) => m.to === To) ?? undefined;
        });
        assert.equal(message.body, Body);
        assert.equal(message.from, JSON.parse(inject.payload).From);
        assert.match(message.sid, /^SM[0-9a-f]{32}$/);
    });

    it('"Reply ACK to an alarm SMS": its webhook serves /api/twilio/sms at the local URL and replies to the stand-in\'s ACK', async function () {
        const flows = await getFlows();
        const webhook = flows.find((node) => node.type === "twilio-webhook");
        assert.ok(webhook, "the example's webhook node is deployed");
        assert.equal(webhook.publicBaseUrl, "${TWILIO_WEBHOOK_BASE_URL}", "a reference, set by each start");
        // as the example's "Simulate the on-call's reply ACK" inject does: the stand-in texts the webhook, signed
        const response = await fetch(`${standin}/standin/incoming-message`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ Url: `${editor}/api/twilio/sms`, From: "+16175551212", To: "+15005550006", Body: "ack" }),
        });
        assert.equal(response.status, 200);
        const exchange = await response.json();
        assert.equal(exchange.status, 200, `the webhook accepted the stand-in's signature: ${JSON.stringify(exchange)}`);
        assert.equal(exchange.body, '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Alarm acknowledged, thank you.</Message></Response>');
    });

    it("every inject that leads to a create gets its answer through the outbox: output 1, or output 2 for the number the stand-in refuses", async function () {
        this.timeout(120_000);
        const sidebar = await debugSidebar(editor);
        try {
            let tried = 0;
            for (const { file, nodes } of examples) {
                const byId = new Map(nodes.map((node) => [node.id, node]));
                for (const inject of nodes.filter((node) => node.type === "inject")) {
                    // the create an inject leads to, through nodes that are not Twilio's
                    let create;
                    const queue = [...inject.wires.flat()];
                    while (queue.length > 0 && !create) {
                        const node = byId.get(queue.shift());
                        if (CREATES.includes(node.operation)) create = node;
                        else if (!TWILIO_NODE_TYPES.includes(node.type)) queue.push(...node.wires.flat());
                    }
                    if (!create) continue;
                    tried++;
                    const success = debugNodesAfter(nodes, create.wires[0]);
                    const failure = new Set(create.wires[1].filter((id) => byId.get(id).type === "debug"));
                    const payload = inject.payloadType === "json" ? JSON.parse(inject.payload) : {};
                    // the stand-in, like Twilio, refuses this magic number with 21211
                    const refused = payload.To === "+15005550001";
                    // one answer per recipient: the create node's To list, else the payload's one To
                    const recipients = (create.To || payload.To).split(",").length;
                    const from = sidebar.events.length;
                    const response = await fetch(`${editor}/inject/${inject.id}`, { method: "POST" });
                    assert.equal(response.status, 200);
                    const answers = await sidebar.waitFor(
                        `${file}: "${inject.name}" to reach a debug node after "${create.name}"`,
                        refused ? 1 : recipients,
                        (event) => sidebar.events.indexOf(event) >= from && (success.has(event.id) || failure.has(event.id)),
                    );
                    const where = answers.map((event) => (failure.has(event.id) ? `output 2: ${event.msg}` : "output 1"));
                    if (refused) assert.match(where[0], /^output 2: .*21211/, `${file}: "${inject.name}"`);
                    else assert.deepEqual(where, answers.map(() => "output 1"), `${file}: "${inject.name}"`);
                }
            }
            assert.ok(tried >= 5, `${tried} injects lead to a create`);
        } finally {
            sidebar.close();
        }
    });

    it('"Pump alarm with escalation": the SMS, then the call, which the stand-in answers by pressing 1: acknowledged', async function () {
        this.timeout(90_000);
        const { nodes } = examples.find(({ file }) => file === "Pump alarm with escalation.json");
        const raise = nodes.find((node) => node.type === "inject" && node.payload !== "clear");
        const alert = nodes.find((node) => node.type === "twilio-alert");
        const events = debugNodesAfter(nodes, alert.wires[0]);
        const sidebar = await debugSidebar(editor);
        try {
            const response = await fetch(`${editor}/inject/${raise.id}`, { method: "POST" });
            assert.equal(response.status, 200);
            const waitMs = alert.ackWait * 60_000 + 20_000;
            const shownEvents = await sidebar.waitFor("the alarm to be acknowledged", 5, (event) => events.has(event.id), waitMs);
            const seen = shownEvents.map((event) => shown(event));
            assert.deepEqual(
                seen.map((msg) => `${msg.event}${msg.channel ? ` ${msg.channel}` : ""}`),
                ["raised", "notified sms", "escalated call", "notified call", "acknowledged"],
            );
            assert.equal(seen[4].how, "keypress");
            assert.deepEqual(seen[4].by, { name: alert.contacts[0].name, number: alert.contacts[0].number });
        } finally {
            sidebar.close();
        }
    });

    it("stops on SIGTERM with exit code 0", async function () {
        assert.deepEqual(await run.stop("SIGTERM"), { code: 0, signal: null }, `start.js output:\n${run.output}`);
    });
});

describe("npm start with an MQTT broker on localhost (Debian's Mosquitto)", function () {
    this.timeout(START_LIMIT_MS + 15_000);

    const example = readExamples().find(({ file }) => file === "MQTT alarm to SMS.json").nodes;
    const subscriber = example.find((node) => node.type === "mqtt in");
    const create = example.find((node) => node.type === "twilio-messages");
    const broker = example.find((node) => node.type === "mqtt-broker");
    const sent = new Set(create.wires[0]);
    const notSent = new Set(create.wires[1]);
    // the create node's To, "(617) 555-1212, (617) 555-1213", in E.164 by the account's default country (US)
    const ON_CALL = ["+16175551212", "+16175551213"];
    // what Node-RED's session at the broker holds: mosquitto logs "<client id> <qos> <topic>" as it subscribes it
    const subscribed = new RegExp(`: ${broker.clientid} ${subscriber.qos} ${subscriber.topic.replace(/[#+/]/g, "\\$&")}$`);
    let dir;
    let mosquitto;
    let run;
    let device;

    before(async function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-start-mqtt-"));
        mosquitto = await startMosquitto(dir);
        device = mqtt.connect(`mqtt://127.0.0.1:${mosquitto.port}`, { clientId: "start-test-device", clean: true });
        await new Promise((resolve, reject) => device.once("connect", resolve).once("error", reject));
    });

    after(async function () {
        device?.end(true);
        await killScript(run);
        await mosquitto?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /**
     * Publishes an alarm as a device would (QoS 1: resolves on the broker's PUBACK) on the example's topic, and
     * resolves with the results the example's "sent" and "not sent" debug nodes show for it, once one per on-call
     * number is there.
     */
    async function raiseAlarm(alarm) {
        const sidebar = await debugSidebar(run.editor);
        try {
            const text = `ALARM ${alarm.device}: ${alarm.message} (value ${alarm.value})`;
            // any "not sent" is a failure of this alarm: nothing else is sent meanwhile
            const forThisAlarm = (event) => (sent.has(event.id) && event.msg.includes(text)) || notSent.has(event.id);
            await device.publishAsync(`alarms/${alarm.device}`, JSON.stringify(alarm), { qos: 1 });
            const results = await sidebar.waitFor(`the results of "${text}"`, ON_CALL.length, forThisAlarm);
            return { text, results };
        } finally {
            sidebar.close();
        }
    }

    /**
     * Asserts that the stand-in of this start holds exactly the example's SMS for `text`, one per on-call number,
     * and nothing else (no earlier alarm again), with the Sids the results carry.
     */
    async function assertSmsCreated(text, results) {
        assert.deepEqual(results.map((event) => (sent.has(event.id) ? "sent" : `not sent: ${event.msg}`)), ON_CALL.map(() => "sent"));
        const messages = await standinMessages(run.standin);
        assert.deepEqual(
            messages.map((message) => ({ body: message.body, from: message.from, to: message.to })).sort((a, b) => a.to.localeCompare(b.to)),
            ON_CALL.map((to) => ({ body: text, from: create.From, to })),
            "every message the stand-in holds",
        );
        assert.deepEqual(messages.map((message) => message.sid).sort(), results.map((event) => shown(event).sid).sort(), "the Sids on output 1");
    }

    it("connects the example's broker node when a broker answers at start, and says so", async function () {
        run = await startScript(path.join(dir, "user"), { MQTT_BROKER_PORT: String(mosquitto.port) });
        const [line] = await run.printed("the line about the MQTT broker", /^.*MQTT broker answers.*$/m);
        assert.equal(line, `An MQTT broker answers on localhost:${mosquitto.port}: the "${broker.name}" node of the MQTT example connects to it.`);
        // Node-RED's subscription is in place at the broker: a published alarm is routed to it
        await mosquitto.waitFor("Node-RED to subscribe to the example's topic", subscribed);
    });

    it("an alarm published to the broker reaches the stand-in as the example's SMS, one to each on-call number", async function () {
        const { text, results } = await raiseAlarm({ device: "boiler-1", message: "flame out", value: 3 });
        await assertSmsCreated(text, results);
    });

    it("a later start (the saved flows) asks again, connects again, and the next alarm is sent", async function () {
        assert.deepEqual(await run.stop("SIGTERM"), { code: 0, signal: null }, `start.js output:\n${run.output}`);
        run = await startScript(path.join(dir, "user"), { MQTT_BROKER_PORT: String(mosquitto.port) });
        const [line] = await run.printed("the line about the MQTT broker", /^.*MQTT broker answers.*$/m);
        assert.match(line, new RegExp(`^An MQTT broker answers on localhost:${mosquitto.port}:`));
        assert.doesNotMatch(run.output, /First start/);
        await mosquitto.waitFor("Node-RED to subscribe again", subscribed, 2);
        const { text, results } = await raiseAlarm({ device: "boiler-2", message: "pressure low", value: 0.4 });
        await assertSmsCreated(text, results);
        assert.deepEqual(await run.stop("SIGTERM"), { code: 0, signal: null }, `start.js output:\n${run.output}`);
    });
});

describe("npm start's MQTT broker probe", function () {
    this.timeout(30_000);
    let dir;
    const brokers = [];

    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-start-probe-"));
    });

    after(async function () {
        for (const broker of brokers) await broker.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a broker that accepts an anonymous CONNECT: accepted", async function () {
        const broker = await startMosquitto(fs.mkdtempSync(path.join(dir, "open-")));
        brokers.push(broker);
        assert.deepEqual(await probeMqttBroker("localhost", broker.port, 5_000), { answer: "accepted" });
        // it said goodbye with DISCONNECT, as a well-behaved client does
        await broker.waitFor("the probe's DISCONNECT", /Client node-red-twilio-probe-\d+ disconnected\.$/);
    });

    it("a broker that wants a user name: refused, with the CONNACK's return code", async function () {
        const broker = await startMosquitto(fs.mkdtempSync(path.join(dir, "closed-")), { anonymous: false });
        brokers.push(broker);
        assert.deepEqual(await probeMqttBroker("localhost", broker.port, 5_000), { answer: "refused", code: 5 });
    });

    it("nothing listening, or something that is not MQTT: none", async function () {
        assert.deepEqual(await probeMqttBroker("localhost", await freePort(), 5_000), { answer: "none" });
        // an HTTP server answers 400 to the CONNECT; a silent listener answers nothing within the limit
        const web = http.createServer((request, response) => response.end("hello"));
        // reads what comes (so that it sees the probe hang up), says nothing
        const silent = net.createServer((socket) => socket.resume());
        try {
            for (const server of [web, silent]) await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
            assert.deepEqual(await probeMqttBroker("localhost", web.address().port, 5_000), { answer: "none" });
            const started = Date.now();
            assert.deepEqual(await probeMqttBroker("localhost", silent.address().port, 300), { answer: "none" });
            assert.ok(Date.now() - started < 5_000, "the limit ends the wait");
        } finally {
            web.closeAllConnections();
            for (const server of [web, silent]) await new Promise((resolve) => server.close(resolve));
        }
    });
});
