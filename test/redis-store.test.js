/**
 * The Valkey/Redis store's rules one by one, against a real redis-server (test/support/redis.js): two instances in
 * this process (two connections, told apart by the URL's form, so each has its own heartbeat), their entries'
 * owners, takeover after a lapsed lease, lanes and claims across instances, and the account's shared limits.
 * The whole of it, with Node-RED processes and a kill -9, is test/outbox-redis.test.js.
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startRedis } = require("./support/redis");
const { openRedis, redisWhere, isRedisUrl } = require("../build/outbox/redis");
const { RedisOutboxStore } = require("../build/outbox/redis-store");
const { RedisLimitStore } = require("../build/outbox/redis-limits");
const { SharedRequestLimiter } = require("../build/sender/shared-limiter");
const { LaneTaken, NotOwner } = require("../build/outbox/store");
const { useStandin, loadNode, run, captureLog, ACCOUNT_ID } = require("./support/harness");
const { helper } = require("./support/runtime");
const { STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server");

const ACCOUNT = "AC00000000000000000000000000000001@127.0.0.1:1";
const entry = (body, extra = {}) => ({
    account: ACCOUNT, config: "acct", node: "sms", operation: "postMessage", params: { To: "+16175551212", From: "+15005550006", Body: body },
    msg: Buffer.from(JSON.stringify({ payload: body })), bytes: 10, created: Date.now(), maxAge: 3_600_000, state: "waiting", ...extra,
});

describe("the Valkey/Redis store and shared limits (real redis-server)", function () {
    this.timeout(30_000);
    let dir;
    let redis;
    let a;
    let b;
    let storeA;
    let storeB;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-redis-store-"));
        redis = await startRedis(dir);
        // two instances: the same server, two connections (the URL's two forms), two heartbeats
        a = await openRedis(redis.url);
        b = await openRedis(`${redis.url}/0`);
        storeA = new RedisOutboxStore(Promise.resolve(a), a.where);
        storeB = new RedisOutboxStore(Promise.resolve(b), b.where);
    });
    after(async () => {
        await a?.release();
        await b?.release();
        await redis?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("shows host and port only, and takes redis:// and rediss:// URLs only", () => {
        assert.equal(redisWhere("rediss://user:s3cret@cache.example:6380/2"), "rediss://cache.example:6380");
        assert.equal(redisWhere("redis://:s3cret@10.0.0.5"), "redis://10.0.0.5:6379");
        assert.ok(isRedisUrl("rediss://h:1") && isRedisUrl("redis://h"));
        assert.ok(!isRedisUrl("http://h") && !isRedisUrl("") && !isRedisUrl(undefined));
    });

    it("an instance's entries are its own: the other neither takes them nor marks them while it lives", async () => {
        const id = await storeA.insert(entry("own"));
        assert.deepEqual((await storeB.adopt(ACCOUNT)).map((row) => row.id), []);
        await assert.rejects(storeB.markSending(id, 1, 1, "acct"), NotOwner);
        await storeA.markSending(id, 1, 1, "acct");
        assert.deepEqual((await storeA.openEntries(ACCOUNT)).map((row) => [row.id, row.state]), [[id, "unknown"]], "read back, being sent is unknown");
        assert.equal((await storeA.messageOf(id)).toString(), JSON.stringify({ payload: "own" }));
        storeA.finish(id, "done", "SM1");
        storeA.flush();
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.deepEqual(await storeA.openEntries(ACCOUNT), []);
        assert.equal(await storeB.claim(await storeB.insert(entry("other")), ACCOUNT, "SM1"), false, "a finished entry's Sid stays claimed");
    });

    it("once an instance's lease lapses, another takes its entries over: being sent becomes unknown; the first can no longer send them", async () => {
        const sending = await storeA.insert(entry("in flight"));
        await storeA.markSending(sending, 5, 6, "acct");
        const waiting = await storeA.insert(entry("waiting"));
        await a.client.del(a.key("inst", a.instance)); // what a kill -9 leaves after INSTANCE_LEASE_MS
        const taken = await storeB.adopt(ACCOUNT);
        assert.deepEqual(taken.filter((row) => [sending, waiting].includes(row.id)).map((row) => [row.id, row.state, row.attemptStarted]), [[sending, "unknown", 5], [waiting, "waiting", undefined]]);
        await assert.rejects(storeA.markSending(waiting, 7, 7, "acct"), NotOwner);
        assert.equal(await storeA.claim(sending, ACCOUNT, "SM2"), false);
        assert.equal(await storeB.claim(sending, ACCOUNT, "SM2"), true);
        await a.client.set(a.key("inst", a.instance), "back", "PX", 10_000);
    });

    it("one entry per lane may be in flight or unknown, across instances; a claim is one entry's", async () => {
        const first = await storeA.insert(entry("same text"));
        const second = await storeB.insert(entry("same text"));
        await storeA.markSending(first, 1, 1, "acct");
        await assert.rejects(storeB.markSending(second, 1, 1, "acct"), LaneTaken);
        storeA.markUnknown(first);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await assert.rejects(storeB.markSending(second, 1, 1, "acct"), LaneTaken, "an unknown outcome holds the lane");
        storeA.markWaiting(first);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await storeB.markSending(second, 1, 1, "acct");
        assert.equal(await storeB.claim(second, ACCOUNT, "SM3"), true);
        assert.equal(await storeA.claim(first, ACCOUNT, "SM3"), false, "no two entries take one Sid");
    });

    it("a claim is kept while any instance's open entry has an attempt whose lookup window reaches it", async () => {
        const account = "AC00000000000000000000000000000002@127.0.0.1:1";
        const done = await storeA.insert(entry("claimed", { account }));
        storeA.finish(done, "done", "SMold");
        storeA.flush();
        const open = await storeB.insert(entry("still unknown", { account }));
        await storeB.markSending(open, Date.now() - 3_600_000, Date.now() - 3_600_000, "acct");
        await new Promise((resolve) => setTimeout(resolve, 50));
        const claims = () => a.client.hkeys(a.key("sid", account));
        storeA.prune(account, Date.now() + 1_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.deepEqual(await claims(), ["SMold"], "instance B's hour-old attempt may still find it");
        storeB.finish(open, "failed");
        storeB.flush();
        await new Promise((resolve) => setTimeout(resolve, 50));
        storeA.prune(account, Date.now() + 1_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.deepEqual(await claims(), []);
    });

    it("the account's limits hold for two instances together; a place not renewed comes back", async () => {
        const limits = { maxConcurrent: 2, ratePerSecond: 0, queueSize: 10 };
        const one = new SharedRequestLimiter(limits, new RedisLimitStore(Promise.resolve(a), "limits"));
        const two = new SharedRequestLimiter(limits, new RedisLimitStore(Promise.resolve(b), "limits"));
        try {
            const t1 = one.take();
            const t2 = two.take();
            await Promise.all([t1.ready, t2.ready]);
            const t3 = two.take();
            let started = false;
            void t3.ready.then(() => (started = true));
            await new Promise((resolve) => setTimeout(resolve, 100));
            assert.equal(started, false, "a third waits while two are in flight, one on each instance");
            t1.release();
            await t3.ready;
            t2.release();
            t3.release();
            // a dead instance's place: in the set with a lease that ends
            await a.client.zadd(a.key("slots", "limits"), Date.now() + 150, "dead-1", Date.now() + 150, "dead-2");
            const t4 = one.take();
            const waitedFrom = Date.now();
            await t4.ready;
            assert.ok(Date.now() - waitedFrom >= 100, "waited for the dead places' leases");
            t4.release();
        } finally {
            one.close();
            two.close();
        }
    });

    it("the rate holds for two instances together", async () => {
        const limits = { maxConcurrent: 50, ratePerSecond: 50, queueSize: 100 };
        const one = new SharedRequestLimiter(limits, new RedisLimitStore(Promise.resolve(a), "rate"));
        const two = new SharedRequestLimiter(limits, new RedisLimitStore(Promise.resolve(b), "rate"));
        try {
            const starts = [];
            const tickets = Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).take());
            // each request ends at once: the rate, not the places in flight, paces them
            await Promise.all(tickets.map((ticket) => ticket.ready.then(() => (starts.push(Date.now()), ticket.release()))));
            starts.sort((x, y) => x - y);
            const rate = (starts.length - 1) / ((starts[starts.length - 1] - starts[0]) / 1000);
            assert.ok(rate <= 50 * 1.05 && rate >= 50 * 0.9, `60 starts at ${rate.toFixed(1)}/s for 50/s`);
        } finally {
            one.close();
            two.close();
        }
    });
});

describe("an account with its outbox on Valkey/Redis (in one Node-RED)", function () {
    this.timeout(30_000);
    const PASSWORD = "s3cret-redis-pw";
    const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };
    const standin = useStandin();
    let dir;
    let redis;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-redis-account-"));
        redis = await startRedis(dir, { password: PASSWORD });
    });
    after(async () => {
        await redis?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const account = { outbox: true, outboxStore: "redis", maxConcurrent: 4 };
    const credentials = (extra) => ({ accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN, ...extra });

    it("stores and sends through Redis; the status shows the shared counts; the URL's password is nowhere to be seen", async function () {
        const logged = captureLog();
        try {
            const node = await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account, credentials: credentials({ redisUrl: redis.url }) });
            const statuses = [];
            helper.getNode(ACCOUNT_ID).on("call:status", (call) => statuses.push(call.args[0]));
            const { port, msg } = await run({ payload: SMS });
            assert.equal(port, 1);
            assert.match(msg.payload.sid, /^SM/);
            const probe = await openRedis(redis.url, "gwtw");
            try {
                assert.ok((await probe.client.get(probe.key("seq"))) >= 1, "the entry went through Redis");
            } finally {
                await probe.release();
            }
            await new Promise((resolve) => setTimeout(resolve, 1_500));
            assert.ok(statuses.some((status) => /\(all instances\)/.test(status.text) && /\/4 /.test(status.text)), JSON.stringify(statuses));
            assert.equal(JSON.stringify([...logged.entries, ...statuses, msg]).includes(PASSWORD), false);
            void node;
        } finally {
            logged.stop();
        }
    });

    it("Redis chosen without a usable URL: says what to do, and sends from memory", async function () {
        const logged = captureLog();
        try {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account, credentials: credentials({ redisUrl: "http://not-redis" }) });
            const { port } = await run({ payload: SMS });
            assert.equal(port, 1);
            assert.ok(logged.entries.some((entry) => /Redis URL is missing or is not redis:\/\/ or rediss:\/\//.test(String(entry.msg))));
        } finally {
            logged.stop();
        }
    });

    it("a server that does not answer: said with host and port only, and the message is sent from memory", async function () {
        const logged = captureLog();
        try {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account, credentials: credentials({ redisUrl: `redis://:${PASSWORD}@127.0.0.1:1` }) });
            const { port } = await run({ payload: SMS }, 20_000);
            assert.equal(port, 1);
            const text = logged.entries.map((entry) => String(entry.msg)).join("\n");
            assert.match(text, /redis:\/\/127\.0\.0\.1:1/);
            assert.equal(text.includes(PASSWORD), false);
        } finally {
            logged.stop();
        }
    });
});
