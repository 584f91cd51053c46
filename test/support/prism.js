/**
 * Stoplight Prism 5.14.2 serving Twilio's contract on 127.0.0.1, as a stateless mock that refuses any
 * request the contract does not allow (--errors: 422 with the reasons) and answers with data generated from
 * the response schemas (--dynamic: the contract's own list examples carry relative URIs that its "uri"
 * format refuses, which --errors would turn into 500s that say nothing about our requests).
 */
"use strict";
const { spawn } = require("node:child_process");
const net = require("node:net");
const path = require("node:path");
const { CONTRACT_FILE } = require("./contract");

const PRISM = require.resolve("@stoplight/prism-cli/dist/index.js");
const START_LIMIT_MS = 60_000;

async function freePort() {
    const server = net.createServer();
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address();
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/** Starts Prism; resolves with {url, output(), stop()} once it listens. output() is its log so far. */
async function startPrism() {
    const port = await freePort();
    const child = spawn(process.execPath, [PRISM, "mock", "--errors", "--dynamic", "-h", "127.0.0.1", "-p", String(port), CONTRACT_FILE], {
        cwd: path.dirname(CONTRACT_FILE),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Prism did not start within ${START_LIMIT_MS} ms:\n${log}`)), START_LIMIT_MS);
        const onData = (chunk) => {
            log += chunk;
            if (log.includes("Prism is listening on")) {
                clearTimeout(timer);
                resolve();
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        exited.then((code) => reject(new Error(`Prism exited with ${code}:\n${log}`)));
    });
    return {
        url: `http://127.0.0.1:${port}`,
        output: () => log,
        async stop() {
            child.kill("SIGTERM");
            await exited;
        },
    };
}

module.exports = { startPrism };
