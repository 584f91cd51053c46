/**
 * Node-RED 4 embedded in the benchmark's process, with a given flow: messages go in through the first node's
 * receive() (as from a wire) and come out at bench-sink nodes, so the runtime's own messaging is measured too.
 */
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.join(__dirname, "..", "..");
const SINK_DIR = path.join(__dirname, "..", "nodes");

/**
 * @param {object[]} flow the flow's nodes (config nodes with their credentials inline under `credentials`)
 * @param {string[]} nodesDirs where Node-RED finds the node modules besides the sink
 */
async function startNodeRed(flow, nodesDirs) {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-bench-"));
    const credentials = {};
    const nodes = flow.map(({ credentials: creds, ...node }) => {
        if (creds) credentials[node.id] = creds;
        return node;
    });
    fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(nodes));
    // a throwaway directory with the stand-in's test account: no encryption needed
    fs.writeFileSync(path.join(userDir, "flows_cred.json"), JSON.stringify(credentials));
    const RED = require("node-red");
    RED.init(http.createServer(), {
        userDir,
        flowFile: "flows.json",
        credentialSecret: false,
        nodesDir: [...nodesDirs, SINK_DIR],
        httpAdminRoot: false,
        httpNodeRoot: false,
        disableEditor: true,
        telemetry: { enabled: false },
        logging: { console: { level: "error", metrics: false, audit: false } },
    });
    const started = new Promise((resolve) => RED.events.once("flows:started", resolve));
    await RED.start();
    await started;
    return {
        RED,
        node: (id) => RED.nodes.getNode(id),
        async stop() {
            await RED.stop();
            fs.rmSync(userDir, { recursive: true, force: true });
        },
    };
}

module.exports = { startNodeRed, ROOT };
