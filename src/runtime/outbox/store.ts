/**
 * The outbox file: one SQLite database per Node-RED (in its user directory), shared by every account node, its
 * entries keyed by the account node's id. WAL with synchronous=FULL: every commit is on disk (the WAL fsynced)
 * before the caller goes on, so a committed entry survives a power cut; NORMAL would only fsync at checkpoints
 * and a power cut could take the last commits back — a message already accepted would be lost.
 *
 * Writes are grouped: what waits to be committed (a new entry, an entry about to be sent) is committed at the
 * next turn of the event loop, together with everything else that arrived meanwhile, in one transaction (one
 * fsync however many messages came in); what nobody waits for (an entry finished) rides along with the next such
 * commit, or is committed within LAZY_COMMIT_MS. Pages are 1 KiB, so a commit that touches one row writes about
 * one KiB to the log rather than four.
 */
import { openDatabase, type SqlDatabase, type SqlStatement } from "./sqlite";

/** Where an entry is: not tried yet (or known not to have reached Twilio), or sent at least once with no known outcome. */
export const WAITING = 0;
export const SENDING = 1;
/** Finished with a resource of Twilio's: kept a while as a claim on its sid (see prune). */
export const DONE = 2;

export interface EntryRow {
    id: number;
    account: string;
    node: string;
    operation: string;
    /** JSON of the validated parameters. */
    params: string;
    /** JSON of the message's saved properties (see saved-message.ts). */
    msg: string;
    /** When it entered the outbox (ms since epoch). */
    created: number;
    state: number;
    /** When the first attempt that may have reached Twilio began. */
    attempt_started: number | null;
    /** When the latest attempt began. */
    last_attempt: number | null;
}

export type NewEntry = Omit<EntryRow, "id">;

