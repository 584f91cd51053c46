/**
 * Store and forward through crashes, with real processes: Node-RED as a child process (test/support/
 * node-red-process.js, the Node-RED of NODE_RED_RUNTIME) receiving 500 alarms over HTTP while the stand-in (Twilio)
 * is down, killed with SIGKILL while alarms arrive and while creates are in flight at a stand-in that creates the
 * message and then answers slowly, and restarted each time. The stand-in's record and the outbox file (opened only
 * while Node-RED is dead: the running one holds it exclusively) are the judges.
 *
 * The device (this test) treats an alarm as delivered when its POST is answered 200. The flow answers through a
 * 500 ms delay node, so the answer leaves after the outbox's commit (a commit waits one turn of the event loop and
 * one fsync): an answered alarm must be in the file at the next kill, and is never posted again. An alarm whose POST
 * was not answered (the kill cut it) is posted again after the restart, unless the file holds it (then it was
 * committed: posting it again would be the device's duplicate, not the outbox's).
 *
 * kill -9 leaves the OS page cache intact: this tests crashes of Node-RED, not power cuts (see test/README.md).
 *
 * Also: a file written in bursts by the package's store opens cleanly after a kill, with every insert the store
 * acknowledged in it (a fresh file per round).
 */
"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { SqliteOutboxStore } = require("../build/outbox/sqlite-store");
const { accountKey, OPEN_STATES } = require("../build/outbox/store");
const { OUTBOX_FILE } = require("../build/nodes/account/outbox");
const { waitUntil } = require("./support/wait");
const { prepareUserDir, startNodeRed, kill, outboxSummary, RUNTIME } = require("./support/node-red-process");

const ALARMS = Number(process.env.CRASH_ALARMS ?? 500);
/** Kills while alarms arrive (Twilio down), then kills while creates are in flight (Twilio back). */
const KILLS_WHILE_POSTING = 3;
const KILLS_IN_FLIGHT = 3;
/** The device's POSTs at once. */
const POSTS_AT_ONCE = 25;
/** How long the flow waits before it answers the device: well past the commit. */
const ACK_DELAY_MS = 500;
const TO = "+16175551212";
const FROM = "+15005550006";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (min, max) => min + Math.random() * (max - min);

function alarmFlow(standinUrl, outputsFile) {
    const write = (port) =>
        `const body = ${port === 1 ? "msg.payload.body" : "msg.parameters.Body"};\n` +
        `global.get("fs").appendFileSync(${JSON.stringify(outputsFile)}, \`${port} \${body} \${msg.reconciled ? "reconciled" : "-"}\\n\`);\n` +
        "return null;";
    return [
        { id: "tab", type: "tab", label: "alarms" },
        { id: "acct", type: "twilio-account", apiBaseUrl: standinUrl, timeout: 2, maxConcurrent: 10, outbox: true },
        { id: "in", z: "tab", type: "http in", url: "/alarm", method: "post", wires: [["sms", "wait"]] },
        // the answer leaves ACK_DELAY_MS after the alarm reached the Twilio node: after its commit
        { id: "wait", z: "tab", type: "delay", pauseType: "delay", timeout: String(ACK_DELAY_MS), timeoutUnits: "milliseconds", wires: [["ack"]] },
        { id: "ack", z: "tab", type: "http response", statusCode: "200", wires: [] },
        { id: "sms", z: "tab", type: "twilio-messages", account: "acct", operation: "postMessage", wires: [["out1"], ["out2"]] },
        { id: "out1", z: "tab", type: "function", func: write(1), outputs: 0, wires: [] },
        { id: "out2", z: "tab", type: "function", func: write(2), outputs: 0, wires: [] },
    ];
}

/** The rows of an account in the outbox file (no process may hold it), with each open row's Body. */
function fileRows(file, key) {
    const store = new SqliteOutboxStore(file);
    try {
        return store.rowsOf(key).map((row) => ({ ...row, open: OPEN_STATES.includes(row.state), body: row.params ? JSON.parse(row.params).Body : undefined }));
    } finally {
        store.close();
    }
}


