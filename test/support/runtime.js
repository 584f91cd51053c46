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
const NODE_TYPES = ["twilio-account", "twilio-calls", "twilio-messages", "twilio-media", "twilio-webhook", "twilio-alert"];
/** The package's one node set (package.json node-red.nodes): nodes/twilio.js registers all six types. */
const { NODE_SET } = require("../../build/catalog/node-types");

helper.init(require.resolve(RUNTIME_DIR));
// the helper only logs a failed init, and keeps the node-red it found on its own when it was required
if (helper._RED !== require(require.resolve(RUNTIME_DIR))) {
    throw new Error(`node-red-node-test-helper could not start the node-red in ${RUNTIME_DIR}`);
}

let catalogs;
function loadCatalogs() {
    catalogs ??= (async () => {
        i18n.init({ lang: "en-US" });
        await i18n.registerMessageCatalog(`test/${NODE_SET}`, path.join(NODES_DIR, "locales"), `${NODE_SET}.json`);
    })();
    return catalogs;
}

/** The RED the helper gave the nodes of the flow loaded last: its httpNode is where webhook routes are. */
let currentRED;

/** The node set as Node-RED's loader would give it: RED._ looks up the set's own catalog. */
function withCatalog(set) {
    const register = require(path.join(NODES_DIR, `${set}.js`)).default;
    const wrapped = (RED) => {
        currentRED = RED;
        const red = Object.create(RED);
        red._ = (key, substitutions) => i18n._(`test/${set}:${key}`, substitutions);
        return register(red);
    };
    return wrapped;
}

const nodeModules = [withCatalog(NODE_SET)];

/** A core node module of the Node-RED under test, e.g. coreNode("function/15-change.js"). */
function coreNode(file) {
    const nodesDir = path.dirname(require.resolve("@node-red/nodes/package.json", { paths: [RUNTIME_DIR] }));
    return require(path.join(nodesDir, "core", file));
}

/** Loads a flow with all of the package's nodes, the helper's core nodes it names, and `coreNodes` (coreNode()). */
async function loadFlow(flow, credentials = {}, coreNodes = []) {
    await loadCatalogs();
    await helper.load([...nodeModules, ...coreNodes], flow, credentials);
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

/**
 * How long nothing may come out before outputs are counted: Node-RED delivers messages asynchronously, so an
 * output (a late duplicate) can follow the event a test waited for. Generous for a loaded, shared machine.
 */
const SETTLE_MS = 250;

/**
 * Resolves once `quietMs` have passed without an "input" event at any of the nodes `ids` (the clock restarts at
 * each one): a settle period after the last output, bound to the outputs themselves rather than a fixed sleep.
 */
function quiet(ids, quietMs = SETTLE_MS) {
    return new Promise((resolve) => {
        const nodes = ids.map((id) => helper.getNode(id));
        let timer;
        const end = () => {
            nodes.forEach((node) => node.removeListener("input", restart));
            resolve();
        };
        function restart() {
            clearTimeout(timer);
            timer = setTimeout(end, quietMs);
        }
        nodes.forEach((node) => node.on("input", restart));
        restart();
    });
}

/** RED.httpNode of the flow loaded last (an express app, fresh for each load): requests to webhook nodes go there. */
function httpNode() {
    return currentRED?.httpNode;
}

module.exports = { helper, loadFlow, coreNode, captureLog, httpNode, quiet, SETTLE_MS, NODE_TYPES, NODE_SET };
