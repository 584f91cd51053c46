/**
 * The outboxes of this process: the store of each file, opened once however many config nodes use it, and the
 * outbox of each Twilio account in it. Both outlive the config nodes that attach to them, so a redeploy, a
 * re-created config node or a copy of the flow hands its entries over in memory, with no second reader of the file.
 *
 * Here too: the wall clock's steps (every time kept moves with them, clock.ts), the sweep (expiry, also of the
 * entries of accounts no config node names), the report at start of entries nobody sends, and closing the file
 * once no config node uses it and nothing is on the wire.
 */
import { WallClock } from "./clock";
import { Outbox, SWEEP_MS } from "./outbox";
import { OutboxInUse, SqliteOutboxStore } from "./sqlite-store";
import type { Translate } from "../rules/translate";

export { OutboxInUse };

type Log = { warn(text: string): void; error(text: string): void };

export interface OpenStore {
    readonly store: SqliteOutboxStore;
    /** The outbox of an account (accountKey), made and loaded on first use. */
    outboxOf(account: string, configId: string): Outbox;
    /** The accounts whose entries the first version keyed by this config node's id, or this config node last sent. */
    accountsOf(configId: string): string[];
    /** Gives this user's hold back: the file closes once nobody holds it and nothing is on the wire. */
    release(): void;
}

interface Holder {
    store: SqliteOutboxStore;
    outboxes: Map<string, Outbox>;
    users: number;
    clock: WallClock;
    sweeper: NodeJS.Timeout;
    t: Translate;
    log: Log;
}

const holders = new Map<string, Holder>();
/** How long a file no config node uses stays open, for the config nodes of a redeploy to take it over. */
const CLOSE_GRACE_MS = 5_000;

// Node-RED's stop (SIGTERM, SIGINT) ends the process right after the flows stopped: close the files then, so the
// WAL is checkpointed and emptied (the bindings are synchronous, as an exit handler must be)
process.once("exit", () => {
    for (const holder of holders.values()) {
        clearInterval(holder.sweeper);
        holder.store.close();
    }
    holders.clear();
});

function checkClock(holder: Holder): void {
    const step = holder.clock.step();
    if (step === 0) return;
    holder.store.shiftTimes(step);
    for (const outbox of holder.outboxes.values()) outbox.shiftTimes(step);
}

function outboxOf(holder: Holder, account: string, configId: string): Outbox {
    let outbox = holder.outboxes.get(account);
    if (!outbox) {
        outbox = new Outbox(account, holder.store, holder.t, holder.log, () => checkClock(holder));
        holder.outboxes.set(account, outbox);
    }
    void outbox.load(configId).catch((err: unknown) => holder.log.error(holder.t("twilio.outbox.readFailed", { file: holder.store.where, reason: String((err as Error)?.message ?? err) })));
    return outbox;
}

/**
 * Opens the file for this process, or shares the store already open. Throws OutboxInUse when another process
 * holds it, or an Error when no SQLite can open it.
 */
export function openStore(file: string, t: Translate, log: Log, maxPageCount?: number): OpenStore {
    let holder = holders.get(file);
    if (!holder) {
        const store = new SqliteOutboxStore(
            file,
            (what, reason, givenUp) => log.error(t(givenUp ? "twilio.outbox.writeGivenUp" : "twilio.outbox.writeRetried", { file, what, reason })),
            maxPageCount,
        );
        const created: Holder = { store, outboxes: new Map(), users: 0, clock: new WallClock(), sweeper: undefined as unknown as NodeJS.Timeout, t, log };
        created.sweeper = setInterval(() => {
            checkClock(created);
            for (const outbox of created.outboxes.values()) outbox.sweep();
        }, SWEEP_MS);
        created.sweeper.unref();
        holder = created;
        holders.set(file, holder);
        // the entries of every account are the process's to expire, whether or not a config node names it
        for (const { account } of store.summarySync()) if (!account.startsWith("config node ")) outboxOf(holder, account, "");
    }
    holder.users++;
    const current = holder;
    let released = false;
    return {
        store: current.store,
        outboxOf: (account, configId) => outboxOf(current, account, configId),
        accountsOf: (configId) => current.store.accountsOf(configId),
        release() {
            if (released) return;
            released = true;
            current.users--;
            // a redeploy stops every config node and starts the new ones: the outboxes (their entries in flight,
            // results held over the redeploy) pass to them in memory, so the file stays open a while
            if (current.users === 0) setTimeout(() => void closeWhenUnused(file, current), CLOSE_GRACE_MS).unref();
        },
    };
}

async function closeWhenUnused(file: string, holder: Holder): Promise<void> {
    // answers still on the wire are recorded first (a redeploy may have stopped waiting for them)
    while (holder.users === 0 && [...holder.outboxes.values()].some((outbox) => outbox.busy)) {
        await Promise.all([...holder.outboxes.values()].map((outbox) => outbox.whenIdle()));
    }
    // results that came while the flows were stopped (a redeploy) are recorded when the new flows take them: the file
    // stays open until then, shared by the new flows' config node; if the process exits first, it is closed then
    // (see the exit handler), those entries left as being sent (looked up at the next start, results put out then)
    if (holder.users === 0 && [...holder.outboxes.values()].some((outbox) => outbox.holdsResults)) {
        await Promise.all([...holder.outboxes.values()].map((outbox) => outbox.whenRouted()));
    }
    if (holder.users > 0 || holders.get(file) !== holder) return;
    holders.delete(file);
    clearInterval(holder.sweeper);
    holder.store.close();
}

/**
 * Says, for each open file, what waits for an account that no running config node sends for: the count, the
 * account and the oldest entry. Such entries are kept and expire as usual; a config node with these
 * credentials sends them.
 */
export function reportUnattended(): void {
    for (const holder of holders.values()) {
        for (const { account, open, oldest } of holder.store.summarySync()) {
            const outbox = holder.outboxes.get(account);
            if (outbox?.attached) continue;
            holder.log.warn(holder.t("twilio.outbox.unattended", { n: open, account, oldest: new Date(oldest).toISOString(), file: holder.store.where }));
        }
    }
}

/** What each open file holds, by account: open entries and the oldest (the admin route). */
export function openSummaries(): Array<{ file: string; accounts: Array<{ account: string; open: number; oldest: number; attached: boolean }> }> {
    return [...holders].map(([file, holder]) => ({
        file,
        accounts: holder.store.summarySync().map((row) => ({ ...row, attached: holder.outboxes.get(row.account)?.attached ?? false })),
    }));
}
