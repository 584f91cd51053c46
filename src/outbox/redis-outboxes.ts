/**
 * The Valkey/Redis outboxes of this process, one holder per server URL (outboxes.ts does the same for the SQLite
 * file): the connection (redis.ts), the store, the outbox of each account, and what runs beside them:
 *
 * - the takeover: every TAKEOVER_MS, each attached outbox takes over the entries of instances whose lease lapsed
 *   (redis-store.ts), and says how many in the log;
 * - the shared counts for the account's status (open entries and requests in flight, all instances);
 * - the sweep (expiry, forgetting old claims) and the wall clock's steps, as for the file.
 */
import type { Translate } from "../rules/translate";
import { WallClock } from "./clock";
import { Outbox, SWEEP_MS } from "./outbox";
import { openRedis, redisWhere, type RedisConnection } from "./redis";
import { RedisLimitStore } from "./redis-limits";
import { RedisOutboxStore } from "./redis-store";

type Log = { warn(text: string): void; error(text: string): void };

const TAKEOVER_MS = 2_000;
const COUNTS_MS = 1_000;
/** How long a server no config node uses stays connected, for the config nodes of a redeploy to take it over. */
const CLOSE_GRACE_MS = 5_000;

export interface OpenRedisStore {
    readonly store: RedisOutboxStore;
    /** Resolves once connected (rejects with a message naming host:port only). */
    readonly connected: Promise<RedisConnection>;
    outboxOf(account: string, configId: string): Outbox;
    /** The account's shared limits on the same server. */
    limitsOf(account: string): RedisLimitStore;
    release(): void;
}

interface Holder {
    connecting: Promise<RedisConnection>;
    store: RedisOutboxStore;
    outboxes: Map<string, Outbox>;
    users: number;
    clock: WallClock;
    timers: NodeJS.Timeout[];
    t: Translate;
    log: Log;
}

const holders = new Map<string, Holder>();

function checkClock(holder: Holder): void {
    const step = holder.clock.step();
    if (step === 0) return;
    for (const outbox of holder.outboxes.values()) outbox.shiftTimes(step);
}

function every(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setInterval(run, ms);
    timer.unref();
    return timer;
}

function start(url: string, t: Translate, log: Log): Holder {
    const where = redisWhere(url);
    const connecting = openRedis(url);
    const store = new RedisOutboxStore(connecting, where, (what, reason) => log.error(t("twilio.outbox.redisWriteFailed", { where, what, reason })));
    const holder: Holder = { connecting, store, outboxes: new Map(), users: 0, clock: new WallClock(), timers: [], t, log };
    holder.timers.push(
        every(TAKEOVER_MS, () => {
            for (const outbox of holder.outboxes.values()) {
                if (!outbox.attached) continue;
                void outbox.takeOver().then((n) => n > 0 && log.warn(t("twilio.outbox.tookOver", { n, where })), () => {});
            }
        }),
        every(COUNTS_MS, () => {
            for (const [account, outbox] of holder.outboxes) {
                if (outbox.attached) void store.sharedCounts(account).then((counts) => outbox.showShared(counts), () => {});
            }
        }),
        every(SWEEP_MS, () => {
            checkClock(holder);
            for (const outbox of holder.outboxes.values()) outbox.sweep();
        }),
    );
    connecting.catch((err: unknown) => log.error(t("twilio.outbox.redisUnavailable", { where, reason: String((err as Error)?.message ?? err) })));
    return holder;
}

/** The Valkey/Redis store at `url` for this process, connecting on first use (the URL is never shown: host:port). */
export function openRedisStore(url: string, t: Translate, log: Log): OpenRedisStore {
    let holder = holders.get(url);
    if (!holder) {
        holder = start(url, t, log);
        holders.set(url, holder);
    }
    holder.users++;
    const current = holder;
    let released = false;
    return {
        store: current.store,
        connected: current.connecting,
        outboxOf(account, configId) {
            let outbox = current.outboxes.get(account);
            if (!outbox) {
                outbox = new Outbox(account, current.store, current.t, current.log, () => checkClock(current));
                current.outboxes.set(account, outbox);
            }
            void outbox.load(configId).catch((err: unknown) => current.log.error(current.t("twilio.outbox.readFailed", { file: current.store.where, reason: String((err as Error)?.message ?? err) })));
            return outbox;
        },
        limitsOf: (account) => new RedisLimitStore(current.connecting, account),
        release() {
            if (released) return;
            released = true;
            current.users--;
            if (current.users === 0) setTimeout(() => void closeWhenUnused(url, current), CLOSE_GRACE_MS).unref();
        },
    };
}

async function closeWhenUnused(url: string, holder: Holder): Promise<void> {
    while (holder.users === 0 && [...holder.outboxes.values()].some((outbox) => outbox.busy)) {
        await Promise.all([...holder.outboxes.values()].map((outbox) => outbox.whenIdle()));
    }
    if (holder.users === 0 && [...holder.outboxes.values()].some((outbox) => outbox.holdsResults)) {
        await Promise.all([...holder.outboxes.values()].map((outbox) => outbox.whenRouted()));
    }
    if (holder.users > 0 || holders.get(url) !== holder) return;
    holders.delete(url);
    holder.timers.forEach(clearInterval);
    holder.store.flush();
    // its heartbeat goes with it: the other instances take over what this one leaves at once
    await holder.connecting.then((redis) => redis.release(), () => {});
}
