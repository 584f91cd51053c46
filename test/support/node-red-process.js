/**
 * Node-RED as a real child process, for what only a real process shows (kill -9, restarts): its own red.js, a
 * settings file, and a temporary user directory with this package linked into its node_modules as `npm install
 * <dir>` would. Credentials are kept unencrypted (credentialSecret false): a test account of the stand-in, in a
 * directory removed afterwards.
 *
 * Which Node-RED: the package directory named by NODE_RED_RUNTIME (test/compat/run.js sets it, as for the suites
 * that run Node-RED in-process through test/support/runtime.js), else the top-level node-red. Which Node: the one
 * running the tests (process.execPath), which is the compat run's Node when test/compat/run.js started mocha.
 * startNodeRed checks that the child says it is that Node-RED, on that Node.
 */
"use strict";
const { spawn } = require("node:child_process");
const { EventEmitter } = require("node:events");
const fs = require("node:fs");
const path = require("node:path");
const WebSocket = require("ws");

const ROOT = path.join(__dirname, "..", "..");
const RUNTIME_DIR = process.env.NODE_RED_RUNTIME
    ? path.resolve(process.env.NODE_RED_RUNTIME)
    : path.dirname(require.resolve("node-red/package.json"));
const RED_JS = path.join(RUNTIME_DIR, "red.js");
/** The Node-RED the children run: its version and directory, for the tests' figures. */
const RUNTIME = { dir: RUNTIME_DIR, version: JSON.parse(fs.readFileSync(path.join(RUNTIME_DIR, "package.json"), "utf8")).version, node: process.version };
const START_LIMIT_MS = 30_000;

/** Writes the user directory: settings, flows and their credentials, the package linked in. */
function prepareUserDir(userDir, { flows, credentials, settings = "" }) {
    fs.mkdirSync(path.join(userDir, "node_modules", "@gatewire"), { recursive: true });
    fs.symlinkSync(ROOT, path.join(userDir, "node_modules", "@gatewire", "node-red-twilio"), "dir");
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows, null, 1));
    fs.writeFileSync(path.join(userDir, "flows_cred.json"), JSON.stringify(credentials));
    fs.writeFileSync(
        path.join(userDir, "settings.js"),
        `module.exports = {
    uiHost: "127.0.0.1",
    uiPort: 0,
    flowFile: "flows.json",
    credentialSecret: false,
    telemetry: { enabled: false },
    logging: { console: { level: "info" } },
    functionGlobalContext: { fs: require("fs"), pid: process.pid },
    ${settings}
};\n`,
    );
}

/**
 * A running Node-RED: resolves once its flows have started, with its base URL. Rejects if it exits first, does
 * not start within START_LIMIT_MS, or is not the Node-RED and Node of RUNTIME.
 */
function startNodeRed(userDir, env = {}) {
    const child = spawn(process.execPath, [RED_JS, "--settings", path.join(userDir, "settings.js"), "--userDir", userDir], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const node = {
        child,
        output: "",
        url: undefined,
        /** Emits "output" with each chunk of the log (stdout and stderr) once it is in `output`. */
        events: new EventEmitter(),
        exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    };
    const ready = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Node-RED did not start in ${START_LIMIT_MS} ms:\n${node.output}`)), START_LIMIT_MS);
        const read = (chunk) => {
            node.output += chunk;
            node.events.emit("output", chunk);
            const running = /Server now running at (http:\/\/[\d.]+:\d+)\//.exec(node.output);
            if (running) node.url = running[1];
            if (node.url && /Started flows/.test(node.output)) {
                clearTimeout(timer);
                const versions = /Node-RED version: v(\d+\.\d+\.\d+)\S*[\s\S]*?Node\.js {2}version: (v\S+)/.exec(node.output);
                if (!versions || versions[1] !== RUNTIME.version || versions[2] !== RUNTIME.node) {
                    reject(new Error(`expected Node-RED ${RUNTIME.version} on Node ${RUNTIME.node} (${RED_JS}); the child said:\n${node.output}`));
                    return;
                }
                resolve(node);
            }
        };
        child.stdout.on("data", read);
        child.stderr.on("data", read);
        node.exited.then(({ code, signal }) => {
            clearTimeout(timer);
            reject(new Error(`Node-RED exited (${code ?? signal}) before its flows started:\n${node.output}`));
        });
    });
    node.ready = ready;
    return node;
}

/** Whether the process has ended (a process killed by a signal has exitCode null and signalCode set). */
function hasExited(node) {
    return node.child.exitCode !== null || node.child.signalCode !== null;
}

/** kill -9, resolved when the process is gone. */
async function kill(node) {
    if (!hasExited(node)) node.child.kill("SIGKILL");
    await node.exited;
}

/**
 * A clean stop, as systemd or Ctrl-C does it: SIGTERM, on which Node-RED stops its flows (every node's close)
 * and exits. Resolves with the exit; kills the process and rejects if it has not exited within `limitMs`.
 */
async function stop(node, limitMs = 30_000) {
    if (!hasExited(node)) node.child.kill("SIGTERM");
    let timer;
    const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Node-RED did not stop within ${limitMs} ms of SIGTERM:\n${node.output.slice(-2000)}`)), limitMs);
    });
    try {
        return await Promise.race([node.exited, late]);
    } catch (err) {
        await kill(node);
        throw err;
    } finally {
        clearTimeout(timer);
    }
}

