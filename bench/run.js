#!/usr/bin/env node
/**
 * `npm run bench`: throughput, latency and memory of the twilio-messages node in the Node-RED runtime, side by
 * side with what a user would use instead, against the package's stand-in on 127.0.0.1:
 *   node      this package's node (postMessage, getMessage), messages through Node-RED's runtime
 *   sdk       a plain loop calling the twilio SDK at the same concurrency: what the node adds on top of the SDK
 *   undici    plain keep-alive HTTP requests with undici: the ceiling for one Node process
 *   official  the official node-red-node-twilio node's SMS send, redirected to the stand-in (postMessage only)
 *   outbox    this package's node with the outbox on (SQLite); redis: on Valkey/Redis (c ≥ 10; Debian's
 *             redis-server started here on 127.0.0.1 with appendfsync always, as durable as the SQLite file)
 * at concurrency 1, 10 and 50, each case repeated (median reported), each run in a fresh process with a fresh
 * stand-in in another process. Then the stand-in's own ceiling (two undici processes at once) and a burst of
 * 20,000 messages into an account with a rate limit (memory per queued message, drain rate). And what loading
 * each node file costs, as Node-RED pays it at start (bench/load.js, fresh processes, median).
 * Prints the table and writes it to bench/results.md.
 *
 * Options: --messages 5000  --repeat 3  --concurrency 1,10,50  --burst 20000  --rate 1000  --loads 9
 */
