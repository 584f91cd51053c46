#!/usr/bin/env node
/**
 * `npm start`: a Node-RED 4 with this package's nodes and its example flows, ready to click, in one process.
 *
 * Without Twilio credentials in the environment the flows talk to the package's local stand-in of Twilio's
 * API, so that nothing costs money and nothing needs an account. With TWILIO_ACCOUNT_SID and
 * TWILIO_AUTH_TOKEN set they talk to Twilio itself.
 *
 * Environment:
 *   PORT                  the editor's port on 127.0.0.1 (default 1880; 0 = any free port)
 *   NODE_RED_USER_DIR     Node-RED's user directory (default <repo>/.node-red, git-ignored)
 *   TWILIO_ACCOUNT_SID,   both set: use real Twilio
 *   TWILIO_AUTH_TOKEN
 *   TWILIO_API_BASE_URL   with real credentials: another API origin (blank = https://api.twilio.com)
 *   TWILIO_STANDIN_PORT   the stand-in's port (default 1882; 0 = any free port)
 *   TWILIO_WEBHOOK_BASE_URL  the public base URL of the example's twilio-webhook node: where Twilio reaches this
 *                         Node-RED (default http://127.0.0.1:<PORT>, which the stand-in reaches; for real Twilio
 *                         a public URL, e.g. of a tunnel)
 *   MQTT_BROKER_PORT      the port on localhost of the MQTT broker the "MQTT alarm to SMS" example connects to
 *                         (default 1883)
 *
 * The MQTT example's broker node connects only when a broker answered on localhost:MQTT_BROKER_PORT as this
 * script started (an MQTT CONNECT that a CONNACK accepted); otherwise it stays disconnected, and the script says
 * so and how to get one. Each start asks again: its answer is EXAMPLE_MQTT_CONNECT ("true" or "false"), which
 * this script sets and the deployed broker node refers to.
 *
 * `npm start` builds first; run `npm run build` before starting this file on its own.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const { isDeepStrictEqual } = require("node:util");
const { createServer, whenFlowsSettled } = require("./embedded-node-red");

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES_DIR = path.join(ROOT, "examples");
const HOST = "127.0.0.1";
const ACCOUNT_NODE_TYPE = "twilio-account";
const WEBHOOK_NODE_TYPE = "twilio-webhook";
const MQTT_BROKER_NODE_TYPE = "mqtt-broker";
/** Where the MQTT example looks for its broker, as the example file says: this machine. */
const MQTT_HOST = "localhost";
/** What the deployed example's broker node holds instead of values; each start sets both variables. */
const MQTT_PORT_REFERENCE = "${MQTT_BROKER_PORT}";
const MQTT_CONNECT_REFERENCE = "${EXAMPLE_MQTT_CONNECT}";
/** How long the broker probe may take: a refused connection answers at once, this bounds a silent listener. */
const MQTT_PROBE_LIMIT_MS = 2_000;

/** A port from the environment: a whole number `min`-65535, else the default. */
function portFrom(name, fallback, min = 0) {
    const text = process.env[name];
    if (text === undefined || text.trim() === "") return fallback;
    const port = Number(text);
    if (!Number.isInteger(port) || port < min || port > 65535) {
        // a mistake of the caller: reported without a stack trace
        throw Object.assign(new Error(`${name} must be a port number (${min}-65535), not "${text}"`), { expected: true });
    }
    return port;
}

/**
 * Decides which Twilio the flows use and publishes it in process.env, where Node-RED resolves the
 * ${TWILIO_...} references of the deployed account node: this process runs Node-RED, so no child needs it.
 */
async function chooseTwilio() {
    const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token } = process.env;
    if (sid && token) {
        // a variable that is undefined would stay as the literal "${TWILIO_API_BASE_URL}" in the flow:
        // define it, blank meaning Twilio's own https://api.twilio.com
        if (process.env.TWILIO_API_BASE_URL === undefined) process.env.TWILIO_API_BASE_URL = "";
        return { standin: undefined, description: describeRealTwilio(sid, process.env.TWILIO_API_BASE_URL) };
    }
    if (sid || token) {
        // half a pair cannot authenticate anywhere; say so instead of failing on the first request
        console.warn("Only one of TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN is set: using the local stand-in instead.");
    }
    // required only here: build/ exists after the build, and real-Twilio runs do not need the stand-in
    const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server.js");
    // receipts half a second apart: queued, sent and delivered arrive in the debug sidebar one after another
    const standin = new TwilioStandin({ host: HOST, port: portFrom("TWILIO_STANDIN_PORT", 1882), callbackDelayMs: 500 });
    // whoever the "Pump alarm with escalation" example calls presses 1: its alarm is acknowledged on the call
    standin.answerCalls({ digits: "1", delayMs: 2_000 });
    const url = await standin.start();
    process.env.TWILIO_ACCOUNT_SID = STANDIN_ACCOUNT_SID;
    process.env.TWILIO_AUTH_TOKEN = STANDIN_AUTH_TOKEN;
    process.env.TWILIO_API_BASE_URL = url;
    return { standin, description: `the local Twilio stand-in at ${url} (test data only, nothing is sent)` };
}

