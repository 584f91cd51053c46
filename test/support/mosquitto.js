/**
 * Debian's Mosquitto (apt-get install mosquitto; .ci/run installs it) started by a test on 127.0.0.1 with a config of
 * its own, on a free port, logging to stderr (unbuffered, unlike its stdout) what the tests wait for: that it runs,
 * and each subscription as the broker takes it ("<client id> <qos> <topic>").
 */
"use strict";
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");

function mosquittoBinary() {
    for (const candidate of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]) if (fs.existsSync(candidate)) return candidate;
    try {
        return execFileSync("sh", ["-c", "command -v mosquitto"]).toString().trim();
    } catch {
        throw new Error("mosquitto is not installed: apt-get install -y mosquitto (.ci/run does)");
    }
}

/** Listens on port 0 to learn a free port (mosquitto cannot report the port it chose). */
function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/**
 * Starts Mosquitto in `dir` (its config file goes there) and resolves once it says it runs. Anonymous clients are
 * allowed unless `anonymous` is false (then, with no password file, every client is refused: CONNACK code 5).
 * @returns {{port: number, output: () => string, waitFor: (what: string, pattern: RegExp, count?: number, limitMs?: number) => Promise<void>, stop: () => Promise<void>}}
 */
async function startMosquitto(dir, { anonymous = true, limitMs = 15_000 } = {}) {
    const port = await freePort();
    const config = path.join(dir, "mosquitto.conf");
    fs.writeFileSync(
        config,
        [`listener ${port} 127.0.0.1`, `allow_anonymous ${anonymous}`, "persistence false", "log_dest stderr", "log_type notice", "log_type information", "log_type subscribe", ""].join("\n"),
    );
    const child = spawn(mosquittoBinary(), ["-c", config], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise((resolve) => child.once("exit", resolve));
    for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output += chunk));

    /** Resolves once `pattern` (global flag not needed) has matched `count` lines of the log; fails if mosquitto exits. */
    function waitFor(what, pattern, count = 1, limit = limitMs) {
        const matches = () => output.split("\n").filter((line) => pattern.test(line)).length;
        return new Promise((resolve, reject) => {
            const done = (err) => {
                clearTimeout(timer);
                child.stderr.off("data", check);
                child.stdout.off("data", check);
                child.off("exit", onExit);
                if (err) reject(err);
                else resolve();
            };
            const check = () => {
                if (matches() >= count) done();
            };
            const onExit = (code) => done(new Error(`mosquitto exited (${code}) before ${what}:\n${output}`));
            const timer = setTimeout(() => done(new Error(`timed out after ${limit} ms waiting for ${what}; mosquitto said:\n${output}`)), limit);
            child.stderr.on("data", check);
            child.stdout.on("data", check);
            child.once("exit", onExit);
            if (child.exitCode !== null || child.signalCode !== null) return onExit(child.exitCode ?? child.signalCode);
            check();
        });
    }

    async function stop() {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            await exited;
        }
    }
    try {
        await waitFor("mosquitto to run", /mosquitto version \S+ running/);
    } catch (err) {
        await stop();
        throw err;
    }
    return { port, output: () => output, waitFor, stop };
}

module.exports = { startMosquitto, mosquittoBinary, freePort };
