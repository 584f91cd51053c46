/**
 * Node-RED for the tests: node-red-node-test-helper with this package's compiled nodes, and the real
 * message catalogs behind RED._ (the helper's own RED._ returns the key), so that tests read the sentences a
 * user reads.
 */
"use strict";
const path = require("node:path");
const helper = require("node-red-node-test-helper");
const { EventEmitter } = require("node:events");

/**
 * The Node-RED under test: the package directory named by NODE_RED_RUNTIME (set by test/compat/run.js to run the
 * suites on other Node-RED versions), else the top-level node-red. @node-red/util comes from that same runtime,
 * so that the catalogs and the log handler below are the ones its nodes use.
 */
const RUNTIME_DIR = process.env.NODE_RED_RUNTIME
    ? path.resolve(process.env.NODE_RED_RUNTIME)
    : path.dirname(require.resolve("node-red/package.json"));
const { i18n, log } = require(require.resolve("@node-red/util", { paths: [RUNTIME_DIR] }));

const NODES_DIR = path.join(__dirname, "..", "..", "nodes");
const NODE_TYPES = ["twilio-account", "twilio-calls", "twilio-messages", "twilio-media"];

helper.init(require.resolve(RUNTIME_DIR));
// the helper only logs a failed init, and keeps the node-red it found on its own when it was required
if (helper._RED !== require(require.resolve(RUNTIME_DIR))) {
    throw new Error(`node-red-node-test-helper could not start the node-red in ${RUNTIME_DIR}`);
}

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