/**
 * The public base URL of the examples' webhook nodes, published in process.env like the account's settings:
 * Twilio signs the URL it calls, and the local stand-in calls this Node-RED itself. Set before the flows start,
 * as a later start runs the saved flows before this process listens.
 */
function chooseWebhookBase(port) {
    if (!process.env.TWILIO_WEBHOOK_BASE_URL) process.env.TWILIO_WEBHOOK_BASE_URL = `http://${HOST}:${port}`;
    return process.env.TWILIO_WEBHOOK_BASE_URL;
}

/**
 * Whether an MQTT broker answers on host:port, asked as the example's broker node would ask: an MQTT 3.1.1
 * CONNECT with a clean session and no user name. Resolves with "accepted" (a CONNACK with return code 0),
 * "refused" (a CONNACK with another code, e.g. 5 when the broker wants a user name; `code` says which) or "none"
 * (nothing listens there, or what listens answers no CONNACK within `limitMs`).
 */
function probeMqttBroker(host, port, limitMs) {
    const clientId = Buffer.from(`node-red-twilio-probe-${process.pid}`);
    // variable header: protocol name "MQTT", level 4 (3.1.1), flags 0x02 (clean session), keep-alive 10 s
    const body = Buffer.concat([
        Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a, clientId.length >> 8, clientId.length & 0xff]),
        clientId,
    ]);
    // fixed header: CONNECT and the remaining length, one byte as the body is under 128 bytes
    const connect = Buffer.concat([Buffer.from([0x10, body.length]), body]);
    const DISCONNECT = Buffer.from([0xe0, 0x00]);
    return new Promise((resolve) => {
        let received = Buffer.alloc(0);
        let done = false;
        const socket = net.connect({ host, port });
        const timer = setTimeout(() => finish({ answer: "none" }), limitMs);
        function finish(result, goodbye) {
            if (done) return;
            done = true;
            clearTimeout(timer);
            // an accepted probe says goodbye as a client should; anything else is just cut
            if (goodbye) socket.end(goodbye);
            else socket.destroy();
            resolve(result);
        }
        socket.once("connect", () => socket.write(connect));
        socket.on("data", (chunk) => {
            received = Buffer.concat([received, chunk]);
            if (received.length < 4) return;
            // CONNACK: 0x20, remaining length 2, session-present flags, return code
            if (received[0] !== 0x20 || received[1] !== 0x02) return finish({ answer: "none" });
            const code = received[3];
            if (code === 0) finish({ answer: "accepted" }, DISCONNECT);
            else finish({ answer: "refused", code });
        });
        socket.on("error", () => finish({ answer: "none" }));
        socket.on("close", () => finish({ answer: "none" }));
    });
}

/**
 * Asks whether a broker answers where the MQTT example looks for one and publishes the answer in process.env,
 * where Node-RED resolves the deployed broker node's ${...} references: before the flows start, as a later start
 * runs the saved flows.
 */
async function chooseMqttBroker() {
    const port = portFrom("MQTT_BROKER_PORT", 1883, 1);
    const { answer, code } = await probeMqttBroker(MQTT_HOST, port, MQTT_PROBE_LIMIT_MS);
    process.env.MQTT_BROKER_PORT = String(port);
    process.env.EXAMPLE_MQTT_CONNECT = String(answer === "accepted");
    return { address: `${MQTT_HOST}:${port}`, answer, code };
}

/** The line that says whether the MQTT example's broker node connects, and if not how to make it. */
function describeMqttBroker({ address, answer, code }, brokerNode) {
    const name = brokerNode.name || "MQTT broker";
    if (answer === "accepted") return `An MQTT broker answers on ${address}: the "${name}" node of the MQTT example connects to it.`;
    if (answer === "refused") {
        return `The MQTT broker on ${address} refuses a connection without a user name (CONNACK return code ${code}): the "${name}" node stays disconnected until you give it a user and password (its Security tab) and deploy.`;
    }
    return `No MQTT broker answers on ${address}: the "${name}" node of the MQTT example stays disconnected (its inject simulates an alarm). For real alarms start one there (e.g. apt-get install mosquitto) and restart npm start.`;
}

