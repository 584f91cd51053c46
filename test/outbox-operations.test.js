/**
 * The outbox through what operators do (issue 20), each case with real Node-RED child processes
 * (test/support/node-red-process.js) and the stand-in as the judge: a full deploy during a 429 wait, a 401 for the
 * first creates, the config node replaced by one with a new id, a second Node-RED on the same user directory, two
 * createCalls to one number at kill -9, a lookup that Twilio refuses, the file's modes and what it keeps after a
 * clean stop, a full disk, and a large Buffer on msg.
 *
 * Results are put out by function nodes that append one JSON line per output to a file (with the pid of the
 * Node-RED that put it out); statuses are read as the editor reads them (the admin websocket); the log is the
 * process's own output. Waits are on events or on conditions polled with generous limits; the only fixed waits
 * are the settle periods after the last output, which give a second create or output the time to show if there
 * were one.
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const v8 = require("node:v8");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { SqliteOutboxStore } = require("../build/outbox/sqlite-store");
const { accountKey } = require("../build/outbox/store");
const { OUTBOX_FILE } = require("../build/nodes/account/outbox");
const { prepareUserDir, startNodeRed, kill, stop, logLines, admin, deploy, watchStatus } = require("./support/node-red-process");

const FROM = "+15005550006";
const TO = "+16175551212";
const HOUR_MS = 3_600_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first value of `probe()` other than undefined (polled); fails after `limitMs`. */
async function until(what, probe, limitMs = 30_000) {
    const deadline = Date.now() + limitMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
        await sleep(50);
    }
}

/**
 * The flow: http in (POST /alarm, JSON {alarm, params, headers?, imageBytes?, note?}) answered at once, a function
 * that builds the message (msg.alarm names it, msg.payload holds the operation's parameters), the operation node
 * `op` on the account `acct`, and a function on each output appending a JSON line to `outputsFile`.
 */
function alarmFlow({ standinUrl, outputsFile, account = {}, accountId = "acct", kind = "messages", credentials }) {
    const write = (port) =>
        "const image = msg.image === undefined ? undefined : Buffer.isBuffer(msg.image) ? { buffer: true, length: msg.image.length, first: msg.image[0] } : { buffer: false, type: typeof msg.image };\n" +
        `const line = { port: ${port}, alarm: msg.alarm, pid: global.get("pid"), reconciled: msg.reconciled === true, ` +
        `sid: ${port} === 1 && msg.payload ? msg.payload.sid : undefined, ` +
        `error: ${port} === 2 && msg.payload ? { type: msg.payload.type, error: msg.payload.error, outcome: msg.payload.outcome } : undefined, image };\n` +
        `global.get("fs").appendFileSync(${JSON.stringify(outputsFile)}, JSON.stringify(line) + "\\n");\n` +
        "return null;";
    const prepare =
        "const body = msg.payload;\n" +
        "msg.alarm = body.alarm;\n" +
        "msg.payload = body.params;\n" +
        "if (body.headers) msg.headers = body.headers;\n" +
        "if (body.imageBytes) msg.image = Buffer.alloc(body.imageBytes, 7);\n" +
        "if (body.note) msg.note = body.note;\n" +
        "return msg;";
    const accountNode = { id: accountId, type: "twilio-account", name: "", apiBaseUrl: standinUrl, timeout: 2, outbox: true, ...account };
    if (credentials) accountNode.credentials = credentials;
    return [
        { id: "tab", type: "tab", label: "alarms" },
        accountNode,
        { id: "in", z: "tab", type: "http in", url: "/alarm", method: "post", wires: [["prep", "ack"]] },
        { id: "ack", z: "tab", type: "http response", statusCode: "200", wires: [] },
        { id: "prep", z: "tab", type: "function", func: prepare, outputs: 1, wires: [["op"]] },
        kind === "calls"
            ? { id: "op", z: "tab", type: "twilio-calls", account: accountId, operation: "createCall", wires: [["out1"], ["out2"]] }
            : { id: "op", z: "tab", type: "twilio-messages", account: accountId, operation: "postMessage", wires: [["out1"], ["out2"]] },
        { id: "out1", z: "tab", type: "function", func: write(1), outputs: 0, wires: [] },
        { id: "out2", z: "tab", type: "function", func: write(2), outputs: 0, wires: [] },
    ];
}

