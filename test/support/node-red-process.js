/**
 * Node-RED as a real child process, for what only a real process shows (kill -9, restarts): its own red.js from
 * node_modules/node-red, a settings file, and a temporary user directory with this package linked into its
 * node_modules as `npm install <dir>` would. Credentials are kept unencrypted (credentialSecret false): a test
 * account of the stand-in, in a directory removed afterwards.
 */
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..", "..");
const RED_JS = path.join(path.dirname(require.resolve("node-red/package.json")), "red.js");
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

/** A running Node-RED: resolves once its flows have started, with its base URL. */
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

/** kill -9, resolved when the process is gone. */
async function kill(node) {
    node.child.kill("SIGKILL");
    await node.exited;
}

module.exports = { prepareUserDir, startNodeRed, kill };
