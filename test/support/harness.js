/**
 * One operation node under test: a twilio-account pointing at the stand-in, the node, and a helper node on
 * each output. run(msg) sends one message and resolves with the one output it produced.
 */
"use strict";
const net = require("node:net");
const { helper, loadFlow, captureLog } = require("./runtime");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../../build/standin/server");

const ACCOUNT_ID = "acct1";
const NODE_ID = "twilio1";

/**
 * The stand-in of a describe block: started before its tests, stopped after them, emptied before each test;
 * the flow under test is unloaded after each.
 */
function useStandin() {
    const standin = new TwilioStandin();
    before(() => standin.start());
    after(() => standin.stop());
    beforeEach(() => standin.reset());
    afterEach(() => helper.unload());
    return standin;
}

/**
 * A port on 127.0.0.1 where connections are refused, held until release(): a client socket of ours is bound
 * to it (connected to a listener of our own), so no other listener can take it, and nothing listens on it.
 * (Listening on port 0 and closing would hand out a port that anything may take again at once.)
 */
async function refusingPort() {
    const accepted = [];
    const server = net.createServer((socket) => accepted.push(socket));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = net.connect({ host: "127.0.0.1", port: server.address().port });
    await new Promise((resolve, reject) => client.once("connect", resolve).once("error", reject));
    return {
        port: client.localPort,
        async release() {
            client.destroy();
            accepted.forEach((socket) => socket.destroy());
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

/**
 * @param {object} options
 * @param {string} options.type node type, e.g. "twilio-messages"
 * @param {string} options.operation
 * @param {object} [options.fields] node properties: { To: "+1...", ToType: "str", ... }
 * @param {object} [options.account] twilio-account properties (apiBaseUrl, timeout)
 * @param {object} [options.credentials] twilio-account credentials (default: the stand-in's account)
 * @param {boolean} [options.errorOutput] wire output 2 (default true)
 * @param {object[]} [options.extraNodes] more nodes in the flow (e.g. a catch node)
 */
async function loadNode(standin, options) {
    const flow = [
        { id: "tab1", type: "tab", label: "test" },
        { id: ACCOUNT_ID, type: "twilio-account", apiBaseUrl: standin?.url ?? "", timeout: 5, ...options.account },
        {
            id: NODE_ID,
            z: "tab1",
            type: options.type,
            account: ACCOUNT_ID,
            operation: options.operation,
            ...options.fields,
            wires: [["out1"], options.errorOutput === false ? [] : ["out2"]],
        },
        { id: "out1", z: "tab1", type: "helper" },
        { id: "out2", z: "tab1", type: "helper" },
        ...(options.extraNodes ?? []).map((node) => ({ z: "tab1", ...node })),
    ];
    const credentials = options.credentials ?? { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN };
    await loadFlow(flow, { [ACCOUNT_ID]: credentials });
    return helper.getNode(NODE_ID);
}

/** Resolves with the next `count` outputs as {port: 1 | 2, msg}, in arrival order. */
function collect(count, timeoutMs = 10000) {
    const outputs = [];
    const listeners = [];
    const stop = () => listeners.forEach(([node, listener]) => node.removeListener("input", listener));
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            stop();
            reject(new Error(`expected ${count} output messages, got ${outputs.length}`));
        }, timeoutMs);
        for (const [id, port] of [["out1", 1], ["out2", 2]]) {
            const node = helper.getNode(id);
            const listener = (msg) => {
                outputs.push({ port, msg });
                if (outputs.length === count) {
                    clearTimeout(timer);
                    stop();
                    resolve(outputs);
                }
            };
            node.on("input", listener);
            listeners.push([node, listener]);
        }
    });
}

/** Sends one message to the node under test and resolves with its one output. */
async function run(msg, timeoutMs) {
    const outputs = collect(1, timeoutMs);
    helper.getNode(NODE_ID).receive(msg);
    const [output] = await outputs;
    return output;
}

/** Calls the stand-in's API directly (not through the node): to seed data or look at the result. */
async function standinApi(standin, method, path, form) {
    const response = await fetch(`${standin.url}/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}${path}`, {
        method,
        headers: {
            Authorization: "Basic " + Buffer.from(`${STANDIN_ACCOUNT_SID}:${STANDIN_AUTH_TOKEN}`).toString("base64"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
    });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

module.exports = {
    helper,
    captureLog,
    useStandin,
    refusingPort,
    loadNode,
    collect,
    run,
    standinApi,
    NODE_ID,
    ACCOUNT_ID,
    STANDIN_ACCOUNT_SID,
    STANDIN_AUTH_TOKEN,
};
