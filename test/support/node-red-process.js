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
const fs = require("node:fs");
const path = require("node:path");

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
    functionGlobalContext: { fs: require("fs") },
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
    const node = { child, output: "", url: undefined, exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))) };
    const ready = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Node-RED did not start in ${START_LIMIT_MS} ms:\n${node.output}`)), START_LIMIT_MS);
        const read = (chunk) => {
            node.output += chunk;
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

/** kill -9, resolved when the process is gone (at once if it is gone already). */
async function kill(node) {
    if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill("SIGKILL");
    await node.exited;
}

/** What the running Node-RED's outbox file holds, by account (GET <admin>/twilio-account/outbox). */
async function outboxSummary(node) {
    const response = await fetch(`${node.url}/twilio-account/outbox`);
    if (!response.ok) throw new Error(`GET /twilio-account/outbox: ${response.status}`);
    return response.json();
}

module.exports = { prepareUserDir, startNodeRed, kill, outboxSummary, RUNTIME };
