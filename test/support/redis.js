/**
 * Debian's redis-server (apt-get install redis-server; .ci/run installs it) started by a test on 127.0.0.1, on a
 * free port, without persistence unless asked (`dir` then holds its append-only file), and stopped by it.
 */
"use strict";
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const { freePort } = require("./mosquitto");

function redisBinary() {
    for (const candidate of ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/bin/valkey-server"]) if (fs.existsSync(candidate)) return candidate;
    try {
        return execFileSync("sh", ["-c", "command -v redis-server || command -v valkey-server"]).toString().trim();
    } catch {
        throw new Error("redis-server is not installed: apt-get install -y redis-server (.ci/run does)");
    }
}

/**
 * Starts redis-server and resolves once it accepts connections (with `password`, only with that password).
 * @returns {Promise<{port: number, url: string, output: () => string, stop: () => Promise<void>}>}
 */
async function startRedis(dir, { persist = false, password, limitMs = 15_000 } = {}) {
    const port = await freePort();
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", persist ? "yes" : "no", "--loglevel", "notice"];
    if (persist) args.push("--appendfsync", "always");
    if (password) args.push("--requirepass", password);
    const child = spawn(redisBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            await exited;
        }
    };
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start in ${limitMs} ms:\n${output}`)), limitMs);
        const read = (chunk) => {
            output += chunk;
            if (/Ready to accept connections/.test(output)) {
                clearTimeout(timer);
                resolve();
            }
        };
        child.stdout.on("data", read);
        child.stderr.on("data", read);
        exited.then((code) => {
            clearTimeout(timer);
            reject(new Error(`redis-server exited (${code}):\n${output}`));
        });
    }).catch(async (err) => {
        await stop();
        throw err;
    });
    const version = /(Redis|Valkey) version=(\S+?),/.exec(output);
    return { port, url: `redis://${password ? `:${password}@` : ""}127.0.0.1:${port}`, version: version ? `${version[1]} ${version[2]}` : "redis-server", output: () => output, stop };
}

module.exports = { startRedis, redisBinary };
