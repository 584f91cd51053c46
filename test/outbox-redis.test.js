/**
 * The outbox and the account's limits on Valkey/Redis, with real parts: Debian's redis-server (test/support/
 * redis.js) on 127.0.0.1, the stand-in (Twilio) answering each request after 20-220 ms, and three Node-RED child
 * processes running one flow against that one Redis. 1,000 alarms are posted across the three (each answered once
 * stored), then one instance is killed with kill -9 while it sends. Judged:
 *
 * - every alarm created exactly once at the stand-in (the killed instance's entries pass to the others when its
 *   lease lapses; those it was sending are looked up first and found there);
 * - every result on an output (port 1) at least once: the results of the killed instance's entries that it had
 *   not put out come out of the same node on the instance that took them over (docs/decisions.md, "Scaling out");
 * - the highest number of requests in flight at the stand-in never above the account's maxConcurrent, counted
 *   by the stand-in itself;
 * - the combined rate of the three within 5 % of the account's rate while they all send (from the last alarm
 *   posted until the kill, at least 5 s).
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");
const { waitUntil } = require("./support/wait");
const { startRedis } = require("./support/redis");
const { prepareUserDir, startNodeRed, kill, stop, logLines, RUNTIME } = require("./support/node-red-process");

const ALARMS = Number(process.env.REDIS_ALARMS ?? 1000);
const INSTANCES = 3;
const MAX_CONCURRENT = 8;
const RATE = 40;
/** The device's POSTs at once. */
const POSTS_AT_ONCE = 60;
/** The flow answers the device this long after the alarm reached the Twilio node: after the entry's commit. */
const ACK_DELAY_MS = 200;
const TO = "+16175551212";
const FROM = "+15005550006";

function alarmFlow(standinUrl, outputsFile) {
    const write = (port) =>
        `const body = ${port === 1 ? "msg.payload.body" : "msg.parameters.Body"};\n` +
        `global.get("fs").appendFileSync(${JSON.stringify(outputsFile)}, \`${port} \${body} \${msg.reconciled ? "reconciled" : "-"}\\n\`);\n` +
        "return null;";
    return [
        { id: "tab", type: "tab", label: "alarms" },
        { id: "acct", type: "twilio-account", apiBaseUrl: standinUrl, timeout: 2, maxConcurrent: MAX_CONCURRENT, rate: RATE, outbox: true, outboxStore: "redis" },
        { id: "in", z: "tab", type: "http in", url: "/alarm", method: "post", wires: [["sms", "wait"]] },
        { id: "wait", z: "tab", type: "delay", pauseType: "delay", timeout: String(ACK_DELAY_MS), timeoutUnits: "milliseconds", wires: [["ack"]] },
        { id: "ack", z: "tab", type: "http response", statusCode: "200", wires: [] },
        { id: "sms", z: "tab", type: "twilio-messages", account: "acct", operation: "postMessage", wires: [["out1"], ["out2"]] },
        { id: "out1", z: "tab", type: "function", func: write(1), outputs: 0, wires: [] },
        { id: "out2", z: "tab", type: "function", func: write(2), outputs: 0, wires: [] },
    ];
}

/** The lines each outputs file holds: [port, body, reconciled]. */
function outputLines(files) {
    return files.flatMap((file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => line.split(" ")) : []));
}

