/**
 * Fault injection at scale: 5,000 mixed messages (creates, lists, gets, deletes, invalid ones) through four
 * nodes of one account while the stand-in answers a random fifth of the attempts with 429 (with and without
 * Retry-After), 500/503 before or after processing, no answer, a reset connection before or after reading the
 * request, or a slow answer. Every input yields exactly one output; no message is created twice; a create is
 * sent again only after a 429; memory stays bounded. The figures are printed (the README quotes them).
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, captureLog, useStandin, loadNode, collect, standinApi, NODE_ID, ACCOUNT_ID } = require("./support/harness");

const MESSAGES = Number(process.env.FAULT_MESSAGES ?? 5000);
const FAULT_SHARE = 0.2;

/** A small seeded generator (mulberry32), so that a failing run can be repeated. */
function seeded(seed) {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const FAULTS = [
    { status: 429, code: 20429, headers: { "Retry-After": "0" } },
    { status: 429, code: 20429 },
    { status: 500 },
    { status: 500, after: true },
    { status: 503 },
    { hang: true },
    { hang: true, after: true },
    { reset: true },
    { reset: true, after: true },
    { delayMs: 50 },
];

describe(`fault injection: ${MESSAGES} mixed messages`, function () {
    this.timeout(300_000);
    const standin = useStandin();

    it("every input yields one output, nothing is created twice, memory stays bounded", async function () {
        const random = seeded(Number(process.env.FAULT_SEED ?? 7));
        const seededSids = [];
        for (let i = 0; i < 20; i++) seededSids.push((await standinApi(standin, "POST", "/Messages.json", { To: "+16175551212", From: "+15005550006", Body: `seed ${i}` })).body.sid);
        standin.requests.length = 0;
        const faults = new Map(FAULTS.map((fault) => [JSON.stringify(fault), 0]));
        standin.setFaultPolicy(() => {
            if (random() >= FAULT_SHARE) return undefined;
            const fault = FAULTS[Math.floor(random() * FAULTS.length)];
            faults.set(JSON.stringify(fault), faults.get(JSON.stringify(fault)) + 1);
            return fault;
        });
        const nodes = ["listMessage", "getMessage", "deleteMessage"].map((operation, i) => ({
            id: `n${i}`,
            type: "twilio-messages",
            account: ACCOUNT_ID,
            operation,
            wires: [["out1"], ["out2"]],
        }));
        await loadNode(standin, {
            type: "twilio-messages",
            operation: "postMessage",
            account: { timeout: 0.3, maxConcurrent: 20, queueSize: MESSAGES, maxRetries: 3 },
            extraNodes: nodes,
        });

        const baseline = process.memoryUsage();
        let peakRss = baseline.rss;
        let peakHeap = baseline.heapUsed;
        const sampler = setInterval(() => {
            const { rss, heapUsed } = process.memoryUsage();
            peakRss = Math.max(peakRss, rss);
            peakHeap = Math.max(peakHeap, heapUsed);
        }, 50);

        const kinds = [];
        const outputs = collect(MESSAGES, 240_000);
        const started = Date.now();
        for (let i = 0; i < MESSAGES; i++) {
            const pick = random();
            const _msgid = `f${i}`;
            let kind;
            let target = NODE_ID;
            let payload;
            if (pick < 0.6) [kind, payload] = ["create", { To: "+16175551212", From: "+15005550006", Body: `alarm ${i}` }];
            else if (pick < 0.7) [kind, payload] = ["invalid", { To: `bad ${i}`, From: "+15005550006", Body: `alarm ${i}` }];
            else if (pick < 0.8) [kind, target, payload] = ["list", "n0", { PageSize: 5 }];
            else if (pick < 0.95) [kind, target, payload] = ["get", "n1", { MessageSid: seededSids[i % seededSids.length] }];
            else [kind, target, payload] = ["delete", "n2", { MessageSid: `SM${i.toString(16).padStart(32, "0")}` }];
            kinds.push(kind);
            helper.getNode(target).receive({ _msgid, payload });
        }
        const received = await outputs;
        const seconds = (Date.now() - started) / 1000;
        // nothing more comes afterwards: each node's close completes only once it holds no message, so
        // whatever else they had would come out (to the outputs, or to the log as the flow stops) before that
        const late = [];
        helper.getNode("out1").on("input", (msg) => late.push(msg));
        helper.getNode("out2").on("input", (msg) => late.push(msg));
        const logged = captureLog();
        await helper.unload();
        logged.stop();
        const twilioNodes = new Set([NODE_ID, "n0", "n1", "n2"]);
        assert.deepEqual(logged.entries.filter((entry) => twilioNodes.has(entry.id)).map((entry) => String(entry.msg)), []);
        clearInterval(sampler);
        standin.setFaultPolicy(undefined);

        // one output per input
        assert.equal(received.length, MESSAGES);
        assert.deepEqual(late, []);
        const byId = new Map(received.map((output) => [output.msg._msgid, output]));
        assert.equal(byId.size, MESSAGES, "no input produced two outputs");

        // no create processed twice, and a create sent again only after a 429 (not processed)
        const creates = standin.requests.filter((r) => r.method === "POST");
        // a connection reset before the request was read leaves no Body to attribute: the stand-in's record shows
        // that this is the only way to lose it, that it did happen, and the attempt still counts below
        const unread = creates.filter((r) => r.form.Body === undefined);
        for (const request of unread) assert.deepEqual(request.fault, { reset: true }, "only a reset before reading leaves no Body");
        assert.ok(unread.length > 0, "some creates met a connection reset before they were read");
        const posts = new Map();
        for (const request of creates.filter((r) => r.form.Body !== undefined)) {
            const attempts = posts.get(request.form.Body) ?? [];
            attempts.push(request);
            posts.set(request.form.Body, attempts);
        }
        // each unread attempt ended a create of its own, which was not sent again: one whose readable attempts were
        // all 429s and which came out as a NetworkError of unknown outcome. A create repeated after such a reset
        // would have a readable attempt after it, and come out as that one did: one unread attempt too many.
        const endedUnread = kinds.flatMap((kind, i) => {
            if (kind !== "create") return [];
            const { port, msg } = byId.get(`f${i}`);
            const readable = posts.get(`alarm ${i}`) ?? [];
            const ended = port === 2 && msg.payload.type === "NetworkError" && msg.payload.outcome === "unknown" && readable.every((attempt) => attempt.status === 429);
            return ended ? [i] : [];
        });
        assert.equal(unread.length, endedUnread.length, "one create ended, and not repeated, by each reset before reading");
        let duplicates = 0;
        for (const [body, attempts] of posts) {
            for (const attempt of attempts.slice(0, -1)) {
                assert.equal(attempt.status, 429, `${body}: sent again after ${JSON.stringify(attempt.fault)}`);
            }
        }
        const { body: page } = await standinApi(standin, "GET", "/Messages.json?PageSize=1000");
        let all = page.messages;
        for (let next = page.next_page_uri; next; ) {
            const { body } = await standinApi(standin, "GET", next.replace(/^\/2010-04-01\/Accounts\/AC\w+/, ""));
            all = all.concat(body.messages);
            next = body.next_page_uri;
        }
        const createdPerBody = new Map();
        for (const message of all) createdPerBody.set(message.body, (createdPerBody.get(message.body) ?? 0) + 1);
        for (const [body, count] of createdPerBody) if (count > 1) duplicates++, assert.fail(`${body} was created ${count} times`);

        // each create's output says what happened
        kinds.forEach((kind, i) => {
            const { port, msg } = byId.get(`f${i}`);
            if (kind === "invalid") assert.equal(msg.payload.type, "ValidationError");
            if (kind !== "create") return;
            const count = createdPerBody.get(`alarm ${i}`) ?? 0;
            if (port === 1) assert.equal(count, 1, `alarm ${i} went out on output 1 and exists once`);
            else if (msg.payload.outcome !== "unknown") assert.equal(count, 0, `alarm ${i} failed knowingly and does not exist`);
        });

        const heapGrowthMb = (peakHeap - baseline.heapUsed) / 2 ** 20;
        assert.ok(heapGrowthMb < 256, `heap grew by ${heapGrowthMb.toFixed(0)} MB`);

        const attempts = standin.requests.length;
        // every valid message makes one first attempt: the attempts beyond those are retries
        const retries = attempts - kinds.filter((kind) => kind !== "invalid").length;
        const outcomes = { output1: 0, output2: 0, unknownOutcome: 0 };
        for (const { port, msg } of received) {
            outcomes[port === 1 ? "output1" : "output2"]++;
            if (port === 2 && msg.payload.outcome === "unknown") outcomes.unknownOutcome++;
        }
        console.log(
            `      fault run: ${MESSAGES} in, ${received.length} out (${outcomes.output1} on output 1, ${outcomes.output2} on output 2, ` +
                `${outcomes.unknownOutcome} with outcome unknown), ${duplicates} duplicates, ${attempts} requests (${retries} retries), ` +
                `${[...faults.values()].reduce((a, b) => a + b, 0)} faults injected, ` +
                `${seconds.toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB, heap +${heapGrowthMb.toFixed(0)} MB`,
        );
    });
});
