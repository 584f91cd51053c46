/**
 * Store and forward through crashes, with real processes: Node-RED as a child process (test/support/
 * node-red-process.js) receiving 500 alarms over HTTP while the stand-in (Twilio) is down, killed with SIGKILL at
 * random moments - while alarms arrive and while creates are in flight at a stand-in that creates the message and
 * then answers slowly - and restarted each time, until every alarm is through. The stand-in's record is the judge:
 * every alarm created exactly once, every alarm's result on an output at least once.
 *
 * Also: the outbox file opens cleanly, with every acknowledged commit in it, after a kill during a burst of commits.
 */
"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { OutboxStore } = require("../build/runtime/outbox/store");
const { OUTBOX_FILE } = require("../build/runtime/outbox/outbox");
const { prepareUserDir, startNodeRed, kill } = require("./support/node-red-process");

const ALARMS = Number(process.env.CRASH_ALARMS ?? 500);
const TO = "+16175551212";
const FROM = "+15005550006";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (min, max) => min + Math.random() * (max - min);

function alarmFlow(standinUrl, outputsFile) {
    const write = (port) =>
        `const body = ${port === 1 ? "msg.payload.body" : "msg.parameters.Body"};\n` +
        `global.get("fs").appendFileSync(${JSON.stringify(outputsFile)}, \`${port} \${body} \${msg.reconciled ? "reconciled" : "-"} \${msg.alarm}\\n\`);\n` +
        "return null;";
    return [
        { id: "tab", type: "tab", label: "alarms" },
        { id: "acct", type: "twilio-account", apiBaseUrl: standinUrl, timeout: 2, maxConcurrent: 10, outbox: true },
        { id: "in", z: "tab", type: "http in", url: "/alarm", method: "post", wires: [["sms", "ack"]] },
        { id: "ack", z: "tab", type: "http response", statusCode: "200", wires: [] },
        { id: "sms", z: "tab", type: "twilio-messages", account: "acct", operation: "postMessage", wires: [["out1"], ["out2"]] },
        { id: "out1", z: "tab", type: "function", func: write(1), outputs: 0, wires: [] },
        { id: "out2", z: "tab", type: "function", func: write(2), outputs: 0, wires: [] },
    ];
}

/** The bodies of the outbox's unfinished entries (Node-RED not running): what is committed. */
function committedBodies(file) {
    if (!fs.existsSync(file)) return new Set();
    const store = new OutboxStore(file);
    try {
        return new Set(store.openEntries("acct").map((entry) => JSON.parse(entry.params).Body));
    } finally {
        store.close();
    }
}

