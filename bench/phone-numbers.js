#!/usr/bin/env node
/**
 * What libphonenumber-js costs (issue 13, README Decisions): for each metadata set (min, max, mobile), the time
 * to require it and validate one number in a fresh process (median of --runs), the heap it holds, the time per
 * normalisation of a national number, and the size of what it ships. Run after `npm run build`:
 * `node bench/phone-numbers.js [--runs 15]`. Prints figures, asserts nothing.
 */
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");

const ROOT = path.join(__dirname, "..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const RUNS = Number(values.runs);
const PACKAGE_DIR = path.dirname(require.resolve("libphonenumber-js/package.json", { paths: [ROOT] }));

/** One fresh process: ms to require and validate once, heap KB it added, µs per normalisation after warm-up. */
const PROBE = `
const start = process.hrtime.bigint();
global.gc();
const heapBefore = process.memoryUsage().heapUsed;
const started = process.hrtime.bigint();
const lib = require(process.argv[1]);
// the library itself, or the package's rule built on it (toE164)
const check = lib.toE164 ? (number) => lib.toE164(number, "DE") : (number) => lib.parsePhoneNumberWithError(number, "DE").isValid();
check("+491712345678");
const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
global.gc();
const heapKb = (process.memoryUsage().heapUsed - heapBefore) / 1024;
const numbers = ["0171 2345678", "030 12345678", "0049 171 2345678", "+49 (0)171 2345678"];
for (let i = 0; i < 2000; i++) check(numbers[i % 4]);
const t = process.hrtime.bigint();
const N = 20000;
for (let i = 0; i < N; i++) check(numbers[i % 4]);
const perCallUs = Number(process.hrtime.bigint() - t) / 1e3 / N;
console.log(JSON.stringify({ loadMs, heapKb, perCallUs }));
`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function probe(entry) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
        const out = execFileSync(process.execPath, ["--expose-gc", "-e", PROBE, entry], { cwd: ROOT, encoding: "utf8" });
        runs.push(JSON.parse(out));
    }
    return { loadMs: median(runs.map((r) => r.loadMs)), heapKb: median(runs.map((r) => r.heapKb)), perCallUs: median(runs.map((r) => r.perCallUs)) };
}

function sizeOf(dir) {
    let total = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        total += entry.isDirectory() ? sizeOf(file) : fs.statSync(file).size;
    }
    return total;
}

const version = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")).version;
console.log(`libphonenumber-js ${version}, Node ${process.version}, median of ${RUNS} fresh processes`);
console.log(`installed package: ${(sizeOf(PACKAGE_DIR) / 1e6).toFixed(1)} MB on disk (all builds and metadata sets)`);
console.log("| set | metadata JSON | require + first isValid | heap held | parse + isValid of a national number |");
console.log("|---|---|---|---|---|");
for (const set of ["min", "max", "mobile"]) {
    const metadata = fs.statSync(path.join(PACKAGE_DIR, `metadata.${set}.json`)).size;
    const { loadMs, heapKb, perCallUs } = probe(`libphonenumber-js/${set}`);
    console.log(`| ${set} | ${(metadata / 1024).toFixed(0)} KB | ${loadMs.toFixed(1)} ms | ${(heapKb / 1024).toFixed(2)} MB | ${perCallUs.toFixed(1)} µs |`);
}
const rules = probe(path.join(ROOT, "build/rules/phone-numbers.js"));
console.log(`package's rules/phone-numbers.js (build/) (max): require + first toE164 ${rules.loadMs.toFixed(1)} ms, heap ${(rules.heapKb / 1024).toFixed(2)} MB, toE164 of a national number ${rules.perCallUs.toFixed(1)} µs`);

// for scale: what the package's other dependencies take to load on the same machine
const LOAD = `const t = process.hrtime.bigint(); require(process.argv[1]); console.log(Number(process.hrtime.bigint() - t) / 1e6);`;
for (const dependency of ["twilio", "zod"]) {
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push(Number(execFileSync(process.execPath, ["-e", LOAD, dependency], { cwd: ROOT, encoding: "utf8" })));
    console.log(`for scale, require("${dependency}"): ${median(times).toFixed(1)} ms`);
}
