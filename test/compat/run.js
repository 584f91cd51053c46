#!/usr/bin/env node
/**
 * `npm run test:compat`: the top-level runtime suites (test/*.test.js, through node-red-node-test-helper) on
 *   1. Node-RED 5 under Node 22 (the npm package `node` of test/compat provides that Node; Node-RED 5 needs 22.9+),
 *   2. Node-RED 3.0.0, the oldest release package.json's `node-red.version` (">=3.0.0") admits, under the Node
 *      that runs this script (the machine's Node 20).
 * Both runtimes and the Node 22 binary are pinned in test/compat/package.json and its lock file; they are installed
 * with `npm ci --prefix test/compat` when test/compat/node_modules is missing or incomplete.
 *
 * test/start.test.js is left out on purpose: it is about `npm start` (scripts/start.js), which always runs the
 * top-level Node-RED 4.1, so it says nothing about another runtime. Every other suite, the contract suites and
 * spec-parity included, runs on both runtimes.
 *
 * The runtime is chosen with NODE_RED_RUNTIME=<node-red package dir>, which test/support/runtime.js honours, and so
 * does test/support/node-red-process.js: the crash and MQTT suites start that runtime's red.js as a child process,
 * with the Node that runs mocha (each child checks that it says that version of Node-RED and of Node).
 * Needs `npm run build` first (the suites load nodes/ and build/); `npm run test:compat` does that.
 * Exits non-zero if either run fails.
 */
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..", "..");
const COMPAT = __dirname;
const MODULES = path.join(COMPAT, "node_modules");
const NODE22 = path.join(MODULES, "node", "bin", process.platform === "win32" ? "node.exe" : "node");
const MOCHA = require.resolve("mocha/bin/mocha.js", { paths: [ROOT] });

/** Suites that are not run here, each with the reason. */
const EXCLUDED = {
    "test/start.test.js": "it is about `npm start`, which always runs the top-level Node-RED 4.1",
};

const RUNS = [
    { label: "Node-RED 5 under Node 22", runtime: "node-red-5", node: NODE22, nodeRange: [22, 9] },
    { label: "Node-RED 3.0.0 (oldest claimed) under this Node", runtime: "node-red-3", node: process.execPath },
];

function fail(message) {
    console.error(`test:compat: ${message}`);
    process.exit(2);
}

function installed() {
    return (
        fs.existsSync(NODE22) &&
        RUNS.every(({ runtime }) => fs.existsSync(path.join(MODULES, runtime, "package.json")))
    );
}

function install() {
    if (installed()) return;
    console.log("test:compat: installing test/compat (npm ci --prefix test/compat) ...");
    const npm = process.env.npm_execpath;
    const [command, args] = npm && /\.c?js$/.test(npm)
        ? [process.execPath, [npm]]
        : ["npm", []];
    const result = spawnSync(command, [...args, "ci", "--prefix", path.relative(ROOT, COMPAT) || ".", "--no-audit", "--no-fund"], {
        cwd: ROOT,
        stdio: "inherit",
        shell: command === "npm" && process.platform === "win32",
    });
    if (result.status !== 0) fail(`npm ci --prefix test/compat failed (exit ${result.status ?? result.signal})`);
    if (!installed()) {
        fail(
            `after npm ci, ${path.relative(ROOT, NODE22)} or a runtime is still missing ` +
                "(the `node` package installs its binary in a preinstall script: is ignore-scripts set?)",
        );
    }
}

function nodeVersion(node) {
    const result = spawnSync(node, ["--version"], { encoding: "utf8" });
    if (result.status !== 0) fail(`${node} --version failed: ${result.stderr || result.error}`);
    return result.stdout.trim();
}