const SMS = (alarm, extra = {}) => ({ alarm, params: { To: TO, From: FROM, Body: alarm }, ...extra });

/** What one test uses: a directory (user directory, outputs file), a stand-in, and the Node-RED processes it started. */
function useScenario() {
    const s = { dir: "", userDir: "", outputsFile: "", file: "", standin: undefined, processes: [], watchers: [] };
    beforeEach(function () {
        s.dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-ops-"));
        s.userDir = path.join(s.dir, "user");
        s.outputsFile = path.join(s.dir, "outputs.jsonl");
        s.file = path.join(s.userDir, OUTBOX_FILE);
        s.standin = new TwilioStandin();
        s.processes = [];
        s.watchers = [];
    });
    afterEach(async function () {
        for (const watcher of s.watchers) watcher.close();
        await Promise.all(s.processes.map((node) => kill(node)));
        await s.standin.stop().catch(() => {});
        if (this.currentTest?.state === "failed") {
            for (const node of s.processes) console.log(`      --- Node-RED ${node.child.pid} log (tail) ---\n${node.output.slice(-4000)}`);
        }
        fs.rmSync(s.dir, { recursive: true, force: true });
    });

    /** Starts the stand-in and, with `down`, stops it again: Twilio is down and comes back on the same port. */
    s.startStandin = async ({ down = false } = {}) => {
        await s.standin.start();
        if (down) await s.standin.stop();
    };
    s.prepare = (flows, { credentials, settings } = {}) =>
        prepareUserDir(s.userDir, {
            flows,
            credentials: credentials ?? { acct: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } },
            settings,
        });
    s.start = async () => {
        const node = startNodeRed(s.userDir);
        s.processes.push(node);
        await node.ready;
        return node;
    };
    s.watchStatus = async (node) => {
        const watcher = await watchStatus(node);
        s.watchers.push(watcher);
        return watcher;
    };
    s.flow = (options = {}) => alarmFlow({ standinUrl: s.standin.url, outputsFile: s.outputsFile, ...options });
    /** The lines the output functions wrote. */
    s.outputs = () => (fs.existsSync(s.outputsFile) ? fs.readFileSync(s.outputsFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)) : []);
    s.outputsOf = (alarm) => s.outputs().filter((line) => line.alarm === alarm);
    s.waitForOutputs = (alarms, limitMs = 60_000) =>
        until(`outputs of ${alarms.join(", ")}`, () => alarms.every((alarm) => s.outputsOf(alarm).length > 0) || undefined, limitMs);
    /** The creates the stand-in received, with what they came to. */
    s.creates = (resource = "Messages") => s.standin.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/${resource}.json`));
    /** The bodies of the messages the stand-in created (what Twilio would send), each as often as it was created. */
    s.createdBodies = () => [...s.standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.values()].map((message) => message.body);
    s.createdCount = (body) => s.createdBodies().filter((created) => created === body).length;
    /** What the running Node-RED's outbox holds for the stand-in's account (the admin route). */
    s.open = async (node) => {
        const { accounts } = await admin(node, "GET", "/twilio-account/outbox");
        return accounts.find((entry) => entry.account === s.key())?.open ?? 0;
    };
    s.key = () => accountKey(STANDIN_ACCOUNT_SID, s.standin.url);
    s.post = async (node, body) => {
        const response = await fetch(`${node.url}/alarm`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        assert.equal(response.status, 200, `POST /alarm ${body.alarm}`);
    };
    /** Opens the file with the package's store (no Node-RED may run on it). */
    s.withStore = (work) => {
        const store = new SqliteOutboxStore(s.file);
        try {
            return work(store);
        } finally {
            store.close();
        }
    };
    return s;
}

describe("outbox through what operators do (real Node-RED processes, issue 20)", function () {
    this.timeout(120_000);
    const s = useScenario();

    it("a full deploy through the admin API during a 429 wait: created once, by the new flows, put out once", async function () {
        await s.startStandin();
        // the create is refused for now, to be repeated after 6 s; the account's timeout is 1 s
        s.standin.failNext({ status: 429, code: 20429, message: "Too Many Requests", headers: { "Retry-After": "6" } });
        const key = s.standin.addApiKey(STANDIN_ACCOUNT_SID);
        s.prepare(s.flow({ account: { timeout: 1 } }));
        const node = await s.start();
        await s.post(node, SMS("deploy-1"));
        const refused = await until("the create answered 429", () => s.creates().find((r) => r.status === 429));
        assert.equal(refused.username, STANDIN_ACCOUNT_SID);

        // while the retry waits: a full deploy, the account now with an API key of the same account (so that the
        // judge can tell the old flows' requests from the new ones')
        const flows = s.flow({ account: { timeout: 1 }, credentials: { accountSid: STANDIN_ACCOUNT_SID, authToken: "", apiKeySid: key.sid, apiKeySecret: key.secret } });
        await deploy(node, flows);
        const newFlowsAt = Date.now();
        await s.waitForOutputs(["deploy-1"]);
        // settle: past the old Retry-After, and 3 s past the output
        await sleep(Math.max(refused.receivedAt + 6_000 + 3_000 - Date.now(), 3_000));

        assert.equal(s.createdCount("deploy-1"), 1, "created once");
        assert.deepEqual(
            s.creates().map((r) => `${r.status} ${r.username === key.sid ? "new" : "old"}`),
            ["429 old", "201 new"],
            "the 429, then one create through the new flows",
        );
        assert.deepEqual(
            s.standin.requests.filter((r) => r.receivedAt >= newFlowsAt && r.username === STANDIN_ACCOUNT_SID).map((r) => `${r.method} ${r.path}`),
            [],
            "nothing from the old flows once the new ones run",
        );
        const out = s.outputsOf("deploy-1");
        assert.equal(out.length, 1, `put out once: ${JSON.stringify(out)}`);
        assert.equal(out[0].port, 1);
        assert.equal(out[0].sid, [...s.standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.keys()][0]);
        assert.equal(await s.open(node), 0);
    });

    it("a full deploy while a create is on the wire, its answer coming while the flows stop: recorded with its Sid, put out once", async function () {
        await s.startStandin();
        // the create is made at once and answered after 3 s; the account waits up to 6 s for an answer, and so does
        // the redeploy's stop
        let first = true;
        s.standin.setFaultPolicy((r) => {
            if (r.method !== "POST" || !first) return undefined;
            first = false;
            return { delayMs: 3_000 };
        });
        s.prepare(s.flow({ account: { timeout: 6 } }));
        const node = await s.start();
        await s.post(node, SMS("wire-1"));
        const create = await until("the create on the wire", () => s.creates()[0]);
        await deploy(node, s.flow({ account: { timeout: 6 } }));
        await s.waitForOutputs(["wire-1"]);
        // settle: past the time an entry left as being sent would be looked up (its attempt, the timeout and 2 s)
        await sleep(Math.max(create.receivedAt + 6_000 + 2_000 + 3_000 - Date.now(), 2_000));

        assert.equal(s.createdCount("wire-1"), 1, "created once");
        const out = s.outputsOf("wire-1");
        assert.deepEqual(out.map((line) => [line.port, line.reconciled, line.sid]), [[1, false, [...s.standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.keys()][0]]], "put out once");
        assert.deepEqual(s.standin.requests.map((r) => `${r.method} ${r.status}`), ["POST 201"], "the answer was recorded: nothing looked up, nothing sent again");
        assert.deepEqual(logLines(node, /outbox file/), [], "no write failed");
        assert.equal(await s.open(node), 0);
        await stop(node);
        const rows = s.withStore((store) => store.rowsOf(s.key()));
        assert.deepEqual(rows.map((row) => [row.state, row.sid]), [["done", out[0].sid]], "finished in the file with its Sid");
    });

    it("a 401 (20003) for the first creates: the entries wait, status and log (once) say why; accepted again, each created once on output 1", async function () {
        await s.startStandin();
        let refusing = true;
        s.standin.setFaultPolicy((r) => (refusing && r.method === "POST" ? { status: 401, code: 20003, message: "Authenticate" } : undefined));
        s.prepare(s.flow());
        const node = await s.start();
        const statuses = await s.watchStatus(node);
        const alarms = ["token-1", "token-2", "token-3"];
        for (const alarm of alarms) await s.post(node, SMS(alarm));
        await until("three creates refused with 401", () => s.creates().filter((r) => r.status === 401).length >= 3 || undefined);
        const opStatus = await statuses.waitFor((st) => st.id === "op" && /waiting \(account credentials refused/.test(st.text ?? ""), "the node's status saying why");
        await statuses.waitFor((st) => st.id === "acct" && /waiting \(account credentials refused/.test(st.text ?? ""), "the account's status saying why");
        assert.equal(opStatus.fill, "red");
        await until("all three in the file", async () => (await s.open(node)) === 3 || undefined);
        assert.deepEqual(s.outputs(), [], "nothing ended while the credentials are refused");

        refusing = false; // the operator fixed the account (or Twilio's hiccup is over)
        await s.waitForOutputs(alarms);
        await sleep(2_000);

        for (const alarm of alarms) {
            assert.equal(s.createdCount(alarm), 1, `${alarm} created once`);
            assert.deepEqual(s.outputsOf(alarm).map((line) => line.port), [1], `${alarm} put out once, on output 1`);
        }
        assert.equal(s.outputs().filter((line) => line.port === 2).length, 0, "nothing on output 2");
        const said = logLines(node, /refused the account's credentials/);
        assert.equal(said.length, 1, `the log says it once:\n${said.join("\n")}`);
        assert.match(said[0], /entries wait in the outbox: Twilio answered 401/);
        assert.equal(await s.open(node), 0);
    });

    it("the config node replaced (deploy) by one with a new id and the same account: the waiting entries are sent by it, each once, out of the same operation node", async function () {
        await s.startStandin({ down: true });
        s.prepare(s.flow());
        const node = await s.start();
        const alarms = ["adopt-1", "adopt-2", "adopt-3"];
        for (const alarm of alarms) await s.post(node, SMS(alarm));
        await until("all three in the file", async () => (await s.open(node)) === 3 || undefined);

        // the operator deletes the account node and adds a new one with the same credentials (a new id)
        const flows = s.flow({ accountId: "acct-new", credentials: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } });
        assert.equal(flows.some((n) => n.id === "acct"), false);
        const from = node.output.length;
        await deploy(node, flows);
        const { accounts } = await admin(node, "GET", "/twilio-account/outbox");
        assert.deepEqual(accounts.map(({ account, open, attached }) => ({ account, open, attached })), [{ account: s.key(), open: 3, attached: true }]);

        await s.standin.start(); // Twilio is back
        await s.waitForOutputs(alarms);
        await sleep(2_000);

        for (const alarm of alarms) {
            assert.equal(s.createdCount(alarm), 1, `${alarm} created once`);
            assert.deepEqual(s.outputsOf(alarm).map((line) => line.port), [1], `${alarm} put out once, on output 1 of op`);
        }
        assert.equal(s.creates().length, 3);
        assert.deepEqual(logLines(node, /no running twilio-account node sends/, from), [], "nothing reported as left behind");
        assert.equal(await s.open(node), 0);
    });

    it("a second Node-RED on the same user directory: it says the outbox is in use, and never sends the first one's entries", async function () {
        await s.startStandin({ down: true });
        s.prepare(s.flow());
        const first = await s.start();
        const alarms = ["owner-1", "owner-2", "owner-3"];
        for (const alarm of alarms) await s.post(first, SMS(alarm));
        await until("all three in the first one's file", async () => (await s.open(first)) === 3 || undefined);

        // started while the first runs, on the same user directory (uiPort 0: its own port, so it keeps running)
        const second = await s.start();
        assert.notEqual(second.url, first.url);
        const statuses = await s.watchStatus(second);

        await s.standin.start(); // Twilio is back
        await s.waitForOutputs(alarms);
        await sleep(3_000);

        for (const alarm of alarms) {
            assert.equal(s.createdCount(alarm), 1, `${alarm} created once`);
            assert.deepEqual(s.outputsOf(alarm).map((line) => [line.port, line.pid]), [[1, first.child.pid]], `${alarm}: one output, by the first Node-RED`);
        }
        assert.equal(s.creates().length, 3, "three creates in all");
        assert.equal(s.outputs().filter((line) => line.pid === second.child.pid).length, 0, "the second put nothing out");
        // said while its flows started (the config node's start), once
        const said = logLines(second, /in use by another Node-RED/);
        assert.equal(said.length, 1, `the second one's log says it once:\n${second.output.slice(-3000)}`);
        assert.match(said[0], /\[error\] \[twilio-account:acct\] The outbox file .*twilio-outbox\.sqlite is in use by another Node-RED/);
        const shown = await statuses.waitFor((st) => st.id === "acct" && /in use by another Node-RED/.test(st.text ?? ""), "the second one's account status");
        assert.equal(shown.fill, "red");
        assert.deepEqual((await admin(second, "GET", "/twilio-account/outbox")).accounts, [], "the second one has no outbox file open");
        await stop(second);
        await stop(first);
    });

    it("two createCalls to one number in flight at kill -9, one created with a late answer and one never sent: each called once, the outputs say which was reconciled", async function () {
        await s.startStandin();
        // before the kill, a create is processed (the call made) and answered late; after the restart, at once
        let late = true;
        s.standin.setFaultPolicy((r) => (late && r.method === "POST" ? { delayMs: 8_000 } : undefined));
        s.prepare(s.flow({ kind: "calls" }));
        let node = await s.start();
        const call = (alarm) => ({ alarm, params: { To: TO, From: FROM, Url: `http://127.0.0.1:9/twiml/${alarm}.xml` } });
        const urlOf = (r) => (Array.isArray(r.form.Url) ? r.form.Url.at(-1) : r.form.Url);
        const calls = () => s.standin.store.accounts.get(STANDIN_ACCOUNT_SID).calls;

        await s.post(node, call("call-A"));
        await until("A's call made", () => calls().size === 1 || undefined);
        await s.post(node, call("call-B"));
        await until("B in the file", async () => (await s.open(node)) === 2 || undefined);
        // B waits behind A (one create at a time per number and caller ID while an outcome may be unknown); a
        // broken lane rule would have sent it by now
        await sleep(1_000);
        assert.deepEqual(s.creates("Calls").map(urlOf), [call("call-A").params.Url], "only A reached Twilio before the kill");
        const [callA] = calls().keys();

        await kill(node);
        late = false;
        node = await s.start();
        await s.waitForOutputs(["call-A", "call-B"]);
        await sleep(2_000);

        const made = s.creates("Calls").map(urlOf);
        assert.deepEqual(made, [call("call-A").params.Url, call("call-B").params.Url], "each alarm's create reached Twilio once");
        assert.equal(calls().size, 2, "two calls made");
        const [a] = s.outputsOf("call-A");
        const [b] = s.outputsOf("call-B");
        assert.deepEqual([s.outputsOf("call-A").length, s.outputsOf("call-B").length], [1, 1], "each put out once");
        assert.deepEqual([a.port, a.reconciled, a.sid], [1, true, callA], "A: found at Twilio (reconciled), its own call");
        const [, callB] = calls().keys();
        assert.deepEqual([b.port, b.reconciled, b.sid], [1, false, callB], "B: sent after the restart");
        const lookups = s.standin.requests.filter((r) => r.method === "GET" && r.path.endsWith("/Calls.json"));
        assert.ok(lookups.length >= 1 && lookups.every((r) => r.query.To === TO && r.query.From === FROM), "looked up by To and From");
        assert.ok(lookups[0].receivedAt < s.creates("Calls")[1].receivedAt, "A was looked up before B was sent");
        assert.equal(await s.open(node), 0);
    });

    it("the list answering 403 for one entry's lookup: the other alarms go out, that entry waits (not ended, not sent), no 'Twilio unreachable'", async function () {
        await s.startStandin();
        // an entry in flight when an earlier run stopped: its outcome is unknown, it is looked up before anything
        s.prepare(s.flow());
        const refusedTo = "+16175551299";
        const now = Date.now();
        const msg = v8.serialize({ alarm: "refused-lookup" });
        const refusedId = await s.withStore((store) =>
            store.insert({
                account: s.key(), config: "acct", node: "op", operation: "postMessage", params: { To: refusedTo, From: FROM, Body: "refused-lookup" },
                msg, bytes: msg.length, created: now - 60_000, maxAge: 24 * HOUR_MS, state: "sending", attemptStarted: now - 30_000, lastAttempt: now - 30_000,
            }),
        );
        // an API key allowed to create but not to list, say
        s.standin.setFaultPolicy((r) => (r.method === "GET" ? { status: 403, code: 20403, message: "Permission denied" } : undefined));
        const node = await s.start();
        const statuses = await s.watchStatus(node);
        const alarms = ["other-1", "other-2", "other-3"];
        for (const [i, alarm] of alarms.entries()) await s.post(node, { alarm, params: { To: `+1617555120${i}`, From: FROM, Body: alarm } });
        await s.waitForOutputs(alarms);
        await until("the lookup tried again", () => s.standin.requests.filter((r) => r.method === "GET").length >= 2 || undefined);
        await sleep(2_000);

        for (const alarm of alarms) {
            assert.equal(s.createdCount(alarm), 1, `${alarm} created once`);
            assert.deepEqual(s.outputsOf(alarm).map((line) => line.port), [1], `${alarm} on output 1`);
        }
        const lookups = s.standin.requests.filter((r) => r.method === "GET");
        assert.ok(lookups.every((r) => r.status === 403 && r.query.To === refusedTo), "only the one entry was looked up, each time refused");
        assert.equal(s.createdCount("refused-lookup"), 0, "the refused entry is not sent");
        assert.equal(s.creates().filter((r) => r.form.Body === "refused-lookup").length, 0);
        assert.deepEqual(s.outputsOf("refused-lookup"), [], "nor ended");
        assert.equal(await s.open(node), 1, "it waits in the file");
        assert.deepEqual(statuses.list.filter((st) => /unreachable/i.test(st.text ?? "")), [], "no status says Twilio is unreachable");
        const said = logLines(node, /Twilio refused to list what postMessage may have created \(403, code 20403\)/);
        assert.equal(said.length, 1, "the log says it once");
        await stop(node);
        const rows = s.withStore((store) => store.rowsOf(s.key()));
        assert.ok(["unknown", "sending"].includes(rows.find((row) => row.id === refusedId)?.state), `the refused entry is still open: ${JSON.stringify(rows.map((r) => [r.id, r.state]))}`);
    });

    it("the file and its -wal are 0600; after a clean stop no file of the outbox holds a finished entry's Body or a secret header", async function () {
        await s.startStandin();
        s.prepare(s.flow());
        const node = await s.start();
        const tag = Math.random().toString(36).slice(2, 10);
        const secret = `Bearer header-secret-${tag}`;
        const headers = { Authorization: secret, "X-Trace": `trace-${tag}` };
        const finished = [1, 2, 3].map((i) => `finished-body-${tag}-${i}`);
        // each entry about half a page: a finished one shrinks to its Sid, and what it held stays in the freed
        // space of its page unless it is zeroed (secure_delete)
        for (const body of finished) await s.post(node, { alarm: body, params: { To: TO, From: FROM, Body: body }, headers, note: "n".repeat(500) });
        await s.waitForOutputs(finished);
        // one more while Twilio is down: it stays in the file (and shows that the search below finds a Body)
        await s.standin.stop();
        const kept = `kept-body-${tag}`;
        await s.post(node, { alarm: kept, params: { To: TO, From: FROM, Body: kept }, headers });
        await until("the kept entry in the file", async () => (await s.open(node)) === 1 || undefined);

        const mode = (file) => fs.statSync(file).mode & 0o777;
        assert.equal(mode(s.file).toString(8), "600", "the file");
        assert.equal(mode(`${s.file}-wal`).toString(8), "600", "its -wal");

        const { code, signal } = await stop(node);
        assert.deepEqual({ code, signal }, { code: 0, signal: null }, "a clean stop");
        const sideFiles = fs.readdirSync(s.userDir).filter((name) => name.startsWith(OUTBOX_FILE)).map((name) => path.join(s.userDir, name));
        assert.ok(sideFiles.includes(s.file));
        for (const file of sideFiles) assert.equal(mode(file).toString(8), "600", path.basename(file));
        const bytes = Buffer.concat(sideFiles.map((file) => fs.readFileSync(file)));
        for (const body of finished) assert.equal(bytes.includes(body), false, `${body} is not in the outbox's files`);
        assert.equal(bytes.includes(`header-secret-${tag}`), false, "the Authorization header is not in the outbox's files");
        assert.equal(bytes.includes(kept), true, "the waiting entry's Body is (the search finds what is there)");
        assert.equal(bytes.includes(`trace-${tag}`), true, "and its other headers");
        assert.equal(s.createdCount(kept), 0);
    });

    it("a full disk (max_page_count): the failed writes are logged, nothing is sent twice, and what could not be stored is sent from memory", async function () {
        await s.startStandin();
        // creates are made at once and answered after 5 s: the stored entries stay in the file meanwhile
        s.standin.setFaultPolicy((r) => (r.method === "POST" ? { delayMs: 5_000 } : undefined));
        // 1 KiB pages: 20 hold the schema and about five of these entries
        s.prepare(s.flow({ account: { timeout: 15 } }), { settings: "twilioOutboxMaxPageCount: 20," });
        const node = await s.start();
        const alarms = Array.from({ length: 12 }, (_, i) => `full-${String(i).padStart(2, "0")}`);
        for (const alarm of alarms) await s.post(node, SMS(alarm, { note: "n".repeat(3_000) }));
        await s.waitForOutputs(alarms);
        await sleep(2_000);

        const memory = logLines(node, /Cannot write the outbox file .*: this message is sent from memory/);
        for (const alarm of alarms) {
            assert.equal(s.createdCount(alarm), 1, `${alarm} created once`);
            assert.deepEqual(s.outputsOf(alarm).map((line) => line.port), [1], `${alarm} put out once, on output 1`);
        }
        assert.equal(s.creates().length, alarms.length, "one create per alarm");
        assert.ok(memory.length >= 1, "the failed writes are in the log");
        assert.match(memory[0], /database or disk is full/);
        await stop(node);
        const stored = s.withStore((store) => store.rowsOf(s.key()));
        assert.ok(stored.length >= 1, "the first ones were stored");
        assert.equal(stored.length + memory.length, alarms.length, `each alarm stored or logged as sent from memory (${stored.length} stored, ${memory.length} from memory)`);
        assert.ok(stored.every((row) => row.state === "done"), `the stored ones are done: ${JSON.stringify(stored.map((r) => r.state))}`);
        console.log(`      full disk: ${JSON.stringify({ alarms: alarms.length, stored: stored.length, fromMemory: memory.length, otherWriteErrors: logLines(node, /Could not (write|record)/).length })}`);
    });

    it("a large Buffer on msg: 2 MiB is a ValidationError naming msg.image, not sent; 512 KiB is stored in binary and comes back as a Buffer", async function () {
        await s.startStandin({ down: true });
        s.prepare(s.flow());
        let node = await s.start();
        await s.post(node, SMS("image-2MiB", { imageBytes: 2 * 1024 * 1024 }));
        const big = await until("the 2 MiB one put out, or stored", async () => s.outputsOf("image-2MiB")[0] ?? ((await s.open(node)) > 0 ? "stored" : undefined));
        assert.notEqual(big, "stored", "the 2 MiB one is not stored");
        assert.equal(big.port, 2);
        assert.equal(big.error.type, "ValidationError");
        assert.match(big.error.error, /msg\.image takes 20\d\d KB/);
        assert.equal(await s.open(node), 0, "not stored");

        const size = () => [s.file, `${s.file}-wal`].reduce((sum, file) => sum + (fs.existsSync(file) ? fs.statSync(file).size : 0), 0);
        const before = size();
        await s.post(node, SMS("image-512KiB", { imageBytes: 512 * 1024 }));
        const stored = await until("the 512 KiB one stored, or put out", async () => ((await s.open(node)) === 1 ? "stored" : s.outputsOf("image-512KiB")[0]));
        assert.equal(stored, "stored");
        const grown = size() - before;
        // as JSON numbers ("[7,7,...]" in {"type":"Buffer","data":...}) it would take about 1.05 MB, over the entry limit
        assert.ok(grown >= 512 * 1024 && grown < 700 * 1024, `the file and its -wal grew by ${grown} bytes`);

        await stop(node);
        const [row] = s.withStore((store) => store.rowsOf(s.key()));
        assert.ok(row.msg.length >= 512 * 1024 && row.msg.length < 520 * 1024, `the saved message takes ${row.msg.length} bytes`);
        const saved = v8.deserialize(row.msg);
        assert.ok(Buffer.isBuffer(saved.image) && saved.image.length === 512 * 1024);

        await s.standin.start(); // Twilio is back; a new run sends it from the file
        node = await s.start();
        await s.waitForOutputs(["image-512KiB"]);
        await sleep(1_000);
        const out = s.outputsOf("image-512KiB");
        assert.equal(out.length, 1);
        assert.equal(out[0].port, 1);
        assert.deepEqual(out[0].image, { buffer: true, length: 512 * 1024, first: 7 }, "msg.image is a Buffer again");
        assert.deepEqual(s.creates().map((r) => r.form.Body), ["image-512KiB"], "the 2 MiB one was never sent");
        assert.equal(s.createdCount("image-512KiB"), 1);
    });
});
