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
 *
 * `npm start` builds first; run `npm run build` before starting this file on its own.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { isDeepStrictEqual } = require("node:util");
const { createServer, whenFlowsSettled } = require("./embedded-node-red");

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES_DIR = path.join(ROOT, "examples");
const HOST = "127.0.0.1";
const ACCOUNT_NODE_TYPE = "twilio-account";
const WEBHOOK_NODE_TYPE = "twilio-webhook";

/** A port from the environment: a whole number 0-65535, else the default. */
function portFrom(name, fallback) {
    const text = process.env[name];
    if (text === undefined || text.trim() === "") return fallback;
    const port = Number(text);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        // a mistake of the caller: reported without a stack trace
        throw Object.assign(new Error(`${name} must be a port number (0-65535), not "${text}"`), { expected: true });
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
 * flows_cred.json never holds a credential and each start takes them from the environment.
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
            // the MQTT example's broker (localhost:1883) is rarely there: rather than retry and log every few
            // seconds, it waits until the user ticks "Connect automatically"; its inject simulates an alarm
            if (node.type === "mqtt-broker") node.autoConnect = false;
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
 * Deploy button would; later starts leave the user's flows alone. Returns whether it deployed.
 * @param flowsSettled the promise of whenFlowsSettled(), made before RED.start()
 */
async function deployExamplesOnFirstStart(RED, port, flowsSettled) {
    await atMost(flowsSettled, 30_000);
    // retried all the same: should the wait above have timed out, the flows may still be loading
    const existing = await retry(() => adminRequest(port, "GET", "/flows"), 10_000);
    if (Array.isArray(existing) && existing.length > 0) return false;
    // POST /flows answers once the flows are saved, before they run: the examples are clickable only when
    // the runtime has started them
    const started = new Promise((resolve) => RED.events.once("flows:started", resolve));
    // a {flows: [...]} body is API version v2; v1 would take a bare array
    await adminRequest(port, "POST", "/flows", { flows: examplesAsFlows() }, {
        "Node-RED-API-Version": "v2",
        "Node-RED-Deployment-Type": "full",
    });
    await atMost(started, 30_000);
    return true;
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
        const deployed = await deployExamplesOnFirstStart(RED, port, flowsSettled);
        if (deployed) console.log("First start: deployed the example flows, one tab per file of examples/.");
        console.log(`Node-RED editor: http://${HOST}:${port}/ - Twilio nodes use ${description}`);
        console.log(`Webhook nodes tell Twilio to call ${webhookBase}/api/...${standin ? "" : " (set TWILIO_WEBHOOK_BASE_URL to a URL Twilio can reach, e.g. a tunnel's)"}`);
    } catch (err) {
        console.error(`Could not start: ${err.stack || err}`);
        stopping = true;
        await RED.stop().catch(() => {});
        if (standin) await standin.stop();
        process.exit(1);
    }
}

main().catch((err) => {
    // what fails before Node-RED runs: a bad PORT or TWILIO_STANDIN_PORT, or the stand-in's port in use
    let reason = err && (err.expected ? err.message : err.stack);
    if (err && err.code === "EADDRINUSE") reason = `port ${err.port} is in use (set TWILIO_STANDIN_PORT)`;
    // the editor's port in use is reported by main() itself
    console.error(`Could not start: ${reason}`);
    process.exit(1);
});