describe("outbox through kill -9 and restarts (real processes)", function () {
    this.timeout(300_000);
    let dir;
    let node;
    const standin = new TwilioStandin();

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-crash-"));
    });
    afterEach(async () => {
        if (node) await kill(node);
        node = undefined;
        await standin.stop().catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it(`${ALARMS} alarms: each answered one is committed; ${KILLS_WHILE_POSTING} kills while they arrive, ${KILLS_IN_FLIGHT} with creates in flight; each created once, reconciled when its create was cut, each result out`, async function () {
        const started = Date.now();
        const userDir = path.join(dir, "user");
        const outputsFile = path.join(dir, "outputs.log");
        const file = path.join(userDir, OUTBOX_FILE);
        await standin.start();
        await standin.stop(); // Twilio is down; it comes back on the same port
        const key = accountKey(STANDIN_ACCOUNT_SID, standin.url);
        prepareUserDir(userDir, {
            flows: alarmFlow(standin.url, outputsFile),
            credentials: { acct: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } },
        });
        const figures = { runtime: `node-red ${RUNTIME.version} on ${RUNTIME.node}`, kills: 0, posts: 0, reposted: 0, committedNotAnswered: 0 };
        const start = async () => {
            node = startNodeRed(userDir);
            await node.ready;
        };
        const killNow = async () => {
            const at = Date.now();
            await kill(node);
            node = undefined;
            figures.kills++;
            return at;
        };
        await start();

        // phase 1: alarms arrive while Twilio is down; Node-RED is killed while the device's POSTs are under way
        const bodies = Array.from({ length: ALARMS }, (_, i) => `alarm-${String(i).padStart(4, "0")}`);
        const answered = new Set();
        let pending = 0;
        const post = async (body) => {
            figures.posts++;
            pending++;
            try {
                const response = await fetch(`${node.url}/alarm`, {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ To: TO, From: FROM, Body: body }),
                });
                await response.arrayBuffer();
                if (response.ok) answered.add(body);
            } catch {
                // the kill cut it: not answered
            } finally {
                pending--;
            }
        };
        /** Posts `list` with POSTS_AT_ONCE at a time; resolves once each has its answer or its error. */
        const postAll = (list, onAllStarted = () => {}) => {
            const queue = [...list];
            let left = queue.length;
            if (left === 0) onAllStarted();
            const worker = async () => {
                while (queue.length > 0) {
                    const body = queue.shift();
                    if (--left === 0) onAllStarted();
                    await post(body);
                }
            };
            return Promise.all(Array.from({ length: Math.min(POSTS_AT_ONCE, queue.length) }, worker));
        };
        /** Each check of the file after a kill: what was in it stays; every answered alarm is in it, once. */
        const everCommitted = new Set();
        const problems = { answeredNotCommitted: [], leftTheFile: [], twiceInTheFile: [], killsWithoutPostsUnderWay: 0 };
        const checkFile = () => {
            const rows = fileRows(file, key);
            const inFile = new Map();
            for (const row of rows.filter((r) => r.open)) inFile.set(row.body, (inFile.get(row.body) ?? 0) + 1);
            problems.answeredNotCommitted.push(...[...answered].filter((body) => !inFile.has(body)));
            problems.leftTheFile.push(...[...everCommitted].filter((body) => !inFile.has(body)));
            problems.twiceInTheFile.push(...[...inFile].filter(([, n]) => n > 1).map(([body]) => body));
            for (const body of inFile.keys()) everCommitted.add(body);
            assert.deepEqual(rows.filter((r) => !r.open).map((r) => r.id), [], "no finished rows while Twilio is down");
            return inFile;
        };
        const cuts = Array.from({ length: KILLS_WHILE_POSTING }, (_, k) => Math.floor(((k + 1) * ALARMS) / (KILLS_WHILE_POSTING + 1) + random(-20, 20)));
        let again = [];
        let from = 0;
        for (const to of [...cuts, ALARMS]) {
            const round = [...again, ...bodies.slice(from, to)];
            from = to;
            if (to === ALARMS) {
                await postAll(round);
                break;
            }
            // kill once the round's last POSTs are under way, at a random moment of the answer's delay (with room to
            // spare: the last POST is still unanswered): some alarms not yet committed, some committed and not
            // answered, some answered
            let allStarted;
            const underWay = new Promise((resolve) => (allStarted = resolve));
            const posting = postAll(round, allStarted);
            await underWay;
            await sleep(random(0, ACK_DELAY_MS - 150));
            if (pending === 0) problems.killsWithoutPostsUnderWay++;
            await killNow();
            await posting;
            const inFile = checkFile();
            // the device sends again what was not answered; what the file holds went through already
            again = round.filter((body) => !answered.has(body) && !inFile.has(body));
            figures.committedNotAnswered += round.filter((body) => !answered.has(body) && inFile.has(body)).length;
            figures.reposted += again.length;
            await start();
        }
        // every alarm answered, or found in the file after a kill that cut its answer: after one more kill the file
        // holds each of them, once
        assert.deepEqual(bodies.filter((body) => !answered.has(body) && !everCommitted.has(body)), [], "every alarm answered or committed by the end of phase 1");
        await killNow();
        const inFile = checkFile();
        figures.phase1 = { seconds: Math.round((Date.now() - started) / 1000), kills: figures.kills, posts: figures.posts, reposted: figures.reposted, committedNotAnswered: figures.committedNotAnswered, answeredNotCommitted: problems.answeredNotCommitted.length };
        console.log(`      crash run, phase 1: ${JSON.stringify(figures.phase1)}`);
        assert.deepEqual(problems.answeredNotCommitted, [], "answered 200, not in the file at the next kill");
        assert.deepEqual(problems.leftTheFile, [], "committed, then gone from the file while Twilio was down");
        assert.deepEqual(problems.twiceInTheFile, [], "in the file twice");
        assert.equal(problems.killsWithoutPostsUnderWay, 0, "every kill of phase 1 came while POSTs were under way");
        assert.deepEqual(bodies.filter((body) => !inFile.has(body)), [], "the file holds every alarm after phase 1");
        assert.equal(inFile.size, ALARMS, "and nothing else");
        assert.equal(standin.requests.length, 0, "Twilio was down");
        await start();

        // phase 2: Twilio is back, creating each message and then answering slowly (0.3-1.5 s) for half of them;
        // each kill comes while such a create is on the wire: Twilio has made the message, Node-RED has no answer
        let slowCreate;
        standin.setFaultPolicy((request) => {
            if (request.method !== "POST" || Math.random() >= 0.5) return undefined;
            slowCreate?.();
            return { delayMs: Math.round(random(300, 1500)), after: true };
        });
        await standin.start();
        const outputs = () => (fs.existsSync(outputsFile) ? fs.readFileSync(outputsFile, "utf8").trim().split("\n") : []);
        const cutCreates = [];
        let killsInFlight = 0;
        for (let k = 0; k < KILLS_IN_FLIGHT; k++) {
            await new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`no slow create in 60 s (kill ${k + 1} with creates in flight)`)), 60_000);
                slowCreate = () => {
                    slowCreate = undefined;
                    clearTimeout(timer);
                    resolve();
                };
            });
            await sleep(random(0, 150)); // the create it waited for is still on the wire (at least 300 ms)
            const at = await killNow();
            // from the stand-in's record: creates that made a message and had no answer when the kill came
            const cut = standin.requests.filter((r) => r.method === "POST" && r.fault && "delayMs" in r.fault && r.receivedAt <= at && (r.answeredAt === 0 || r.answeredAt > at));
            if (cut.length > 0) killsInFlight++;
            cutCreates.push(...cut.map((r) => r.form.Body));
            await start();
        }
        standin.setFaultPolicy(undefined);

        // through: every alarm has its result out, and the outbox holds nothing open, for a settle period
        const outbox = async () => (await outboxSummary(node)).accounts.find((a) => a.account === key)?.open ?? 0;
        fs.writeFileSync(outputsFile, "", { flag: "a" });
        const watcher = fs.watch(outputsFile);
        let quiet = { since: 0, lines: -1, requests: -1 };
        let settled = true;
        try {
            await waitUntil(
                "every result out, and for 2 s the outbox empty, no new result and no request to Twilio",
                async () => {
                    const lines = outputs();
                    const out = new Set(lines.map((line) => line.split(" ")[1]));
                    const now = { lines: lines.length, requests: standin.requests.length };
                    if (!bodies.every((body) => out.has(body)) || (await outbox()) !== 0 || now.lines !== quiet.lines || now.requests !== quiet.requests) {
                        quiet = { since: Date.now(), ...now };
                        return false;
                    }
                    return Date.now() - quiet.since >= 2_000;
                },
                { events: [[watcher, "change"], [standin, "answered"]], everyMs: 500, limitMs: 90_000 },
            );
        } catch {
            settled = false; // the assertions below say what is missing
        } finally {
            watcher.close();
        }
        await killNow();
        const left = fileRows(file, key);
        figures.seconds = Math.round((Date.now() - started) / 1000);

        const counts = new Map();
        for (const message of standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.values()) counts.set(message.body, (counts.get(message.body) ?? 0) + 1);
        const twice = [...counts].filter(([, n]) => n > 1).map(([body]) => body);
        const lost = bodies.filter((body) => !counts.has(body));
        const lines = outputs().map((line) => line.split(" "));
        const byAlarm = new Map();
        for (const [port, body, reconciled] of lines) byAlarm.set(body, [...(byAlarm.get(body) ?? []), { port, reconciled: reconciled === "reconciled" }]);
        Object.assign(figures, {
            alarms: ALARMS,
            created: [...counts.values()].reduce((a, b) => a + b, 0),
            twice: twice.length,
            lost: lost.length,
            killsInFlight,
            createsCut: cutCreates.length,
            outputs: lines.length,
            repeated: lines.length - byAlarm.size,
            reconciled: lines.filter(([, , r]) => r === "reconciled").length,
            creates: standin.requests.filter((r) => r.method === "POST").length,
            lookups: standin.requests.filter((r) => r.method === "GET").length,
        });
        console.log(`      crash run: ${JSON.stringify(figures)}`);

        assert.deepEqual(twice, [], "created twice");
        assert.deepEqual(lost, [], "lost");
        assert.equal(figures.created, ALARMS);
        assert.deepEqual(bodies.filter((body) => !byAlarm.has(body)), [], "every alarm's result came out");
        assert.deepEqual(lines.filter(([port]) => port !== "1").map(([, body]) => body), [], "every result on output 1");
        // a result is put out again only when a kill came between putting it out and the file forgetting the entry:
        // then the entry is looked up and found (reconciled), never sent again
        assert.deepEqual([...byAlarm].filter(([, results]) => results.slice(1).some((r) => !r.reconciled)).map(([body]) => body), [], "a repeated result is reconciled");
        assert.equal(killsInFlight, KILLS_IN_FLIGHT, `every kill of phase 2 cut a create Twilio had carried out (${cutCreates.length} cut)`);
        assert.deepEqual(cutCreates.filter((body) => counts.get(body) !== 1 || !byAlarm.get(body)?.some((r) => r.reconciled)), [], "a create cut by a kill is looked up: created once, its result reconciled");
        assert.deepEqual(left.filter((row) => row.open).map((row) => row.id), [], "nothing open in the file at the end");
        assert.ok(settled, "every result out, the outbox empty and quiet within 90 s");
        assert.deepEqual(left.filter((row) => row.params !== "" || row.msg.length > 0).map((row) => row.id), [], "finished rows keep no message or parameters");
    });

    it("a file written in bursts opens cleanly after a kill, with every insert the store acknowledged in it (fresh file each round)", async function () {
        const key = accountKey(STANDIN_ACCOUNT_SID, "http://127.0.0.1:1");
        const storePath = require.resolve("../build/outbox/sqlite-store");
        const writer = (file) => `
            const { SqliteOutboxStore } = require(${JSON.stringify(storePath)});
            const store = new SqliteOutboxStore(${JSON.stringify(file)});
            let n = 0;
            const entry = (seq) => ({ account: ${JSON.stringify(key)}, config: "c", node: "n", operation: "postMessage", params: { Body: "x".repeat(300) + seq }, msg: Buffer.from("{}"), bytes: 302, created: Date.now(), maxAge: 3600000, state: "waiting" });
            // each acknowledged insert is written to stdout (a pipe: synchronous on Linux) once the store resolved it
            (async () => { for (let burst = 0; ; burst++) { await Promise.all(Array.from({ length: 1 + (burst % 20) }, () => { const seq = n++; return store.insert(entry(seq)).then(() => process.stdout.write(seq + "\\n")); })); } })();
        `;
        const rounds = [];
        for (let round = 0; round < 5; round++) {
            const file = path.join(dir, `round-${round}`, OUTBOX_FILE);
            fs.mkdirSync(path.dirname(file));
            const child = spawn(process.execPath, ["-e", writer(file)], { stdio: ["ignore", "pipe", "inherit"] });
            const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
            const acknowledged = new Set();
            let rest = "";
            child.stdout.on("data", (chunk) => {
                const lines = (rest + chunk).split("\n");
                rest = lines.pop();
                for (const line of lines) acknowledged.add(Number(line));
            });
            await new Promise((resolve) => child.stdout.once("data", resolve));
            await sleep(random(50, 400));
            child.kill("SIGKILL");
            const { signal } = await exited;
            assert.equal(signal, "SIGKILL", `round ${round}: the writer was still writing when it was killed`);
            const store = new SqliteOutboxStore(file); // runs quick_check: throws on a damaged file
            let rows;
            try {
                rows = store.rowsOf(key);
            } finally {
                store.close();
            }
            const inFile = new Set(rows.map((row) => Number(JSON.parse(row.params).Body.slice(300))));
            rounds.push({ acknowledged: acknowledged.size, rows: rows.length });
            assert.ok(acknowledged.size > 0, `round ${round}: nothing acknowledged`);
            assert.equal(inFile.size, rows.length, `round ${round}: an insert is in the file twice`);
            assert.deepEqual([...acknowledged].filter((seq) => !inFile.has(seq)), [], `round ${round}: acknowledged, not in the file`);
        }
        console.log(`      burst kills: ${JSON.stringify(rounds)}`);
    });
});