const LAZY_COMMIT_MS = 200;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    node TEXT NOT NULL,
    operation TEXT NOT NULL,
    params TEXT NOT NULL,
    msg TEXT NOT NULL,
    created INTEGER NOT NULL,
    state INTEGER NOT NULL,
    attempt_started INTEGER,
    last_attempt INTEGER,
    sid TEXT,
    finished INTEGER
)`;

type Write = { run: () => unknown; resolve?: (value: unknown) => void; reject?: (err: Error) => void };

export class OutboxStore {
    readonly driver: string;
    private readonly db: SqlDatabase;
    private readonly sql: Record<"insert" | "sending" | "waiting" | "done" | "remove" | "prune" | "open" | "claims" | "count", SqlStatement>;
    /** Writes for the next commit; `deferred` joins them one event-loop turn later (see complete). */
    private queue: Write[] = [];
    private deferred: Write[] = [];
    private urgent?: NodeJS.Immediate;
    private lazy?: NodeJS.Timeout;
    private deferring?: NodeJS.Immediate;
    /** Counters for the benchmark and the tests. */
    readonly stats = { commits: 0, writes: 0 };
    private closed = false;

    constructor(readonly file: string) {
        const db = openDatabase(file);
        try {
            // page_size only applies to a new file, and must precede WAL
            db.exec("PRAGMA page_size = 1024");
            db.exec("PRAGMA journal_mode = WAL");
            db.exec("PRAGMA synchronous = FULL");
            db.exec("PRAGMA busy_timeout = 5000");
            db.exec(SCHEMA);
            // a file written by something else, or damaged beyond what the WAL recovery repairs, stops here
            const check = db.prepare("PRAGMA quick_check").get() as Record<string, unknown>;
            if (Object.values(check)[0] !== "ok") throw new Error(`quick_check: ${String(Object.values(check)[0])}`);
        } catch (err) {
            db.close();
            throw err;
        }
        this.db = db;
        this.driver = db.driver;
        this.sql = {
            insert: db.prepare(
                "INSERT INTO outbox (account, node, operation, params, msg, created, state, attempt_started, last_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ),
            sending: db.prepare("UPDATE outbox SET state = 1, attempt_started = ?, last_attempt = ? WHERE id = ?"),
            waiting: db.prepare("UPDATE outbox SET state = 0, attempt_started = NULL, last_attempt = NULL WHERE id = ?"),
            done: db.prepare("UPDATE outbox SET state = 2, sid = ?, finished = ?, params = '', msg = '' WHERE id = ?"),
            remove: db.prepare("DELETE FROM outbox WHERE id = ?"),
            prune: db.prepare("DELETE FROM outbox WHERE account = ? AND state = 2 AND finished < ?"),
            open: db.prepare("SELECT id, account, node, operation, params, msg, created, state, attempt_started, last_attempt FROM outbox WHERE account = ? AND state < 2 ORDER BY id"),
            claims: db.prepare("SELECT sid FROM outbox WHERE account = ? AND state = 2 AND sid IS NOT NULL"),
            count: db.prepare("SELECT count(*) AS n FROM outbox WHERE account = ? AND state < 2"),
        };
    }

    /** The entries of an account not finished yet, oldest first. */
    openEntries(account: string): EntryRow[] {
        return (this.sql.open.all(account) as EntryRow[]).map((row) => ({
            ...row,
            id: Number(row.id),
            created: Number(row.created),
            state: Number(row.state),
            attempt_started: row.attempt_started === null ? null : Number(row.attempt_started),
            last_attempt: row.last_attempt === null ? null : Number(row.last_attempt),
        }));
    }

    /** Sids of resources that entries of this account finished with: no other entry may take them as its own. */
    claimedSids(account: string): Set<string> {
        return new Set((this.sql.claims.all(account) as Array<{ sid: string }>).map((row) => row.sid));
    }

    countOpen(account: string): number {
        return Number((this.sql.count.get(account) as { n: number | bigint }).n);
    }

    /** Commits a new entry; resolves with its id once it is on disk. */
    insert(entry: NewEntry): Promise<number> {
        return this.commitSoon(() =>
            Number(
                this.sql.insert.run(
                    entry.account,
                    entry.node,
                    entry.operation,
                    entry.params,
                    entry.msg,
                    entry.created,
                    entry.state,
                    entry.attempt_started,
                    entry.last_attempt,
                ).lastInsertRowid,
            ),
        ) as Promise<number>;
    }

    /** Commits that an attempt is about to begin; resolves once it is on disk (send only then). */
    markSending(id: number, attemptStarted: number, lastAttempt: number): Promise<void> {
        return this.commitSoon(() => this.sql.sending.run(attemptStarted, lastAttempt, id)) as Promise<void>;
    }

    /** Back to waiting: the attempts so far are known not to have created anything (reconciled, or refused). */
    markWaiting(id: number): void {
        this.commitLater(() => this.sql.waiting.run(id));
    }

    /**
     * Finishes an entry: with the Sid of what Twilio created it stays as a claim on that Sid until pruned, else it
     * goes. Nobody waits for this: it joins a commit one event-loop turn later, after the result was handed on.
     */
    complete(id: number, sid?: string): void {
        const finished = Date.now();
        this.commitLater(() => (sid ? this.sql.done.run(sid, finished, id) : this.sql.remove.run(id)));
    }

    /** Removes an account's claims finished before `before`. */
    prune(account: string, before: number): void {
        this.commitLater(() => this.sql.prune.run(account, before));
    }

    /** Commits what is queued now (also called by close). */
    flush(): void {
        clearImmediate(this.urgent);
        clearTimeout(this.lazy);
        this.urgent = this.lazy = undefined;
        const writes = this.queue;
        this.queue = [];
        if (writes.length === 0 || this.closed) return;
        const results: unknown[] = [];
        try {
            this.db.exec("BEGIN IMMEDIATE");
            for (const write of writes) results.push(write.run());
            this.db.exec("COMMIT");
        } catch (err) {
            try {
                this.db.exec("ROLLBACK");
            } catch {
                // no transaction left to roll back
            }
            const error = err instanceof Error ? err : new Error(String(err));
            for (const write of writes) write.reject?.(error);
            return;
        }
        this.stats.commits++;
        this.stats.writes += writes.length;
        writes.forEach((write, i) => write.resolve?.(results[i]));
    }

    close(): void {
        if (this.closed) return;
        clearImmediate(this.deferring);
        this.queue.push(...this.deferred);
        this.deferred = [];
        this.flush();
        this.closed = true;
        this.db.close();
    }

    private commitSoon(run: () => unknown): Promise<unknown> {
        if (this.closed) return Promise.reject(new Error("the outbox file is closed"));
        return new Promise((resolve, reject) => {
            this.queue.push({ run, resolve, reject });
            this.urgent ??= setImmediate(() => this.flush());
        });
    }

    private commitLater(run: () => unknown): void {
        if (this.closed) return;
        this.deferred.push({ run });
        this.deferring ??= setImmediate(() => {
            this.deferring = undefined;
            this.queue.push(...this.deferred);
            this.deferred = [];
            this.lazy ??= setTimeout(() => this.flush(), LAZY_COMMIT_MS);
        });
    }
}

const shared = new Map<string, { store: OutboxStore; users: number }>();

/** The store of a file, opened once per process however many account nodes use it; release() when done. */
export function acquireStore(file: string): { store: OutboxStore; release(): void } {
    let holder = shared.get(file);
    if (!holder) {
        holder = { store: new OutboxStore(file), users: 0 };
        shared.set(file, holder);
    }
    holder.users++;
    const current = holder;
    let released = false;
    return {
        store: current.store,
        release() {
            if (released) return;
            released = true;
            if (--current.users === 0) {
                shared.delete(file);
                current.store.close();
            }
        },
    };
}