describe("outbox through kill -9 and restarts (real processes)", function () {
    this.timeout(240_000);
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

    it(`${ALARMS} alarms, posted while Twilio is down, through at least 5 kills: each created exactly once, each result out`, async function () {
        const userDir = path.join(dir, "user");
        const outputsFile = path.join(dir, "outputs.log");
        const file = path.join(userDir, OUTBOX_FILE);
        await standin.start();
        await standin.stop(); // Twilio is down; it comes back on the same port
        prepareUserDir(userDir, {
            flows: alarmFlow(standin.url, outputsFile),
            credentials: { acct: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } },
        });
        const figures = { kills: 0, killsInFlight: 0, reposted: 0, ackedNotCommitted: 0, restarts: 0 };
        const start = async () => {
            node = startNodeRed(userDir);
            await node.ready;
        };
        const killNow = async () => {
            await kill(node);
            node = undefined;
            figures.kills++;
        };
        await start();

        // phase 1: alarms arrive while Twilio is down; Node-RED is killed now and then while they do
        const acked = new Set();
        const posted = new Set();
        const post = async (body) => {
            posted.add(body);
            try {
                const response = await fetch(`${node.url}/alarm`, {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ To: TO, From: FROM, Body: body }),
                });
                if (response.ok) acked.add(body);
            } catch {
                // killed while it was posted: the device tries again (below)
            }
        };
        const bodies = Array.from({ length: ALARMS }, (_, i) => `alarm-${String(i).padStart(4, "0")}`);
        const killAt = new Set([0.2, 0.45, 0.7].map((share) => Math.floor(share * ALARMS + random(0, 20))));
        /** Kills Node-RED; what the file does not hold (posted, but not committed yet) the device sends again. */
        const killAndRepost = async (posting) => {
            await killNow();
            await posting;
            const committed = committedBodies(file);
            const missing = [...posted].filter((body) => !committed.has(body));
            figures.ackedNotCommitted += missing.filter((body) => acked.has(body)).length;
            await start();
            figures.restarts++;
            for (const body of missing) {
                acked.delete(body);
                figures.reposted++;
                await post(body);
            }
            return missing.length;
        };
        let sent = 0;
        while (sent < bodies.length) {
            const batch = bodies.slice(sent, sent + 10);
            const posting = Promise.all(batch.map(post));
            sent += batch.length;
            if ([...killAt].some((at) => at >= sent - 10 && at < sent)) {
                await sleep(random(0, 15));
                await killAndRepost(posting);
            } else {
                await posting;
            }
        }
        // all in the file, nothing sent: Twilio is still down (the last alarms may need one more round)
        while ((await killAndRepost(Promise.resolve())) > 0);
        await killNow();
        const committed = committedBodies(file);
        assert.deepEqual([...bodies].filter((body) => !committed.has(body)), [], "every alarm is committed");
        assert.equal(standin.requests.length, 0);
        await start();
        figures.restarts++;

        // phase 2: Twilio is back, creating each message and then answering slowly; kills while creates are in flight
        const inFlight = new Set();
        standin.setFaultPolicy((request) => {
            if (request.method !== "POST") return undefined;
            inFlight.add(request);
            return Math.random() < 0.5 ? { delayMs: Math.round(random(300, 1500)), after: true } : undefined;
        });
        await standin.start();
        const outputs = () => (fs.existsSync(outputsFile) ? fs.readFileSync(outputsFile, "utf8").trim().split("\n") : []);
        const done = () => {
            const out = new Set(outputs().map((line) => line.split(" ")[1]));
            return bodies.every((body) => out.has(body));
        };
        const createdBodies = () => [...standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.values()].map((m) => m.body);
        while (figures.killsInFlight < 3 || figures.kills < 5) {
            // wait until a slow create is on the wire, then kill at a random moment of it
            const limit = Date.now() + 20_000;
            while (![...inFlight].some((request) => request.answeredAt === 0 && request.fault && "delayMs" in request.fault) && Date.now() < limit) {
                if (done()) break;
                await sleep(5);
            }
            if (done()) break;
            await sleep(random(0, 300));
            const caught = [...inFlight].filter((request) => request.answeredAt === 0).length;
            await killNow();
            if (caught > 0) figures.killsInFlight++;
            inFlight.clear();
            await start();
            figures.restarts++;
        }
        standin.setFaultPolicy(undefined);
        const deadline = Date.now() + 120_000;
        while (!done() && Date.now() < deadline) await sleep(100);

        const created = createdBodies();
        const counts = new Map();
        for (const body of created) counts.set(body, (counts.get(body) ?? 0) + 1);
        const twice = [...counts].filter(([, n]) => n > 1).map(([body]) => body);
        const lost = bodies.filter((body) => !counts.has(body));
        const lines = outputs();
        const out = new Set(lines.map((line) => line.split(" ")[1]));
        const reconciled = lines.filter((line) => line.includes(" reconciled ")).length;
        figures.outputs = lines.length;
        figures.onOutput2 = lines.filter((line) => line.startsWith("2 ")).length;
        figures.reconciled = reconciled;
        figures.creates = standin.requests.filter((r) => r.method === "POST").length;
        figures.lookups = standin.requests.filter((r) => r.method === "GET").length;
        console.log(`      crash run: ${JSON.stringify({ alarms: ALARMS, created: created.length, lost: lost.length, twice: twice.length, ...figures })}`);
        assert.deepEqual(twice, [], "sent twice");
        assert.deepEqual(lost, [], "lost");
        assert.equal(created.length, ALARMS);
        assert.deepEqual(bodies.filter((body) => !out.has(body)), [], "every alarm's result came out");
        assert.equal(figures.onOutput2, 0);
        assert.ok(figures.kills >= 5, `${figures.kills} kills`);
        assert.ok(figures.killsInFlight >= 3, `${figures.killsInFlight} kills with creates in flight`);
    });

    it("the outbox file opens cleanly after a kill during a burst of commits, with every acknowledged commit in it", async function () {
        const file = path.join(dir, OUTBOX_FILE);
        const storePath = require.resolve("../build/runtime/outbox/store");
        const writer = `
            const { OutboxStore } = require(${JSON.stringify(storePath)});
            const store = new OutboxStore(${JSON.stringify(file)});
            let n = 0;
            const entry = () => ({ account: "acct", node: "n", operation: "postMessage", params: JSON.stringify({ Body: "x".repeat(300) }), msg: "{}", created: Date.now(), state: 0, attempt_started: null, last_attempt: null });
            (async () => { for (;;) { await Promise.all(Array.from({ length: 1 + (n % 20) }, () => store.insert(entry()).then(() => n++))); process.stdout.write(n + "\\n"); } })();
        `;
        for (let round = 0; round < 5; round++) {
            const child = spawn(process.execPath, ["-e", writer], { stdio: ["ignore", "pipe", "inherit"] });
            let acknowledged = 0;
            child.stdout.on("data", (chunk) => {
                const last = chunk.toString().trim().split("\n").pop();
                acknowledged = Math.max(acknowledged, Number(last));
            });
            await new Promise((resolve) => child.stdout.once("data", resolve));
            await sleep(random(50, 400));
            child.kill("SIGKILL");
            await new Promise((resolve) => child.once("exit", resolve));
            const store = new OutboxStore(file); // runs quick_check: throws on a damaged file
            try {
                assert.ok(store.countOpen("acct") >= acknowledged, `round ${round}: ${store.countOpen("acct")} rows, ${acknowledged} acknowledged`);
            } finally {
                store.close();
            }
        }
    });
});