/**
 * Resolves with the match once the log (from offset `from` of node.output) has a match of `pattern`; rejects
 * after `limitMs`, or when the process exits first.
 */
function waitForLog(node, pattern, { from = 0, limitMs = 30_000 } = {}) {
    return new Promise((resolve, reject) => {
        const check = () => {
            const match = pattern.exec(node.output.slice(from));
            if (!match) return false;
            finish();
            resolve(match);
            return true;
        };
        const onExit = () => {
            if (check()) return;
            finish();
            reject(new Error(`Node-RED exited before its log matched ${pattern}:\n${node.output.slice(from).slice(-2000)}`));
        };
        const timer = setTimeout(() => {
            finish();
            reject(new Error(`no log line matched ${pattern} within ${limitMs} ms:\n${node.output.slice(from).slice(-2000)}`));
        }, limitMs);
        function finish() {
            clearTimeout(timer);
            node.events.off("output", check);
            node.child.off("exit", onExit);
        }
        if (check()) return;
        node.events.on("output", check);
        node.child.once("exit", onExit);
    });
}

/** The log lines (from offset `from`) that match `pattern`. */
function logLines(node, pattern, from = 0) {
    return node.output.slice(from).split("\n").filter((line) => pattern.test(line));
}

/** An admin API request; resolves with the parsed JSON answer (or null for none). */
async function admin(node, method, route, { body, headers = {} } = {}) {
    const response = await fetch(`${node.url}${route}`, {
        method,
        headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
}

/**
 * Deploys `flows` through the admin API as the editor does (POST /flows, a full deploy by default; nodes may carry
 * a `credentials` object, which Node-RED stores as the editor's would be); resolves once the new flows have started.
 */
async function deploy(node, flows, type = "full") {
    const from = node.output.length;
    await admin(node, "POST", "/flows", { body: flows, headers: { "Node-RED-Deployment-Type": type } });
    await waitForLog(node, /Started (modified )?flows/, { from });
}

/**
 * Watches every node's status, as the editor sees it (the admin websocket, /comms): `list` holds each status as
 * {id, text, fill, shape}, the retained ones first; `waitFor(predicate)` resolves with the first that matches.
 */
async function watchStatus(node) {
    const socket = new WebSocket(`${node.url.replace(/^http/, "ws")}/comms`);
    const watcher = new EventEmitter();
    watcher.list = [];
    socket.on("message", (data) => {
        let messages;
        try {
            messages = JSON.parse(String(data));
        } catch {
            return;
        }
        for (const { topic, data: status } of Array.isArray(messages) ? messages : []) {
            if (typeof topic !== "string" || !topic.startsWith("status/")) continue;
            const entry = { id: topic.slice("status/".length), ...status };
            watcher.list.push(entry);
            watcher.emit("status", entry);
        }
    });
    await new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
    });
    socket.on("error", () => {});
    socket.send(JSON.stringify({ subscribe: "status/#" }));
    watcher.waitFor = (predicate, what = "a status", limitMs = 30_000) =>
        new Promise((resolve, reject) => {
            const seen = watcher.list.find(predicate);
            if (seen) return resolve(seen);
            const timer = setTimeout(() => {
                watcher.off("status", onStatus);
                reject(new Error(`timed out waiting for ${what}; statuses seen: ${JSON.stringify(watcher.list.slice(-20))}`));
            }, limitMs);
            function onStatus(entry) {
                if (!predicate(entry)) return;
                clearTimeout(timer);
                watcher.off("status", onStatus);
                resolve(entry);
            }
            watcher.on("status", onStatus);
        });
    watcher.close = () => socket.terminate();
    return watcher;
}

/** What the running Node-RED's outbox file holds, by account (GET <admin>/twilio-account/outbox). */
async function outboxSummary(node) {
    const response = await fetch(`${node.url}/twilio-account/outbox`);
    if (!response.ok) throw new Error(`GET /twilio-account/outbox: ${response.status}`);
    return response.json();
}

module.exports = { prepareUserDir, startNodeRed, kill, stop, hasExited, waitForLog, logLines, admin, deploy, watchStatus, outboxSummary, RUNTIME };