describe("outbox on Valkey/Redis: three Node-RED, one killed (real processes)", function () {
    this.timeout(240_000);
    let dir;
    let redis;
    const nodes = [];
    const standin = new TwilioStandin();

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-redis-"));
        // no redis-server: this fails, with how to install it (CI installs it)
        redis = await startRedis(dir);
    });
    after(async () => {
        for (const node of nodes) await kill(node);
        await standin.stop().catch(() => {});
        await redis?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it(`${ALARMS} alarms across ${INSTANCES} instances, one killed mid-run: each created once, each result out, at most ${MAX_CONCURRENT} in flight, ${RATE}/s together`, async function () {
        const started = Date.now();
        // Twilio's latency: 20-220 ms, so that the requests in flight come near the limit at times
        standin.setFaultPolicy(() => ({ delayMs: 20 + Math.random() * 200 }));
        await standin.start();
        const outputs = [];
        for (let i = 0; i < INSTANCES; i++) {
            const userDir = path.join(dir, `user${i}`);
            outputs.push(path.join(dir, `outputs${i}.log`));
            prepareUserDir(userDir, {
                flows: alarmFlow(standin.url, outputs[i]),
                credentials: { acct: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN, redisUrl: redis.url } },
            });
            nodes.push(startNodeRed(userDir));
        }
        await Promise.all(nodes.map((node) => node.ready));
        for (const node of nodes) assert.doesNotMatch(node.output, new RegExp(`redis://127\\.0\\.0\\.1:${redis.port}[^\\s]*@|password`), "no Redis URL with credentials in the log");

        // the device posts every alarm, round robin across the instances; each POST is answered once stored
        const bodies = Array.from({ length: ALARMS }, (_, i) => `alarm-${String(i).padStart(4, "0")}`);
        const queue = bodies.map((body, i) => [body, i % INSTANCES]);
        const refused = [];
        const worker = async () => {
            while (queue.length > 0) {
                const [body, i] = queue.shift();
                const response = await fetch(`${nodes[i].url}/alarm`, {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ To: TO, From: FROM, Body: body }),
                });
                await response.arrayBuffer();
                if (!response.ok) refused.push(body);
            }
        };
        await Promise.all(Array.from({ length: POSTS_AT_ONCE }, worker));
        const posted = Date.now();
        assert.deepEqual(refused, [], "every alarm answered 200");

        // kill -9 the second instance while it sends: a third of the creates through, requests of its own on the wire
        const creates = () => standin.requests.filter((r) => r.method === "POST");
        await waitUntil("a third of the creates at the stand-in, 5 s after the last alarm posted", () => creates().length >= ALARMS / 3 && Date.now() - posted >= 5_000, { events: [[standin, "received"]], limitMs: 60_000 });
        const victim = nodes[1];
        // alarm i went to instance i % INSTANCES; the stand-in has created a message once its form is read
        const victimsOnTheWire = () =>
            standin.requests.filter((r) => r.method === "POST" && r.answeredAt === 0 && Number(String(r.form.Body ?? "").slice(6)) % INSTANCES === 1);
        // seen, taken and killed in one synchronous step: the stand-in runs in this process, so it cannot answer in
        // between (the signal is sent before kill() first awaits); taken after the kill, an answer written meanwhile
        // could leave nothing cut
        let cut = [];
        let killing;
        await waitUntil(
            "a create of the second instance made at the stand-in and not yet answered",
            () => {
                const onTheWire = victimsOnTheWire();
                if (onTheWire.length === 0) return false;
                cut = onTheWire.map((r) => r.form.Body);
                killing = kill(victim);
                return true;
            },
            { everyMs: 2, limitMs: 10_000 },
        );
        const killedAt = Date.now();
        await killing;

        // the survivors send the rest, and take over what the killed one left once its lease lapses
        const created = () => [...standin.store.accounts.get(STANDIN_ACCOUNT_SID).messages.values()];
        const outOnPort1 = () => new Set(outputLines(outputs).filter(([port]) => port === "1").map(([, body]) => body));
        await waitUntil("every alarm created and its result out", () => new Set(created().map((m) => m.body)).size >= ALARMS && outOnPort1().size >= ALARMS, { everyMs: 500, limitMs: 150_000 }).catch((err) => {
            const out = outOnPort1();
            err.message += `\ncreated ${new Set(created().map((m) => m.body)).size}, out ${out.size}, missing: ${bodies.filter((b) => !out.has(b)).slice(0, 20).join(" ")}`;
            err.message += `\nsurvivor log:\n${nodes[0].output.slice(-3000)}`;
            throw err;
        });
        const done = Date.now();

        const counts = new Map();
        for (const message of created()) counts.set(message.body, (counts.get(message.body) ?? 0) + 1);
        const lines = outputLines(outputs);
        const out = outOnPort1();
        const tookOver = [nodes[0], nodes[2]].flatMap((node) => logLines(node, /Took over \d+ entries/)).map((line) => Number(/Took over (\d+)/.exec(line)[1]));
        // the rate while all three send with work waiting and nothing else to do (while the alarms arrive, the
        // three Node-RED, the stand-in and this test share the machine's cores): from the last alarm posted to the kill
        const steady = standin.requests.filter((r) => r.receivedAt >= posted && r.receivedAt <= killedAt);
        const rate = (steady.length - 1) / ((steady[steady.length - 1].receivedAt - steady[0].receivedAt) / 1000);
        const times = standin.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
        let busiest = 0;
        for (let i = 0, j = 0; i < times.length; i++) {
            while (times[i] - times[j] >= 5_000) j++;
            busiest = Math.max(busiest, i - j + 1);
        }
        const reconciled = lines.filter(([, , how]) => how === "reconciled").length;
        const figures = {
            runtime: `node-red ${RUNTIME.version} on ${RUNTIME.node}, ${redis.version}`,
            alarms: ALARMS,
            instances: INSTANCES,
            postSeconds: +((posted - started) / 1000).toFixed(1),
            seconds: +((done - started) / 1000).toFixed(1),
            requests: standin.requests.length,
            lookups: standin.requests.filter((r) => r.method === "GET").length,
            maxInFlight: standin.maxInFlight,
            limit: MAX_CONCURRENT,
            ratePerSecond: +rate.toFixed(2),
            steadyRequests: steady.length,
            configuredRate: RATE,
            busiest5s: busiest / 5,
            tookOver: tookOver.reduce((a, b) => a + b, 0),
            resultsOut: lines.length,
            reconciled,
            cutByTheKill: cut.length,
        };
        console.log(`      redis run: ${JSON.stringify(figures)}`);
        // exactly once at Twilio
        assert.deepEqual([...counts].filter(([, n]) => n !== 1), [], "no alarm created twice");
        assert.deepEqual(bodies.filter((body) => !counts.has(body)), [], "every alarm created");
        // every result on output 1 at least once, none on output 2
        assert.deepEqual(lines.filter(([port]) => port !== "1"), [], "no result on output 2");
        assert.deepEqual(bodies.filter((body) => !out.has(body)), [], "every result out");
        // the killed one's entries: taken over, said in the survivors' logs
        assert.ok(figures.tookOver > 0, "the survivors took over the killed instance's entries");
        // its creates the kill cut were found at Twilio by the instance that took them over, not sent again
        const reconciledBodies = new Set(lines.filter(([, , how]) => how === "reconciled").map(([, body]) => body));
        assert.ok(cut.length > 0 && cut.every((body) => reconciledBodies.has(body)), `cut by the kill: ${cut.join(" ")}; reconciled: ${[...reconciledBodies].join(" ")}`);
        // the account's limits, for the three together
        assert.ok(standin.maxInFlight <= MAX_CONCURRENT, `at most ${MAX_CONCURRENT} requests in flight at the stand-in, saw ${standin.maxInFlight}`);
        assert.ok(Math.abs(rate - RATE) <= RATE * 0.05, `the combined rate ${rate.toFixed(2)}/s within 5 % of ${RATE}/s`);
        // and in any 5 s of the whole run, never above the rate by more than 5 %
        assert.ok(busiest / 5 <= RATE * 1.05, `at most ${RATE * 1.05}/s in any 5 s, saw ${busiest / 5}/s`);
        for (const node of [nodes[0], nodes[2]]) await stop(node);
    });
});
