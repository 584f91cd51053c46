/**
 * One connection to Valkey/Redis per URL and key prefix in this process, shared by the outbox store
 * (redis-store.ts), the account's shared limits (redis-limits.ts) and whatever else keeps state there (the alert
 * node's state can take keys of its own under the same prefix). ioredis is an optional dependency, loaded only
 * here, only when an account chooses the Redis store: nothing else requires it.
 *
 * Key layout (every key under the prefix, default `gwtw`; <a> is an account key AccountSid@host):
 *   <p>:seq                 INCR: entry ids, unique across instances
 *   <p>:e:<id>              HASH: one entry (account, config, node, operation, params, msg, bytes, created, maxAge,
 *                           state, attemptStarted, lastAttempt, lane, owner)
 *   <p>:open:<a>            ZSET id→id: the account's open entries (waiting, sending, unknown)
 *   <p>:lane:<a>            HASH lane→id: the entry whose outcome may be unknown in a lane (reconciler.ts)
 *   <p>:sid:<a>             HASH sid→id: claims (a Sid taken by an entry), pruned through <p>:sidt:<a> (ZSET sid→finished)
 *   <p>:accounts            SET: accounts that have had entries
 *   <p>:inst:<instance>     STRING with a TTL: an instance is alive while its key is (its lease on its entries)
 *   <p>:slots:<a>           ZSET token→lease end: the account's requests in flight, all instances together
 *   <p>:rate:<a>            STRING: the next start slot under the account's rate (µs, Redis's clock)
 * One Redis or Valkey (with Sentinel or a replica for failover), not a Cluster: the scripts use several keys.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Redis as RedisClient } from "ioredis";

export type { RedisClient };

/** How long an instance's entries stay its own after its last heartbeat (kill -9: they pass to the others then). */
export const INSTANCE_LEASE_MS = 10_000;
const HEARTBEAT_MS = 2_000;
export const DEFAULT_PREFIX = "gwtw";

/** The server as logs, statuses and errors may show it: host and port, never the user or password. */
export function redisWhere(url: string): string {
    try {
        const parsed = new URL(url);
        return `${parsed.protocol}//${parsed.hostname}:${parsed.port || "6379"}`;
    } catch {
        return "(not a URL)";
    }
}

/** Whether the text is a Redis URL this package takes: redis:// or rediss:// (TLS). */
export function isRedisUrl(url: unknown): url is string {
    if (typeof url !== "string") return false;
    try {
        return /^rediss?:$/.test(new URL(url).protocol);
    } catch {
        return false;
    }
}

export interface RedisConnection {
    readonly client: RedisClient;
    readonly prefix: string;
    /** redis://host:port, for messages. */
    readonly where: string;
    /** This process's id among the instances; its heartbeat key keeps its entries its own. */
    readonly instance: string;
    key(...parts: string[]): string;
    /** Runs a Lua script by its SHA1 (sent in full only the first time the server lacks it). */
    script(lua: string, keys: string[], args: Array<string | number | Buffer>): Promise<unknown>;
    /** Gives this user's hold back; the connection closes once nobody holds it. */
    release(): Promise<void>;
}

interface Shared {
    connection: RedisConnection;
    users: number;
    timer: NodeJS.Timeout;
}

const shared = new Map<string, Shared>();

/** ioredis, required only now: an optional dependency. */
function loadIoredis(): typeof import("ioredis").Redis {
    try {
        return (require("ioredis") as typeof import("ioredis")).Redis;
    } catch {
        throw new Error("the Valkey/Redis outbox needs the package ioredis (an optional dependency): npm install ioredis in Node-RED's user directory");
    }
}

/**
 * The connection for this URL and prefix, opened once per process; resolves once Redis answered and this
 * instance's heartbeat is written. Rejects with a message that names host:port only.
 */
export async function openRedis(url: string, prefix = DEFAULT_PREFIX): Promise<RedisConnection> {
    const id = `${url}\n${prefix}`;
    const existing = shared.get(id);
    if (existing) {
        existing.users++;
        return existing.connection;
    }
    const Redis = loadIoredis();
    const where = redisWhere(url);
    // commands fail after a few tries rather than waiting forever: the outbox then says the store is unavailable
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5_000 });
    client.on("error", () => {
        // reconnects by itself; commands that fail meanwhile say so where they are used
    });
    try {
        await client.connect();
    } catch (err) {
        client.disconnect();
        throw new Error(`${where}: ${String((err as Error)?.message ?? err).replace(url, where)}`);
    }
    const instance = randomBytes(9).toString("base64url");
    const key = (...parts: string[]) => [prefix, ...parts].join(":");
    const entry: Shared = { connection: undefined as unknown as RedisConnection, users: 1, timer: undefined as unknown as NodeJS.Timeout };
    const beat = async () => {
        await client.set(key("inst", instance), String(process.pid), "PX", INSTANCE_LEASE_MS);
    };
    await beat();
    entry.timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_MS);
    entry.timer.unref();
    const shas = new Map<string, string>();
    const script = async (lua: string, keys: string[], args: Array<string | number | Buffer>) => {
        let sha = shas.get(lua);
        if (!sha) shas.set(lua, (sha = createHash("sha1").update(lua).digest("hex")));
        try {
            return await client.evalsha(sha, keys.length, ...keys, ...args);
        } catch (err) {
            if (!/NOSCRIPT/.test(String((err as Error)?.message))) throw err;
            return client.eval(lua, keys.length, ...keys, ...args);
        }
    };
    entry.connection = {
        client,
        prefix,
        where,
        instance,
        key,
        script,
        async release() {
            if (--entry.users > 0) return;
            shared.delete(id);
            clearInterval(entry.timer);
            // a clean stop hands this instance's open entries to the others at once (those being sent become unknown)
            await client.del(key("inst", instance)).catch(() => {});
            // quit, not disconnect: writes still queued (an entry finished) reach Redis first
            await client.quit().catch(() => client.disconnect());
        },
    };
    shared.set(id, entry);
    return entry.connection;
}
