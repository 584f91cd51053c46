/**
 * One operation node under test: a twilio-account pointing at the stand-in, the node, and a helper node on
 * each output. run(msg) sends one message and resolves with the one output it produced.
 */
"use strict";
const assert = require("node:assert/strict");
const net = require("node:net");
const { helper, loadFlow, captureLog, quiet, SETTLE_MS } = require("./runtime");
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

/** A complete node on the node under test, wired to the helper "completed": one "input" there per done() call. */
const COMPLETE_NODES = [
    { id: "complete1", type: "complete", scope: [NODE_ID], uncaught: false, wires: [["completed"]] },
    { id: "completed", type: "helper" },
];

/**
 * Every output (out1, out2) and done() call (the helper "completed" of COMPLETE_NODES) of the node under test,
 * filed by the input's _msgid from attach() on, so that an output that comes late or twice is counted against
 * the input it belongs to whenever it comes. An input's outputs are one, or msg.parts.count when the node split
 * it into parts of its own (msg.parts.id is the input's _msgid: a To given as a list), and done() comes once.
 */
class OutputLedger {
    constructor() {
        this.inputs = new Map();
        this.sent = new Set();
        this.events = [];
        this.listeners = [];
        this.wake = new Set();
        this.counter = 0;
    }

    attach() {
        for (const [id, kind] of [["out1", 1], ["out2", 2], ["completed", "done"]]) {
            const node = helper.getNode(id);
            const listener = (msg) => this.record(kind, msg);
            node.on("input", listener);
            this.listeners.push([node, listener]);
        }
        return this;
    }

    detach() {
        this.listeners.forEach(([node, listener]) => node.removeListener("input", listener));
        this.listeners = [];
    }

    entry(msgid) {
        let entry = this.inputs.get(msgid);
        if (!entry) this.inputs.set(msgid, (entry = { outputs: [], completions: 0 }));
        return entry;
    }

    record(kind, msg) {
        const entry = this.entry(msg._msgid);
        if (kind === "done") entry.completions++;
        else entry.outputs.push({ port: kind, msg });
        this.events.push({ msgid: msg._msgid, kind });
        this.wake.forEach((wake) => wake());
    }

    /** How many outputs the input announces: msg.parts.count of parts the node made of it, else one. */
    expectedOutputs(msgid) {
        const first = this.entry(msgid).outputs[0];
        if (!first) return undefined;
        const parts = first.msg.parts;
        return parts && parts.id === msgid ? parts.count : 1;
    }

    /**
     * Sends `msg` (a fresh _msgid unless it has one) and resolves with its outputs, in arrival order, once done()
     * came and all the outputs it announces; fails if an output or done() of another input came meanwhile (a
     * leftover of an earlier one), and if this one's are not exactly its own so far.
     */
    run(msg, timeoutMs = 15_000) {
        const msgid = msg._msgid ?? `ledger-${++this.counter}`;
        const from = this.events.length;
        this.sent.add(msgid);
        const entry = this.entry(msgid);
        return new Promise((resolve, reject) => {
            const finish = (error) => {
                clearTimeout(timer);
                this.wake.delete(check);
                if (error) reject(error);
                else resolve(entry.outputs);
            };
            const timer = setTimeout(() => {
                finish(new Error(`input ${msgid}: expected ${this.expectedOutputs(msgid) ?? "?"} outputs and done(), got ${entry.outputs.length} and ${entry.completions}`));
            }, timeoutMs);
            const check = () => {
                const expected = this.expectedOutputs(msgid);
                if (entry.completions === 0 || expected === undefined || entry.outputs.length < expected) return;
                try {
                    const foreign = this.events.slice(from).filter((event) => event.msgid !== msgid);
                    assert.deepEqual(foreign, [], `input ${msgid}: outputs or done() of other inputs came while it ran`);
                    this.assertExact(msgid);
                    finish();
                } catch (error) {
                    finish(error);
                }
            };
            this.wake.add(check);
            helper.getNode(NODE_ID).receive({ ...msg, _msgid: msgid });
        });
    }

    /** The input's outputs are exactly those it announces (each part once) and done() came exactly once. */
    assertExact(msgid) {
        const entry = this.entry(msgid);
        const expected = this.expectedOutputs(msgid);
        const summary = () => JSON.stringify(entry.outputs.map(({ port, msg }) => ({ port, parts: msg.parts, type: msg.payload?.type })));
        assert.equal(entry.completions, 1, `input ${msgid}: done() called ${entry.completions} times`);
        assert.equal(entry.outputs.length, expected, `input ${msgid}: ${entry.outputs.length} outputs for ${expected}: ${summary()}`);
        if (expected !== 1 || entry.outputs[0].msg.parts?.id === msgid) {
            const indexes = entry.outputs.map(({ msg }) => (msg.parts?.id === msgid && msg.parts.count === expected ? msg.parts.index : -1));
            assert.deepEqual(indexes.sort((a, b) => a - b), [...Array(expected).keys()], `input ${msgid}: each part once: ${summary()}`);
        }
    }

    /** Every input sent has exactly its outputs and one done(), and nothing came for an input never sent. */
    assertAllExact() {
        for (const msgid of this.inputs.keys()) assert.ok(this.sent.has(msgid), `an output or done() for ${msgid}, never sent`);
        for (const msgid of this.sent) this.assertExact(msgid);
    }

    /** Every output of every input sent. */
    outputs() {
        return [...this.sent].flatMap((msgid) => this.entry(msgid).outputs);
    }
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
    quiet,
    OutputLedger,
    COMPLETE_NODES,
    SETTLE_MS,
    NODE_ID,
    ACCOUNT_ID,
    STANDIN_ACCOUNT_SID,
    STANDIN_AUTH_TOKEN,
};
