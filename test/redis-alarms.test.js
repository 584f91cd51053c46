/**
 * The twilio-alert nodes' alarms on Valkey/Redis (src/outbox/redis-alarms.ts), against a real redis-server: two
 * instances in this process (two connections, each with its own heartbeat). An alarm belongs to the instance that
 * wrote it, so that instances running the same flow do not each escalate it; when its owner stops, the other
 * takes it over, with its due step.
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startRedis } = require("./support/redis");
const { waitUntil } = require("./support/wait");
const { openRedis } = require("../build/outbox/redis");
const { RedisAlarmStore } = require("../build/outbox/redis-alarms");

const alarm = (key, step) => JSON.stringify({ key, code: "K7", text: `${key} high`, state: "open", raisedAt: 1, repeats: 0, step, dueAt: 2, notified: [] });

describe("twilio-alert alarms on Valkey/Redis (real redis-server)", function () {
    this.timeout(30_000);
    let dir;
    let redis;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-redis-alarms-"));
        redis = await startRedis(dir);
    });
    after(async () => {
        await redis?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("keeps a node's alarms in the order first written, replaces one whole, forgets one or all", async () => {
        const a = await openRedis(redis.url, "alarms1");
        try {
            const store = new RedisAlarmStore(Promise.resolve(a));
            await store.putAlarm({ node: "alert", key: "pump 2", data: alarm("pump 2", 0) });
            await store.putAlarm({ node: "alert", key: "pump 1", data: alarm("pump 1", 0) });
            await store.putAlarm({ node: "alert", key: "pump 2", data: alarm("pump 2", 1) });
            await store.putAlarm({ node: "other", key: "pump 9", data: alarm("pump 9", 0) });
            const read = await store.alarmsOf("alert");
            assert.deepEqual(read.map((one) => [one.key, JSON.parse(one.data).step]), [["pump 2", 1], ["pump 1", 0]]);
            await store.deleteAlarms("alert", "pump 2");
            assert.deepEqual((await store.alarmsOf("alert")).map((one) => one.key), ["pump 1"]);
            await store.deleteAlarms("alert");
            assert.deepEqual(await store.alarmsOf("alert"), []);
            assert.deepEqual((await store.alarmsOf("other")).map((one) => one.key), ["pump 9"]);
        } finally {
            await a.release();
        }
    });

    it("another instance neither reads nor escalates an alarm while its owner lives, and takes it over when the owner stops", async () => {
        const a = await openRedis(redis.url, "alarms2");
        const b = await openRedis(`${redis.url}/0`, "alarms2");
        let stopWatching;
        try {
            const storeA = new RedisAlarmStore(Promise.resolve(a));
            const storeB = new RedisAlarmStore(Promise.resolve(b));
            await storeA.putAlarm({ node: "alert", key: "pump 3", data: alarm("pump 3", 1) });
            assert.deepEqual(await storeB.alarmsOf("alert"), [], "pump 3 is A's while A lives");
            const adopted = [];
            stopWatching = storeB.watchOrphans("alert", (records) => adopted.push(...records));
            await new Promise((resolve) => setTimeout(resolve, 2_500));
            assert.deepEqual(adopted, [], "still A's: nothing adopted");
            // A stops (its heartbeat key goes): B's next sweep takes the alarm, with its step
            await a.release();
            await waitUntil("B adopts pump 3", () => adopted.length === 1, { everyMs: 100, limitMs: 6_000 });
            assert.equal(adopted[0].key, "pump 3");
            assert.equal(JSON.parse(adopted[0].data).step, 1);
            // now B's: B reads it as its own, and a new instance would not
            assert.deepEqual((await storeB.alarmsOf("alert")).map((one) => one.key), ["pump 3"]);
            const c = await openRedis(`${redis.url}/0?c=1`, "alarms2");
            try {
                assert.deepEqual(await new RedisAlarmStore(Promise.resolve(c)).alarmsOf("alert"), []);
            } finally {
                await c.release();
            }
            // B forgets the node's alarms (it was removed from the flow): its own go
            await storeB.deleteAlarms("alert");
            assert.deepEqual(await storeB.alarmsOf("alert"), []);
        } finally {
            stopWatching?.();
            await b.release();
        }
    });
});
