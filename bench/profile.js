/**
 * Where the CPU goes: the node's postMessage at concurrency 10, run once more under V8's sampling profiler, with
 * a copy of the package whose bundle is not minified (esbuild writes a `// src/<file>` line before each source
 * file), so that every sample of the measured loop can be put down to one source file of this package, or to
 * what it spends in (undici, Node.js' sockets, the garbage collector, Node-RED, the bench's own driver).
 * Each sample goes to the nearest frame of this package on its stack: undici's work done inside our request()
 * counts as api-http.ts, undici's own socket callbacks as undici.
 */
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const esbuild = require("esbuild");

const BENCH = __dirname;
const ROOT = path.join(BENCH, "..");

/** The package as Node-RED loads it, but with the runtime bundle readable. */
function readableCopy() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-bench-profile-"));
    fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
    fs.cpSync(path.join(ROOT, "nodes"), path.join(dir, "nodes"), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    esbuild.buildSync({
        entryPoints: [path.join(ROOT, "src", "twilio.ts")],
        outfile: path.join(dir, "nodes", "twilio.js"),
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        packages: "external",
        logLevel: "warning",
    });
    return dir;
}

function category(url, functionName) {
    // llhttp, undici's HTTP parser, runs as WebAssembly
    if (url.startsWith("wasm://")) return "undici";
    if (!url) return functionName === "(garbage collector)" ? "garbage collector" : "V8 and Node.js native (writev, JSON, timers, …)";
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return /^@?node-red/.test(pkg[1]) ? "Node-RED" : pkg[1];
    if (url.includes(`${path.sep}bench${path.sep}`)) return "the bench's driver";
    if (url.startsWith("node:")) return "Node.js (streams, sockets, events, …)";
    return url;
}

/** Busy time of the measured loop by cost centre, in % of all busy samples. */
function summarise(profileFile, bundleFile, [from, to]) {
    const profile = JSON.parse(fs.readFileSync(profileFile, "utf8"));
    const fileAt = [];
    let file = "(bundle)";
    fs.readFileSync(bundleFile, "utf8")
        .split("\n")
        .forEach((line, i) => {
            const match = /^\/\/ (src\/\S+)/.exec(line);
            if (match) file = match[1];
            fileAt[i] = file;
        });
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const centres = new Map();
    let busy = 0;
    let time = profile.startTime;
    profile.samples.forEach((id, i) => {
        const delta = profile.timeDeltas[i] ?? 0;
        time += delta;
        if (time < from || time > to) return;
        const leaf = byId.get(id).callFrame;
        if (leaf.functionName === "(idle)") return;
        busy += delta;
        let centre;
        for (let at = id; at !== undefined && !centre; at = parent.get(at)) {
            const frame = byId.get(at).callFrame;
            if (frame.url.endsWith(`${path.sep}nodes${path.sep}twilio.js`)) centre = `this package: ${fileAt[frame.lineNumber]}`;
        }
        centre ??= category(leaf.url, leaf.functionName);
        centres.set(centre, (centres.get(centre) ?? 0) + delta);
    });
    return { busy, centres: [...centres].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, share: us / busy })) };
}

/** Runs the profiled case against `standin` ({url, accountSid, authToken}); resolves with the summary. */
async function profileNode(standin, { messages = 20000, warmup = 2000, way = "node" } = {}) {
    const dir = readableCopy();
    const profiles = path.join(dir, "profiles");
    try {
        const config = { way, operation: "postMessage", concurrency: 10, messages, warmup, standin, packageDir: dir };
        const output = await new Promise((resolve, reject) => {
            const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profiles}`, "--expose-gc", path.join(BENCH, "case.js"), JSON.stringify(config)], { stdio: ["ignore", "pipe", "inherit"] });
            let text = "";
            child.stdout.on("data", (chunk) => (text += chunk));
            child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`profiled case failed (${code})`))));
        });
        const result = JSON.parse(output.split("\n").find((line) => line.startsWith("RESULT ")).slice(7));
        const [profileFile] = fs.readdirSync(profiles);
        return { result, ...summarise(path.join(profiles, profileFile), path.join(dir, "nodes", "twilio.js"), result.windowUs) };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

module.exports = { profileNode };