"use strict";
const { execFileSync, fork, spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { median } = require("./lib/measure");
const { startStandin, seedMessage } = require("./lib/standin");
const { profileNode } = require("./profile");
const { startRedis } = require("../test/support/redis");

const BENCH = __dirname;
const ROOT = path.join(BENCH, "..");
const { values: options } = parseArgs({
    options: {
        messages: { type: "string", default: "5000" },
        repeat: { type: "string", default: "3" },
        concurrency: { type: "string", default: "1,10,50" },
        burst: { type: "string", default: "20000" },
        rate: { type: "string", default: "1000" },
        loads: { type: "string", default: "9" },
    },
});
const MESSAGES = Number(options.messages);
const REPEAT = Number(options.repeat);
const CONCURRENCY = options.concurrency.split(",").map(Number);
const WARMUP = Math.min(1000, Math.ceil(MESSAGES / 5));
const WAYS = { postMessage: ["node", "outbox", "redis", "sdk", "undici", "official"], getMessage: ["node", "sdk", "undici"] };
/** The redis-server the redis way uses (main starts it). */
let redisUrl;
const STRACE = spawnSync("strace", ["-V"]).status === 0;

/** undici and node-red-node-twilio live in bench/package.json (own lock), not in the package's tree. */
function installBenchModules() {
    if (fs.existsSync(path.join(BENCH, "node_modules", "node-red-node-twilio")) && fs.existsSync(path.join(BENCH, "node_modules", "undici"))) return;
    console.log("bench: installing bench/ (npm ci --prefix bench) ...");
    const result = spawnSync("npm", ["ci", "--prefix", BENCH, "--no-audit", "--no-fund"], { stdio: "inherit" });
    if (result.status !== 0) throw new Error("npm ci --prefix bench failed");
}

function runCase(config) {
    return new Promise((resolve, reject) => {
        // the outbox's fsyncs are counted by strace (-f: SQLite runs in the main thread, but to be sure), when there
        // is one, in a run of its own: stopping at every fsync slowed the outbox's runs by a fifth
        const traced = config.countFsyncs === true && STRACE;
        const countsFile = path.join(os.tmpdir(), `twilio-bench-strace-${process.pid}-${Date.now()}`);
        const child = traced
            ? spawn("strace", ["-f", "--seccomp-bpf", "-qq", "-c", "-e", "trace=fsync,fdatasync", "-o", countsFile, process.execPath, "--expose-gc", path.join(BENCH, "case.js"), JSON.stringify(config)], { stdio: ["ignore", "pipe", "inherit"] })
            : fork(path.join(BENCH, "case.js"), [JSON.stringify(config)], { execArgv: ["--expose-gc"], stdio: ["ignore", "pipe", "inherit", "ipc"] });
        let output = "";
        child.stdout.on("data", (chunk) => (output += chunk));
        child.once("exit", (code) => {
            const line = output.split("\n").find((text) => text.startsWith("RESULT "));
            if (code === 0 && line) {
                const result = JSON.parse(line.slice(7));
                if (traced) {
                    // the whole process: setup, warm-up and the measured messages
                    const table = fs.readFileSync(countsFile, "utf8");
                    fs.rmSync(countsFile, { force: true });
                    const calls = [...table.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
                    result.fsyncsPerMessage = calls / (config.messages + config.warmup);
                }
                resolve(result);
            } else reject(new Error(`case ${JSON.stringify(config)} failed (${code}): ${output}`));
        });
    });
}

/** A fresh stand-in for every run, so that no run pays for the data of another. */
async function withStandin(operation, work) {
    const standin = await startStandin();
    try {
        const messageSid = operation === "getMessage" ? await seedMessage(standin) : undefined;
        return await work({ url: standin.url, accountSid: standin.accountSid, authToken: standin.authToken }, messageSid);
    } finally {
        await standin.stop();
    }
}

function medianOf(runs) {
    const keys = Object.keys(runs[0]).filter((key) => typeof runs[0][key] === "number");
    return Object.fromEntries([...keys.map((key) => [key, median(runs.map((run) => run[key]))]), ["errors", Math.max(...runs.map((run) => run.errors ?? 0))]]);
}

async function loops() {
    const results = [];
    for (const operation of Object.keys(WAYS)) {
        for (const concurrency of CONCURRENCY) {
            for (const way of WAYS[operation]) {
                if (way === "redis" && concurrency < 10) continue;
                const runs = [];
                for (let r = 0; r < REPEAT; r++) {
                    runs.push(
                        await withStandin(operation, (standin, messageSid) =>
                            runCase({ way, operation, concurrency, messages: MESSAGES, warmup: WARMUP, standin, messageSid, ...(way === "redis" ? { redisUrl } : {}) }),
                        ),
                    );
                }
                const result = { operation, concurrency, way, ...medianOf(runs) };
                if (way === "outbox" && STRACE) {
                    const counted = await withStandin(operation, (standin) =>
                        runCase({ way, operation, concurrency, messages: MESSAGES, warmup: WARMUP, standin, countFsyncs: true }),
                    );
                    result.fsyncsPerMessage = counted.fsyncsPerMessage;
                }
                if (result.errors) console.warn(`bench: ${way} ${operation} c=${concurrency} had ${result.errors} errors: ${JSON.stringify(runs.find((run) => run.lastError)?.lastError)}`);
                results.push(result);
                console.log(`  ${operation.padEnd(11)} c=${String(concurrency).padEnd(3)} ${way.padEnd(8)} ${result.perSecond.toFixed(0).padStart(6)} msg/s  p50 ${result.p50.toFixed(2)} ms`);
            }
        }
    }
    return results;
}

/** Two undici processes at once against one stand-in: what the stand-in itself can serve. */
async function ceiling(operation) {
    const runs = [];
    for (let r = 0; r < REPEAT; r++) {
        runs.push(
            await withStandin(operation, async (standin, messageSid) => {
                const started = Date.now();
                const both = await Promise.all(
                    [0, 1].map(() => runCase({ way: "undici", operation, concurrency: 50, messages: MESSAGES, warmup: WARMUP, standin, messageSid })),
                );
                return { perSecond: both.reduce((sum, run) => sum + run.perSecond, 0), wall: (Date.now() - started) / 1000 };
            }),
        );
    }
    return { operation, ...medianOf(runs) };
}

/** The node files Node-RED would load: this package's, the official Twilio node's, core's http request node. */
const LOADED_FILES = {
    "this package (nodes/twilio.js)": path.join(ROOT, "nodes", "twilio.js"),
    "node-red-node-twilio (56-twilio.js)": path.join(BENCH, "node_modules", "node-red-node-twilio", "56-twilio.js"),
    "core http request (21-httprequest.js)": require.resolve("@node-red/nodes/core/network/21-httprequest.js", { paths: [ROOT] }),
};

/** Each file loaded in fresh processes, in turn (so that the machine's noise spreads over all of them); medians. */
function loading() {
    const runs = Object.fromEntries(Object.keys(LOADED_FILES).map((name) => [name, []]));
    for (let r = 0; r < Number(options.loads); r++) {
        for (const [name, file] of Object.entries(LOADED_FILES)) {
            const result = spawnSync(process.execPath, ["--expose-gc", path.join(BENCH, "load.js"), file], { encoding: "utf8" });
            const line = result.stdout.split("\n").find((text) => text.startsWith("LOAD "));
            if (result.status !== 0 || !line) throw new Error(`loading ${file} failed: ${result.stderr}`);
            runs[name].push(JSON.parse(line.slice(5)));
        }
    }
    return Object.entries(runs).map(([name, all]) => ({ name, ...medianOf(all) }));
}

async function burst() {
    const runs = [];
    for (let r = 0; r < REPEAT; r++) {
        runs.push(
            await withStandin("postMessage", (standin) =>
                runCase({ way: "node", burst: true, operation: "postMessage", concurrency: 50, messages: Number(options.burst), rate: Number(options.rate), warmup: 200, standin }),
            ),
        );
    }
    return medianOf(runs);
}

function versions() {
    const pkg = require(path.join(ROOT, "package.json"));
    const version = (name, dir = ROOT) => require(require.resolve(`${name}/package.json`, { paths: [dir] })).version;
    return {
        package: `${pkg.name} ${pkg.version}`,
        nodeRed: version("node-red"),
        twilio: version("twilio"),
        official: `node-red-node-twilio ${version("node-red-node-twilio", BENCH)} (twilio ${version("twilio", path.join(BENCH, "node_modules", "node-red-node-twilio"))})`,
        undici: version("undici", BENCH),
        node: process.version,
        commit: (() => {
            try {
                return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
            } catch {
                return "unknown";
            }
        })(),
    };
}

function report(results, ceilings, burstResult, loads, profile) {
    const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);
    const find = (operation, concurrency, way) => results.find((r) => r.operation === operation && r.concurrency === concurrency && r.way === way);
    const v = versions();
    const cpu = os.cpus();
    const lines = [
        "# Benchmark results",
        "",
        `Written by \`npm run bench\` on ${new Date().toISOString()} (commit ${v.commit}).`,
        "",
        `Machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${mb(os.totalmem())} MB, ${os.type()} ${os.release()}. ` +
            `Node ${v.node}, Node-RED ${v.nodeRed}, ${v.package}, twilio ${v.twilio}, undici ${v.undici}, ${v.official}.`,
        "",
        `${MESSAGES} messages per run after ${WARMUP} to warm up, ${REPEAT} runs per case, the median shown. Each run is a fresh process; ` +
            "the stand-in runs in a process of its own on 127.0.0.1 (its CPU and memory are not counted). Latency is from the message " +
            "entering the node to its output (node), or of the call (sdk, undici). *Added* is the node's latency minus the plain SDK loop's.",
        "",
        "| operation | concurrency | way | msg/s | vs sdk | vs undici | p50 ms | p99 ms | added p50 ms | added p99 ms | peak RSS MB | peak heap MB | CPU ms/msg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ];
    for (const r of results) {
        const sdk = find(r.operation, r.concurrency, "sdk");
        const undici = find(r.operation, r.concurrency, "undici");
        const added = r.way === "sdk" || r.way === "undici" ? ["", ""] : [(r.p50 - sdk.p50).toFixed(2), (r.p99 - sdk.p99).toFixed(2)];
        lines.push(
            `| ${r.operation} | ${r.concurrency} | ${r.way} | ${r.perSecond.toFixed(0)} | ${(r.perSecond / sdk.perSecond).toFixed(2)} | ` +
                `${(r.perSecond / undici.perSecond).toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${added[0]} | ${added[1]} | ` +
                `${mb(r.rss)} | ${mb(r.heap)} | ${r.cpuPerMessageMs.toFixed(3)} |`,
        );
    }
    lines.push("", "The stand-in's own ceiling (two undici processes at concurrency 50 at once):", "");
    lines.push("| operation | msg/s |", "|---|---|");
    for (const c of ceilings) lines.push(`| ${c.operation} | ${c.perSecond.toFixed(0)} |`);
    lines.push(
        "",
        `Burst: ${options.burst} messages injected at once into postMessage, account rate ${options.rate}/s, 50 in flight:`,
        "",
        "| memory per queued message | drain rate | configured rate | off by |",
        "|---|---|---|---|",
        `| ${(burstResult.bytesPerQueued / 1024).toFixed(2)} KB | ${burstResult.drainPerSecond.toFixed(1)}/s | ${burstResult.rate}/s | ${((burstResult.drainPerSecond / burstResult.rate - 1) * 100).toFixed(2)} % |`,
    );
    const goals = [];
    for (const operation of Object.keys(WAYS)) {
        for (const concurrency of CONCURRENCY) {
            const node = find(operation, concurrency, "node");
            const sdk = find(operation, concurrency, "sdk");
            goals.push([`${operation} c=${concurrency}: node throughput ≥ 90 % of the SDK loop`, node.perSecond >= 0.9 * sdk.perSecond, `${((node.perSecond / sdk.perSecond) * 100).toFixed(0)} %`]);
            goals.push([`${operation} c=${concurrency}: under 1 ms p50 added by the node`, node.p50 - sdk.p50 < 1, `${(node.p50 - sdk.p50).toFixed(2)} ms`]);
        }
    }
    lines.push("", "postMessage with the outbox (every create committed to SQLite, WAL, synchronous=FULL, before it is sent) against the same node without it:", "");
    // two counts of what reaches the disk: write_bytes counts every 4 KB page of the page cache a write dirties (a
    // commit that appends 1 KB to the WAL dirties its page again: at least 4 KB per fsync'd commit); the bytes
    // SQLite hands to write calls are wchar of the outbox run minus that of the same node in memory (the same
    // HTTP traffic on both sides)
    lines.push(
        "| concurrency | outbox msg/s | in memory msg/s | share | p50 added ms | fsyncs per message | storage bytes per message (write_bytes, 4 KB pages) | bytes SQLite writes per message (wchar, outbox − in memory) |",
        "|---|---|---|---|---|---|---|---|",
    );
    for (const concurrency of CONCURRENCY) {
        const outbox = find("postMessage", concurrency, "outbox");
        const node = find("postMessage", concurrency, "node");
        if (!outbox || !node) continue;
        lines.push(
            `| ${concurrency} | ${outbox.perSecond.toFixed(0)} | ${node.perSecond.toFixed(0)} | ${((outbox.perSecond / node.perSecond) * 100).toFixed(0)} % | ` +
                `${(outbox.p50 - node.p50).toFixed(2)} | ${outbox.fsyncsPerMessage === undefined ? "no strace" : outbox.fsyncsPerMessage.toFixed(2)} | ${outbox.writeBytesPerMessage.toFixed(0)} | ` +
                `${(outbox.writeCallBytesPerMessage - node.writeCallBytesPerMessage).toFixed(0)} |`,
        );
        if (concurrency === 1) {
            goals.push(["outbox c=1: under 2 ms p50 added", outbox.p50 - node.p50 < 2, `${(outbox.p50 - node.p50).toFixed(2)} ms`]);
            if (outbox.fsyncsPerMessage !== undefined) goals.push(["outbox c=1: at most 2 fsyncs per message", outbox.fsyncsPerMessage <= 2, outbox.fsyncsPerMessage.toFixed(2)]);
            goals.push(["outbox c=1: at most 4 KB written per message (storage pages, write_bytes)", outbox.writeBytesPerMessage <= 4096, `${(outbox.writeBytesPerMessage / 1024).toFixed(2)} KB`]);
            const sqliteBytes = outbox.writeCallBytesPerMessage - node.writeCallBytesPerMessage;
            goals.push(["outbox c=1: at most 4 KB written per message (bytes SQLite writes)", sqliteBytes <= 4096, `${(sqliteBytes / 1024).toFixed(2)} KB`]);
        }
    }
    lines.push(
        "",
        "postMessage with the outbox on Valkey/Redis (one instance; redis-server on 127.0.0.1, appendonly with appendfsync always) beside the SQLite outbox and in memory:",
        "",
        "| concurrency | redis msg/s | SQLite outbox msg/s | in memory msg/s | redis p50 ms | SQLite p50 ms | in memory p50 ms |",
        "|---|---|---|---|---|---|---|",
    );
    for (const concurrency of CONCURRENCY) {
        const redis = find("postMessage", concurrency, "redis");
        const outbox = find("postMessage", concurrency, "outbox");
        const node = find("postMessage", concurrency, "node");
        if (!redis || !outbox || !node) continue;
        lines.push(
            `| ${concurrency} | ${redis.perSecond.toFixed(0)} | ${outbox.perSecond.toFixed(0)} | ${node.perSecond.toFixed(0)} | ${redis.p50.toFixed(2)} | ${outbox.p50.toFixed(2)} | ${node.p50.toFixed(2)} |`,
        );
    }
    lines.push(
        "",
        `Loading a node file as Node-RED does at start (\`require()\` and the call of its function with RED), each in a fresh process, ${options.loads} runs, median:`,
        "",
        "| node file | ms | RSS added MB | heap added MB |",
        "|---|---|---|---|",
    );
    for (const load of loads) lines.push(`| ${load.name} | ${load.ms.toFixed(1)} | ${(load.rss / 2 ** 20).toFixed(1)} | ${(load.heap / 2 ** 20).toFixed(1)} |`);
    const ours = loads[0];
    goals.push(["loading the package's node file: ≤ 100 ms", ours.ms <= 100, `${ours.ms.toFixed(1)} ms`]);
    goals.push(["loading the package's node file: ≤ 15 MB RSS", ours.rss <= 15 * 2 ** 20, `${(ours.rss / 2 ** 20).toFixed(1)} MB`]);
    for (const operation of Object.keys(WAYS)) {
        for (const concurrency of CONCURRENCY.filter((c) => c >= 10)) {
            const node = find(operation, concurrency, "node");
            const undici = find(operation, concurrency, "undici");
            goals.push([`${operation} c=${concurrency}: node throughput ≥ 80 % of the undici loop`, node.perSecond >= 0.8 * undici.perSecond, `${((node.perSecond / undici.perSecond) * 100).toFixed(0)} %`]);
        }
        const node10 = find(operation, 10, "node");
        if (node10) goals.push([`${operation} c=10: CPU ≤ 0.15 ms per message`, node10.cpuPerMessageMs <= 0.15, `${node10.cpuPerMessageMs.toFixed(3)} ms`]);
    }
    const outbox10 = find("postMessage", 10, "outbox");
    const node10 = find("postMessage", 10, "node");
    if (outbox10 && node10) goals.push(["outbox c=10: ≥ 80 % of the in-memory throughput", outbox10.perSecond >= 0.8 * node10.perSecond, `${((outbox10.perSecond / node10.perSecond) * 100).toFixed(0)} %`]);
    goals.push(["under 2 KB per queued message", burstResult.bytesPerQueued < 2048, `${(burstResult.bytesPerQueued / 1024).toFixed(2)} KB`]);
    goals.push(["drain rate within 5 % of the configured rate", Math.abs(burstResult.drainPerSecond / burstResult.rate - 1) <= 0.05, `${burstResult.drainPerSecond.toFixed(1)}/s for ${burstResult.rate}/s`]);
    lines.push(
        "",
        `Where the CPU goes: the node's postMessage at concurrency 10 under V8's profiler (bench/profile.js; ${profile.result.cpuPerMessageMs.toFixed(3)} ms ` +
            "of CPU per message in this longer, profiled run), the measured loop's busy time by cost centre (each sample to the nearest " +
            "source file of this package on its stack, else to what ran):",
        "",
        "| cost centre | share of busy time |",
        "|---|---|",
    );
    const shown = profile.centres.filter((centre) => centre.share >= 0.005);
    for (const centre of shown) lines.push(`| ${centre.name} | ${(centre.share * 100).toFixed(1)} % |`);
    const ourShare = profile.centres.filter((centre) => centre.name.startsWith("this package")).reduce((sum, centre) => sum + centre.share, 0);
    lines.push(`| *(all of this package, together)* | *${(ourShare * 100).toFixed(1)} %* |`);
    lines.push("", "Goals:", "", "| goal | met | measured |", "|---|---|---|");
    for (const [goal, met, measured] of goals) lines.push(`| ${goal} | ${met ? "yes" : "**no**"} | ${measured} |`);
    return lines.join("\n") + "\n";
}

async function main() {
    installBenchModules();
    console.log(`bench: ${MESSAGES} messages per run, ${REPEAT} runs per case, concurrency ${CONCURRENCY.join(", ")}`);
    const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-bench-redis-"));
    const redis = await startRedis(redisDir, { persist: true });
    redisUrl = redis.url;
    let results;
    try {
        results = await loops();
    } finally {
        await redis.stop();
        fs.rmSync(redisDir, { recursive: true, force: true });
    }
    const ceilings = [await ceiling("postMessage"), await ceiling("getMessage")];
    const burstResult = await burst();
    const loads = loading();
    console.log("bench: a CPU profile of the node's postMessage at c=10 ...");
    const profile = await withStandin("postMessage", (standin) => profileNode(standin));
    const table = report(results, ceilings, burstResult, loads, profile);
    fs.writeFileSync(path.join(BENCH, "results.md"), table);
    console.log(`\n${table}`);
    console.log("Written to bench/results.md");
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