/** A path relative to the checkout when it is inside it, else absolute. */
function shown(file) {
    const relative = path.relative(ROOT, file);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function suites() {
    const files = fs
        .readdirSync(path.join(ROOT, "test"))
        .filter((name) => name.endsWith(".test.js"))
        .map((name) => `test/${name}`)
        .sort();
    return { run: files.filter((file) => !(file in EXCLUDED)), excluded: files.filter((file) => file in EXCLUDED) };
}

/**
 * Runs the top-level mocha configuration (.mocharc.json: spec test/*.test.js, timeout, reporter) minus the excluded
 * suites with `node` and the runtime in `runtimeDir`; resolves with {code, passing, failing, pending, seconds}.
 * (Files named on mocha's command line would be added to the configuration's spec, not replace it: hence --ignore.)
 */
function mocha(node, runtimeDir, excluded) {
    const started = Date.now();
    return new Promise((resolve) => {
        const ignores = excluded.flatMap((file) => ["--ignore", file]);
        const child = spawn(node, [MOCHA, "--config", path.join(ROOT, ".mocharc.json"), ...ignores], {
            cwd: ROOT,
            env: {
                ...process.env,
                NODE_RED_RUNTIME: runtimeDir,
                // children that look `node` up by name get the same Node as the suites
                PATH: path.dirname(node) + path.delimiter + process.env.PATH,
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk) => {
            output += chunk;
            process.stdout.write(chunk);
        });
        child.stderr.on("data", (chunk) => {
            output += chunk;
            process.stderr.write(chunk);
        });
        child.on("close", (code, signal) => {
            // eslint-disable-next-line no-control-regex
            const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
            const count = (word) => Number(plain.match(new RegExp(`^\\s*(\\d+) ${word}\\b`, "m"))?.[1] ?? 0);
            resolve({
                code: code ?? 1,
                signal,
                passing: count("passing"),
                failing: count("failing"),
                pending: count("pending"),
                seconds: (Date.now() - started) / 1000,
            });
        });
    });
}

async function main() {
    if (!fs.existsSync(path.join(ROOT, "nodes", "twilio.js"))) fail("nodes/ is missing: run `npm run build` first");
    install();
    const { run: files, excluded } = suites();
    console.log(`test:compat: suites: ${files.join(", ")}`);
    for (const file of excluded) console.log(`test:compat: excluded ${file}: ${EXCLUDED[file]}`);

    const results = [];
    for (const run of RUNS) {
        const runtimeDir = path.join(MODULES, run.runtime);
        const runtimeVersion = JSON.parse(fs.readFileSync(path.join(runtimeDir, "package.json"), "utf8")).version;
        const utilDir = path.dirname(require.resolve("@node-red/util/package.json", { paths: [runtimeDir] }));
        const node = nodeVersion(run.node);
        if (run.nodeRange) {
            const [major, minor] = node.slice(1).split(".").map(Number);
            const [wantMajor, wantMinor] = run.nodeRange;
            if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
                fail(`${run.node} is Node ${node}; ${run.label} needs ${wantMajor}.${wantMinor}+`);
            }
        }
        const header =
            `${run.label}: node-red ${runtimeVersion} (${shown(runtimeDir)}, @node-red/util from ${shown(utilDir)}) ` +
            `on Node ${node} (${shown(run.node)})`;
        console.log(`\n${"=".repeat(100)}\n${header}\n${"=".repeat(100)}`);
        const result = await mocha(run.node, runtimeDir, Object.keys(EXCLUDED));
        results.push({ header, ...result });
    }

    console.log("\ntest:compat summary");
    for (const r of results) {
        const status = r.code === 0 ? "ok  " : "FAIL";
        console.log(
            `  ${status} ${r.header}\n         ${r.passing} passing, ${r.failing} failing, ${r.pending} pending, ` +
                `${r.seconds.toFixed(1)} s${r.code === 0 ? "" : ` (mocha exit ${r.signal ?? r.code})`}`,
        );
    }
    process.exit(results.every((r) => r.code === 0) ? 0 : 1);
}

main().catch((err) => {
    console.error(err);
    process.exit(2);
});
