#!/usr/bin/env node
/**
 * `npm run scorecard`: the Flow Library scorecard of this package, i.e. `node-red-dev validate` (node-red-dev
 * 0.1.6) on the package root, offline-safe: scripts/scorecard-offline.js (preloaded with node -r) answers the one
 * request this machine cannot make, the Flow Library catalogue (P08, N01), with an empty catalogue. Everything
 * else is real, including the npm registry look-ups of P06, P07, D02 and D03.
 *
 * Prints node-red-dev's own output, then a summary of its scorecard (written with --output). One failure is
 * accepted, and said: D03 for a dependency whose latest major asks for a Node.js this package supports no longer
 * (undici 8 needs Node 22.19; Node-RED 3 and 4 run on Node 20), while it is at the newest release of its major.
 * Exits 1 if any other check fails or warns, if a check is missing from the scorecard, if an HTML file could not be parsed, or if validate
 * itself errors. Usage: node scripts/scorecard.js [package dir] (default: this checkout).
 */
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const PRELOAD = path.join(__dirname, "scorecard-offline.js");
const NODE_RED_DEV = path.join(path.dirname(require.resolve("node-red-dev/package.json", { paths: [ROOT] })), "bin", "run");

/** Every check node-red-dev 0.1.6 scores (P02 is disabled in that release). */
const CHECKS = {
    P01: "license declared",
    P03: "repository or bugs URL",
    P04: "package name (scoped, or node-red-contrib- prefix)",
    P05: "keywords contain node-red",
    P06: "node-red.version admits the current Node-RED",
    P07: "engines.node compatible with the current Node-RED",
    P08: "no similarly named package in the Flow Library",
    N01: "node types unused by other packages",
    N02: "an example for every non-config node",
    D01: "at most 6 dependencies",
    D02: "no known incompatible package in the dependency tree",
    D03: "dependencies at their latest version",
};

function validate(packageDir, outputFile) {
    return new Promise((resolve) => {
        const child = spawn(
            process.execPath,
            ["-r", PRELOAD, NODE_RED_DEV, "validate", "--path", packageDir, "--output", outputFile],
            { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
            stdout += chunk;
            process.stdout.write(chunk);
        });
        child.stderr.on("data", (chunk) => {
            stderr += chunk;
            process.stderr.write(chunk);
        });
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
}

async function main() {
    const packageDir = path.resolve(process.argv[2] ?? ROOT);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scorecard-"));
    const outputFile = path.join(tmp, "scorecard.json");
    let result;
    let scorecard;
    try {
        result = await validate(packageDir, outputFile);
        scorecard = fs.existsSync(outputFile) ? JSON.parse(fs.readFileSync(outputFile, "utf8")) : undefined;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }

    const accepted = acceptedOutdated(scorecard?.D03, packageDir);
    if (accepted.length && scorecard) {
        for (const { name, installed, latest, needs } of accepted) {
            console.log(`\nscorecard: D03 accepted for ${name}: ${installed} is the newest ${installed.split(".")[0]}.x; its latest, ${latest}, needs Node ${needs}, and this package supports Node 20`);
        }
        if (accepted.length === scorecard.D03.packages.length) scorecard.D03 = { test: true, accepted: accepted.map((one) => `${one.name}@${one.installed}`) };
    }
    const problems = [];
    if (result.code !== 0) problems.push(`node-red-dev validate exited with ${result.signal ?? result.code}`);
    if (!/^Complete$/m.test(result.stdout)) problems.push("node-red-dev validate did not complete");
    // checknodes.js only console.logs an HTML file it cannot parse, and its node checks then pass vacuously
    for (const line of result.stdout.split("\n").filter((l) => l.startsWith("Unable to parse"))) {
        problems.push(`${line.trim()} (no <script type="text/javascript"> block with a literal registerType?)`);
    }
    // oclif's this.warn(): " ›   Warning: ..." on stderr. Some checks warn without failing their test (P05,
    // P06 for a maintenance release that is not admitted), so warnings count as failures on their own.
    const warnings = result.stderr
        .split("\n")
        .filter((line) => /Warning:/.test(line))
        .map((line) => line.replace(/^\s*›?\s*Warning:\s*/, "").trim())
        .filter((warning) => !accepted.some(({ name }) => warning.startsWith(`D03 ${name} is not at latest version`)));
    problems.push(...warnings.map((w) => `warning: ${w}`));
    if (/^\s*›?\s*Error:/m.test(result.stderr)) problems.push("node-red-dev validate reported an error (see above)");

    console.log("\nFlow Library scorecard (node-red-dev 0.1.6, catalogue answered offline as empty)");
    if (!scorecard) {
        problems.push("no scorecard was written");
    } else {
        console.log(`  package ${scorecard.package?.name}@${scorecard.package?.version}`);
        for (const [id, what] of Object.entries(CHECKS)) {
            const entry = scorecard[id];
            if (!entry) problems.push(`${id} (${what}) is missing from the scorecard`);
            else if (entry.test !== true) problems.push(`${id} (${what}) failed: ${JSON.stringify(entry)}`);
            const { test, ...details } = entry ?? {};
            const shown = Object.keys(details).length ? `  ${JSON.stringify(details)}` : "";
            console.log(`  ${entry ? (test === true ? "pass" : "FAIL") : "----"} ${id} ${what}${shown}`);
        }
    }
    if (problems.length) {
        console.log(`\nscorecard: ${problems.length} problem(s):`);
        for (const problem of problems) console.log(`  - ${problem}`);
        process.exit(1);
    }
    console.log(`\nscorecard: all ${Object.keys(CHECKS).length} checks pass, no warnings`);
}

/**
 * The dependencies D03 names that may stay behind: the registry's latest does not admit the oldest Node.js this
 * package's engines do, and the installed one is the newest release of its own major.
 */
function acceptedOutdated(d03, packageDir) {
    if (!d03 || d03.test === true || !Array.isArray(d03.packages)) return [];
    // node-red-dev's own semver, which its checks use
    const semver = require(require.resolve("semver", { paths: [path.join(path.dirname(NODE_RED_DEV), "..")] }));
    const ours = semver.minVersion(require(path.join(packageDir, "package.json")).engines.node);
    const view = (...args) => JSON.parse(execFileSync("npm", ["view", ...args, "--json"], { encoding: "utf8" }));
    const accepted = [];
    for (const name of d03.packages) {
        const installed = require(require.resolve(`${name}/package.json`, { paths: [packageDir] })).version;
        const latest = view(name, "version");
        const needs = view(`${name}@${latest}`, "engines.node");
        const newestOfMajor = semver.maxSatisfying([view(name, "versions")].flat(), `^${installed.split(".")[0]}`);
        if (typeof needs === "string" && !semver.satisfies(ours, needs) && installed === newestOfMajor) accepted.push({ name, installed, latest, needs });
    }
    return accepted;
}

main().catch((err) => {
    console.error(err);
    process.exit(2);
});
