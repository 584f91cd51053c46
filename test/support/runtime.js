/**
 * Node-RED for the tests: node-red-node-test-helper with this package's compiled nodes, and the real
 * message catalogs behind RED._ (the helper's own RED._ returns the key), so that tests read the sentences a
 * user reads.
 */
"use strict";
const path = require("node:path");
const helper = require("node-red-node-test-helper");
const { EventEmitter } = require("node:events");
const { i18n, log } = require("@node-red/util");

const NODES_DIR = path.join(__dirname, "..", "..", "nodes");
const NODE_TYPES = ["twilio-account", "twilio-calls", "twilio-messages", "twilio-media"];

helper.init(require.resolve("node-red"));

let catalogs;
function loadCatalogs() {
    catalogs ??= (async () => {
        i18n.init({ lang: "en-US" });
        for (const type of NODE_TYPES) {
            await i18n.registerMessageCatalog(`test/${type}`, path.join(NODES_DIR, "locales"), `${type}.json`);
        }
    })();
    return catalogs;
}

/** A node module as Node-RED's loader would give it: RED._ looks up that node set's own catalog. */
function withCatalog(type) {
    const register = require(path.join(NODES_DIR, `${type}.js`)).default;
    const wrapped = (RED) => {
        const red = Object.create(RED);
        red._ = (key, substitutions) => i18n._(`test/${type}:${key}`, substitutions);
        return register(red);
    };
    return wrapped;
}

const nodeModules = NODE_TYPES.map(withCatalog);

/** Loads a flow with all of the package's nodes (and the helper's core nodes it names). */
async function loadFlow(flow, credentials = {}) {
    await loadCatalogs();
    await helper.load(nodeModules, flow, credentials);
}

/**
 * Records every log line of the runtime (Node-RED's own log handler API) until stop(): unlike the helper's
 * log spy, this one also sees what nodes log while they close.
 */
function captureLog() {
    const entries = [];
    const handler = new EventEmitter();
    handler.on("log", (entry) => entries.push(entry));
    log.addHandler(handler);
    return { entries, levels: { ERROR: log.ERROR, WARN: log.WARN }, stop: () => log.removeHandler(handler) };
}

module.exports = { helper, loadFlow, captureLog, NODE_TYPES };