/** Names the account and the API origin, never the token. */
function describeRealTwilio(accountSid, baseUrl) {
    return `real Twilio at ${baseUrl || "https://api.twilio.com"} as account ${accountSid}`;
}

function nodeRedSettings(port) {
    return {
        userDir: process.env.NODE_RED_USER_DIR || path.join(ROOT, ".node-red"),
        flowFile: "flows.json",
        // the repository's package.json has a node-red section: Node-RED loads the package from here, and
        // offers its examples/ under Import > Examples
        nodesDir: [ROOT],
        uiHost: HOST,
        uiPort: port,
        httpAdminRoot: "/",
        httpNodeRoot: "/api",
        // credentialSecret is deliberately not set: Node-RED then generates a key and encrypts
        // flows_cred.json with it (which only ever holds ${...} references here anyway)

        // telemetry off, or an update-notification modal blocks the editor on first open
        telemetry: { enabled: false },
        editorTheme: { tours: false },
        logging: { console: { level: "info", metrics: false, audit: false } },
    };
}

function listen(server, port) {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, HOST, () => {
            server.off("error", reject);
            resolve(server.address().port);
        });
    });
}

/** "MQTT alarm to SMS.json" -> "MQTT alarm to SMS": the tab label of that example. */
function tabLabel(file) {
    const words = path.basename(file, ".json").replace(/[-_]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A fixed id per example file, so that a tab keeps its id when the examples are deployed again. */
function tabId(file) {
    return crypto.createHash("sha256").update(`tab:${file}`).digest("hex").slice(0, 16);
}

/** Example files hold no tabs; a node placed on a canvas has a position (or wires), a config node has none. */
function isConfigNode(node) {
    return !("x" in node) && !("wires" in node) && !("z" in node);
}

/**
 * The example files as one deployable flow: a tab per file with that file's nodes on it, and each config
 * node (the Twilio account all examples share) once; the files must agree on it, or one file's settings (its
 * outbox, say) would be lost without a word. The account gets ${...} references instead of values, so that
 * flows_cred.json never holds a credential and each start takes them from the environment; so does the MQTT
 * example's broker node for its port and whether it connects.
 */
function examplesAsFlows() {
    const files = fs.readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith(".json")).sort();
    const flows = [];
    const configs = new Map();
    for (const file of files) {
        const nodes = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8"));
        const tab = { id: tabId(file), type: "tab", label: tabLabel(file), disabled: false, info: "" };
        flows.push(tab);
        for (const example of nodes) {
            const node = { ...example };
            if (!isConfigNode(node)) {
                // a reference, like the account's credentials: each start sets where Twilio reaches this Node-RED
                if (node.type === WEBHOOK_NODE_TYPE) node.publicBaseUrl = "${TWILIO_WEBHOOK_BASE_URL}";
                flows.push({ ...node, z: tab.id });
                continue;
            }
            const first = configs.get(node.id);
            if (first) {
                if (!isDeepStrictEqual(node, first.node)) {
                    throw new Error(`examples/${file} and examples/${first.file} hold different copies of config node ${node.id} (${node.type}): make them equal`);
                }
                continue;
            }
            configs.set(node.id, { file, node: example });
            if (node.type === ACCOUNT_NODE_TYPE) {
                node.apiBaseUrl = "${TWILIO_API_BASE_URL}";
                node.credentials = { accountSid: "${TWILIO_ACCOUNT_SID}", authToken: "${TWILIO_AUTH_TOKEN}" };
            }
            // a broker on this machine is often not there: rather than retry and log every few seconds, the
            // node connects only when one answered as this start began (EXAMPLE_MQTT_CONNECT)
            if (node.type === MQTT_BROKER_NODE_TYPE) {
                Object.assign(node, { broker: MQTT_HOST, port: MQTT_PORT_REFERENCE, autoConnect: MQTT_CONNECT_REFERENCE });
            }
            flows.push(node);
        }
    }
    return flows;
}

/** A JSON request to this Node-RED's own admin API, as the editor makes them. */
async function adminRequest(port, method, route, body, headers = {}) {
    const response = await fetch(`http://${HOST}:${port}${route}`, {
        method,
        headers: { "Content-Type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the value of `attempt` once it stops throwing; rethrows its last error after `limitMs`. */
async function retry(attempt, limitMs) {
    const deadline = Date.now() + limitMs;
    for (;;) {
        try {
            return await attempt();
        } catch (err) {
            if (Date.now() > deadline) throw err;
            await sleep(100);
        }
    }
}


/** Resolves with `promise`, or with nothing after `ms`: for waits that must not hang the start. */
function atMost(promise, ms) {
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * On the first start (no flows yet) deploys the examples through the admin API, exactly as the editor's
 * Deploy button would; later starts leave the user's flows alone. Returns whether it deployed, and the flows
 * that run.
 * @param flowsSettled the promise of whenFlowsSettled(), made before RED.start()
 */
async function deployExamplesOnFirstStart(RED, port, flowsSettled) {
    await atMost(flowsSettled, 30_000);
    // retried all the same: should the wait above have timed out, the flows may still be loading
    const existing = await retry(() => adminRequest(port, "GET", "/flows"), 10_000);
    if (Array.isArray(existing) && existing.length > 0) return { deployed: false, flows: existing };
    const flows = examplesAsFlows();
    // POST /flows answers once the flows are saved, before they run: the examples are clickable only when
    // the runtime has started them
    const started = new Promise((resolve) => RED.events.once("flows:started", resolve));
    // a {flows: [...]} body is API version v2; v1 would take a bare array
    await adminRequest(port, "POST", "/flows", { flows }, {
        "Node-RED-API-Version": "v2",
        "Node-RED-Deployment-Type": "full",
    });
    await atMost(started, 30_000);
    return { deployed: true, flows };
}

async function main() {
    const RED = require("node-red");
    const server = createServer(RED);
    // listening first lets PORT=0 take any free port and still give the flows their webhook URL before they
    // start; until the runtime is up the server answers 503
    const port = await listen(server, portFrom("PORT", 1880)).catch((err) => {
        throw Object.assign(new Error(err.code === "EADDRINUSE" ? `port ${err.port} is in use (set PORT)` : err.message), { expected: true });
    });
    const webhookBase = chooseWebhookBase(port);
    const { standin, description } = await chooseTwilio();
    const mqttBroker = await chooseMqttBroker();
    const settings = nodeRedSettings(port);
    fs.mkdirSync(settings.userDir, { recursive: true });
    RED.init(server, settings);
    const flowsSettled = whenFlowsSettled(RED);

    let stopping = false;
    async function shutdown(signal) {
        if (stopping) {
            // a second Ctrl-C means "now"
            console.log(`${signal} again: exiting without waiting.`);
            process.exit(1);
        }
        stopping = true;
        console.log(`${signal}: stopping Node-RED...`);
        let code = 0;
        try {
            await RED.stop();
        } catch (err) {
            console.error("Node-RED did not stop cleanly:", err);
            code = 1;
        }
        if (standin) await standin.stop();
        // the editor keeps keep-alive and websocket connections open: close() alone would wait for them
        server.closeAllConnections();
        await new Promise((resolve) => server.close(() => resolve()));
        process.exit(code);
    }
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void shutdown(signal));

    try {
        await RED.start();
        const { deployed, flows } = await deployExamplesOnFirstStart(RED, port, flowsSettled);
        if (deployed) console.log("First start: deployed the example flows, one tab per file of examples/.");
        console.log(`Node-RED editor: http://${HOST}:${port}/ - Twilio nodes use ${description}`);
        console.log(`Webhook nodes tell Twilio to call ${webhookBase}/api/...${standin ? "" : " (set TWILIO_WEBHOOK_BASE_URL to a URL Twilio can reach, e.g. a tunnel's)"}`);
        // only while the example's broker node is as this script deployed it: once edited, it is the user's
        const brokerNode = flows.find((node) => node.type === MQTT_BROKER_NODE_TYPE && node.autoConnect === MQTT_CONNECT_REFERENCE);
        if (brokerNode) console.log(describeMqttBroker(mqttBroker, brokerNode));
    } catch (err) {
        console.error(`Could not start: ${err.stack || err}`);
        stopping = true;
        await RED.stop().catch(() => {});
        if (standin) await standin.stop();
        process.exit(1);
    }
}

if (require.main === module) {
    main().catch((err) => {
        // what fails before Node-RED runs: a bad PORT, TWILIO_STANDIN_PORT or MQTT_BROKER_PORT, or the
        // stand-in's port in use
        let reason = err && (err.expected ? err.message : err.stack);
        if (err && err.code === "EADDRINUSE") reason = `port ${err.port} is in use (set TWILIO_STANDIN_PORT)`;
        // the editor's port in use is reported by main() itself
        console.error(`Could not start: ${reason}`);
        process.exit(1);
    });
} else {
    // required by the tests: the pieces, without starting anything
    module.exports = { probeMqttBroker, examplesAsFlows };
}
