/**
 * The outbox file: one SQLite database per Node-RED (in its user directory), shared by every account in it.
 *
 * - Durable: WAL with synchronous=FULL, so every commit is on disk (the WAL fsynced) before the caller goes on.
 *   NORMAL would only fsync at checkpoints, and a power cut could take back a message already accepted.
 * - Owned: locking_mode=EXCLUSIVE, taken at open by a write and kept until close, so a second Node-RED on the same
 *   user directory cannot open it (OutboxInUse) and never sends this one's entries. busy_timeout is 0: the
 *   bindings are synchronous, and a wait for a lock would freeze the event loop. (Exclusive WAL keeps its index
 *   in memory: no -shm file.)
 * - Private: the file is made 0600 before SQLite opens it, and SQLite gives its -wal the same mode; secure_delete
 *   zeroes what is deleted; a finished entry keeps only its Sid (its claim); a clean close truncates the WAL.
 * - Bounded: journal_size_limit keeps the WAL from staying large after a burst.
 *
 * Writes are grouped: what waits to be committed (a new entry, an attempt about to leave) is committed at the next
 * turn of the event loop with everything else that arrived meanwhile, in one transaction (one fsync); what nobody
 * waits for (an entry finished) rides along with the next such commit two turns of the event loop later at the
 * earliest (age()), or within LAZY_COMMIT_MS. A grouped write that fails is tried with the next commit, and said
 * in the log: until it is on disk the entry stays as the file had it, which is safe (an entry still `sending` is
 * looked up at Twilio after a restart, not sent again).
 */
import fs from "node:fs";
import { OUTBOX_DEFAULTS } from "../catalog/account-defaults";
import { openDatabase, type SqlDatabase, type SqlStatement } from "./sqlite";
import type { AlarmRecord, AlarmStore } from "./alarm-store";
import { OPEN_STATES, type AccountSummary, type EntryRow, type EntryState, type NewEntry, type OutboxStore } from "./store";

/** Another process holds the file (SQLITE_BUSY at open). */
export class OutboxInUse extends Error {}

const LAZY_COMMIT_MS = 200;
/** A grouped write that keeps failing is given up after this many commits (and said). */
const WRITE_TRIES = 5;
const JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024;
const MAX_COMMIT_BYTES = 1024 * 1024;

const OPEN_SQL = OPEN_STATES.map((state) => `'${state}'`).join(", ");

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    account TEXT,
    config TEXT NOT NULL,
    node TEXT NOT NULL,
    operation TEXT NOT NULL,
    params TEXT NOT NULL,
    msg BLOB NOT NULL,
    bytes INTEGER NOT NULL,
    created INTEGER NOT NULL,
    max_age INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempt_started INTEGER,
    last_attempt INTEGER,
    sid TEXT,
    finished INTEGER
);
CREATE INDEX IF NOT EXISTS entries_by_account ON entries (account, state);
CREATE TABLE IF NOT EXISTS alarms (
    seq INTEGER PRIMARY KEY,
    node TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (node, key)
);
`;

/**
 * The first outbox (one table `outbox`, keyed by the config node's id, states 0 waiting / 1 sending / 2 done):
 * its rows move over with no account (NULL) until the config node of that id adopts them (openEntries).
 */
const FROM_FIRST_VERSION = `
INSERT INTO entries (account, config, node, operation, params, msg, bytes, created, max_age, state, attempt_started, last_attempt, sid, finished)
SELECT NULL, account, node, operation, params, CAST(msg AS BLOB), length(params) + length(msg), created, ${OUTBOX_DEFAULTS.maxAge * 3_600_000},
       CASE state WHEN 0 THEN 'waiting' WHEN 1 THEN 'unknown' ELSE 'done' END, attempt_started, last_attempt, sid, finished
FROM outbox;
DROP TABLE outbox;
`;

type Write = { run: () => unknown; what: string; bytes?: number; tries?: number; resolve?: (value: unknown) => void; reject?: (err: Error) => void };

interface RawRow {
    id: number | bigint;
    account: string;
    config: string;
    node: string;
    operation: string;
    params: string;
    bytes: number | bigint;
    created: number | bigint;
    max_age: number | bigint;
    state: EntryState;
    attempt_started: number | bigint | null;
    last_attempt: number | bigint | null;
}

const optionalNumber = (value: number | bigint | null) => (value === null ? undefined : Number(value));

function toEntry(row: RawRow): EntryRow {
    return {
        id: Number(row.id),
        account: row.account,
        config: row.config,
        node: row.node,
        operation: row.operation,
        params: parseParams(row.params),
        bytes: Number(row.bytes),
        created: Number(row.created),
        maxAge: Number(row.max_age),
        // in flight when its process stopped: it may have reached Twilio
        state: row.state === "sending" ? "unknown" : row.state,
        attemptStarted: optionalNumber(row.attempt_started),
        lastAttempt: optionalNumber(row.last_attempt),
    };
}

/** Makes the file (or keeps it) readable by this user only, before SQLite opens it. */
function makePrivate(file: string): void {
    fs.closeSync(fs.openSync(file, "a", 0o600));
    fs.chmodSync(file, 0o600);
    for (const side of ["-wal", "-shm", "-journal"]) {
        try {
            fs.chmodSync(file + side, 0o600);
        } catch {
            // not there
        }
    }
}

export class SqliteOutboxStore implements OutboxStore, AlarmStore {
    readonly driver: string;
    private readonly db: SqlDatabase;
    private readonly sql: Record<
        | "insert" | "sending" | "waiting" | "unknown" | "done" | "finish" | "prune" | "open" | "adopt" | "legacy" | "summary" | "shift" | "accounts" | "message"
        | "alarms" | "putAlarm" | "deleteAlarm" | "deleteAlarms",
        SqlStatement
    >;
    private queue: Write[] = [];
    private deferred: Write[] = [];
    /** Writes nobody waits for, a turn of the event loop old: they join the queue at the next turn (age()). */
    private aging: Write[] = [];
    private urgent?: NodeJS.Immediate;
    private lazy?: NodeJS.Timeout;
    private deferring?: NodeJS.Immediate;
    /** Counters for the benchmark and the tests. */
    readonly stats = { commits: 0, writes: 0, failedCommits: 0 };
    private closed = false;

    /**
     * @param onWriteError told when a grouped write fails (and whether it is given up), to say it in the log
     * @param maxPageCount a cap on the file's pages (SQLite's max_page_count): the tests' full disk
     */
    constructor(
        readonly where: string,
        private readonly onWriteError: (what: string, reason: string, givenUp: boolean) => void = () => {},
        maxPageCount?: number,
    ) {
        makePrivate(where);
        const db = openDatabase(where);
        try {
            db.exec("PRAGMA busy_timeout = 0");
            // page_size only applies to a new file, and must precede WAL
            db.exec("PRAGMA page_size = 1024");
            db.exec("PRAGMA locking_mode = EXCLUSIVE");
            db.exec("PRAGMA journal_mode = WAL");
            db.exec("PRAGMA synchronous = FULL");
            db.exec("PRAGMA secure_delete = ON");
            db.exec(`PRAGMA journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
            if (maxPageCount) db.exec(`PRAGMA max_page_count = ${Math.floor(maxPageCount)}`);
            // takes the exclusive lock now, and keeps it: a second process stops here
            db.exec("BEGIN IMMEDIATE");
            db.exec(SCHEMA);
            const first = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get();
            if (first) db.exec(FROM_FIRST_VERSION);
            db.exec("COMMIT");
            // a file written by something else, or damaged beyond what the WAL recovery repairs, stops here
            const check = db.prepare("PRAGMA quick_check").get() as Record<string, unknown>;
            if (Object.values(check)[0] !== "ok") throw new Error(`quick_check: ${String(Object.values(check)[0])}`);
        } catch (err) {
            db.close();
            if (/SQLITE_BUSY|database is locked/i.test(`${(err as { code?: string }).code} ${(err as Error).message}`)) throw new OutboxInUse(where);
            throw err;
        }
        this.db = db;
        this.driver = db.driver;
        const columns = "id, account, config, node, operation, params, bytes, created, max_age, state, attempt_started, last_attempt";
        this.sql = {
            insert: db.prepare(
                "INSERT INTO entries (account, config, node, operation, params, msg, bytes, created, max_age, state, attempt_started, last_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ),
            sending: db.prepare("UPDATE entries SET state = 'sending', attempt_started = ?, last_attempt = ?, config = ? WHERE id = ?"),
            waiting: db.prepare("UPDATE entries SET state = 'waiting', attempt_started = NULL, last_attempt = NULL WHERE id = ?"),
            unknown: db.prepare("UPDATE entries SET state = 'unknown' WHERE id = ?"),
            done: db.prepare("UPDATE entries SET sid = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM entries WHERE account = ? AND sid = ? AND id <> ?)"),
            finish: db.prepare("UPDATE entries SET state = ?, sid = ?, finished = ?, params = '', msg = X'', bytes = 0 WHERE id = ?"),
            prune: db.prepare(`DELETE FROM entries WHERE account = ? AND state NOT IN (${OPEN_SQL}) AND finished < ?`),
            open: db.prepare(`SELECT ${columns} FROM entries WHERE account = ? AND state IN (${OPEN_SQL}) ORDER BY id`),
            adopt: db.prepare("UPDATE entries SET account = ? WHERE account IS NULL AND config = ?"),
            legacy: db.prepare(`SELECT ${columns} FROM entries WHERE account IS NULL AND config = ? AND state IN (${OPEN_SQL}) ORDER BY id`),
            summary: db.prepare(
                `SELECT coalesce(account, 'config node ' || config) AS account, count(*) AS open, min(created) AS oldest FROM entries WHERE state IN (${OPEN_SQL}) GROUP BY 1`,
            ),
            message: db.prepare("SELECT msg FROM entries WHERE id = ?"),
            accounts: db.prepare(`SELECT DISTINCT account FROM entries WHERE config = ? AND account IS NOT NULL AND state IN (${OPEN_SQL})`),
            shift: db.prepare(
                "UPDATE entries SET created = created + ?, attempt_started = attempt_started + ?, last_attempt = last_attempt + ?, finished = finished + ?",
            ),
            alarms: db.prepare("SELECT node, key, data FROM alarms WHERE node = ? ORDER BY seq"),
            // an update keeps the row's place (seq): alarms are read back in the order they were raised
            putAlarm: db.prepare("INSERT INTO alarms (node, key, data) VALUES (?, ?, ?) ON CONFLICT (node, key) DO UPDATE SET data = excluded.data"),
            deleteAlarm: db.prepare("DELETE FROM alarms WHERE node = ? AND key = ?"),
            deleteAlarms: db.prepare("DELETE FROM alarms WHERE node = ?"),
        };
    }

    async openEntries(account: string, configId: string): Promise<EntryRow[]> {
        // what is queued is on disk first: an entry finished a moment ago is not read as open (a new entry this
        // commits is safe too: its submit, resumed before the caller reads these rows, has registered it)
        this.commitAll();
        // rows the first version keyed by this config node's id become the account's (one statement: atomic)
        this.sql.adopt.run(account, configId);
        return (this.sql.open.all(account) as RawRow[]).map(toEntry);
    }

    async adopt(account: string, configId: string): Promise<EntryRow[]> {
        const rows = this.sql.legacy.all(configId) as RawRow[];
        if (rows.length > 0) this.sql.adopt.run(account, configId);
        return rows.map((row) => toEntry({ ...row, account }));
    }

    async summary(): Promise<AccountSummary[]> {
        return this.summarySync();
    }

    /** What summary() resolves with, at once. */
    summarySync(): AccountSummary[] {
        return (this.sql.summary.all() as Array<{ account: string; open: number | bigint; oldest: number | bigint }>).map((row) => ({
            account: row.account,
            open: Number(row.open),
            oldest: Number(row.oldest),
        }));
    }

    /** Every row of an account as the file has it, finished ones too (the tests). */
    rowsOf(account: string): Array<{ id: number; state: EntryState; sid: string | null; params: string; msg: Buffer; attemptStarted?: number; lastAttempt?: number }> {
        return (this.db.prepare("SELECT id, state, sid, params, msg, attempt_started, last_attempt FROM entries WHERE account = ? ORDER BY id").all(account) as Array<RawRow & { sid: string | null; msg: Uint8Array }>).map((row) => ({
            id: Number(row.id),
            state: row.state,
            sid: row.sid,
            params: row.params,
            msg: Buffer.from(row.msg),
            attemptStarted: optionalNumber(row.attempt_started),
            lastAttempt: optionalNumber(row.last_attempt),
        }));
    }

    /** How many entries of an account are open (the tests, the benchmark). */
    countOpen(account: string): number {
        return this.summarySync().find((row) => row.account === account)?.open ?? 0;
    }

    /** The accounts with open entries that this config node stored or last sent. */
    accountsOf(configId: string): string[] {
        return (this.sql.accounts.all(configId) as Array<{ account: string }>).map((row) => row.account);
    }

    async messageOf(id: number): Promise<Buffer | undefined> {
        const row = this.sql.message.get(id) as { msg: Uint8Array } | undefined;
        return row && row.msg.length > 0 ? Buffer.from(row.msg) : undefined;
    }

    insert(entry: NewEntry): Promise<number> {
        const run = () =>
            Number(
                this.sql.insert.run(
                    entry.account,
                    entry.config,
                    entry.node,
                    entry.operation,
                    JSON.stringify(entry.params),
                    entry.msg,
                    entry.bytes,
                    entry.created,
                    entry.maxAge,
                    entry.state,
                    entry.attemptStarted ?? null,
                    entry.lastAttempt ?? null,
                ).lastInsertRowid,
            );
        return this.commitSoon(run, "a new entry", entry.bytes) as Promise<number>;
    }

    markSending(id: number, attemptStarted: number, lastAttempt: number, config: string): Promise<void> {
        return this.commitSoon(() => this.sql.sending.run(attemptStarted, lastAttempt, config, id), `entry ${id} being sent`) as Promise<void>;
    }

    markWaiting(id: number): void {
        this.commitLater(() => this.sql.waiting.run(id), `entry ${id} waiting`);
    }

    markUnknown(id: number): void {
        this.commitLater(() => this.sql.unknown.run(id), `entry ${id} with an unknown outcome`);
    }

    /**
     * Checked and written in one statement, committed before it resolves: no other entry can take the Sid meanwhile.
     * The entry stays open until finish(), once its result is out: a crash before then finds it again (its own Sid).
     */
    claim(id: number, account: string, sid: string): Promise<boolean> {
        const run = () => Number(this.sql.done.run(sid, id, account, sid, id).changes) === 1;
        return this.commitSoon(run, `entry ${id} claiming ${sid}`) as Promise<boolean>;
    }

    finish(id: number, state: "done" | "failed" | "expired", sid?: string): void {
        const finished = Date.now();
        this.commitLater(() => this.sql.finish.run(state, sid ?? null, finished, id), `entry ${id} ${state}`);
    }

    shiftTimes(ms: number): void {
        this.commitLater(() => this.sql.shift.run(ms, ms, ms, ms), "the clock's step");
    }

    prune(account: string, before: number): void {
        this.commitLater(() => this.sql.prune.run(account, before), "forgetting old claims");
    }

    async alarmsOf(node: string): Promise<AlarmRecord[]> {
        // what is queued is on disk first, as for openEntries
        this.commitAll();
        return (this.sql.alarms.all(node) as AlarmRecord[]).map((row) => ({ node: row.node, key: row.key, data: row.data }));
    }

    putAlarm(record: AlarmRecord): Promise<void> {
        return this.commitSoon(() => this.sql.putAlarm.run(record.node, record.key, record.data), `alarm ${record.key}`) as Promise<void>;
    }

    deleteAlarms(node: string, key?: string): Promise<void> {
        const run = () => (key === undefined ? this.sql.deleteAlarms.run(node) : this.sql.deleteAlarm.run(node, key));
        return this.commitSoon(run, key === undefined ? `the alarms of node ${node}` : `alarm ${key}`) as Promise<void>;
    }

    /** Commits what is queued now (also called by close). */
    flush(): void {
        clearImmediate(this.urgent);
        clearTimeout(this.lazy);
        this.urgent = this.lazy = undefined;
        // one transaction carries at most about MAX_COMMIT_BYTES of messages, so that no commit holds the event
        // loop long; the rest follows in the next turn
        let bytes = 0;
        let count = 0;
        while (count < this.queue.length && (count === 0 || bytes + (this.queue[count].bytes ?? 0) <= MAX_COMMIT_BYTES)) bytes += this.queue[count++].bytes ?? 0;
        const writes = this.queue.splice(0, count);
        if (this.queue.length > 0) this.urgent = setImmediate(() => this.flush());
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
            this.stats.failedCommits++;
            this.failed(writes, err instanceof Error ? err : new Error(String(err)));
            return;
        }
        this.stats.commits++;
        this.stats.writes += writes.length;
        writes.forEach((write, i) => write.resolve?.(results[i]));
    }

    /** Commits every queued write, those nobody waits for too. */
    private commitAll(): void {
        clearImmediate(this.deferring);
        this.deferring = undefined;
        this.queue.push(...this.aging, ...this.deferred);
        this.aging = [];
        this.deferred = [];
        while (this.queue.length > 0) this.flush();
    }

    close(): void {
        if (this.closed) return;
        this.commitAll();
        clearImmediate(this.urgent);
        clearTimeout(this.lazy);
        this.closed = true;
        try {
            // an empty WAL: nothing of what was sent stays beside the file
            this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch {
            // the file stays consistent without it
        }
        this.db.close();
    }

    /** Those who wait hear of it; a grouped write is tried again with the next commit, and said in the log. */
    private failed(writes: Write[], error: Error): void {
        const reason = error.message.split("\n")[0];
        const again: Write[] = [];
        for (const write of writes) {
            if (write.reject) {
                write.reject(error);
                continue;
            }
            write.tries = (write.tries ?? 0) + 1;
            const givenUp = write.tries >= WRITE_TRIES;
            this.onWriteError(write.what, reason, givenUp);
            if (!givenUp) again.push(write);
        }
        if (again.length > 0) {
            this.deferred.unshift(...again);
            this.lazy ??= setTimeout(() => {
                this.queue.push(...this.deferred);
                this.deferred = [];
                this.flush();
            }, LAZY_COMMIT_MS * 5);
        }
    }

    private commitSoon(run: () => unknown, what: string, bytes = 0): Promise<unknown> {
        if (this.closed) return Promise.reject(new Error("the outbox file is closed"));
        return new Promise((resolve, reject) => {
            this.queue.push({ run, what, bytes, resolve, reject });
            this.urgent ??= setImmediate(() => this.flush());
        });
    }

    private commitLater(run: () => unknown, what: string): void {
        if (this.closed) {
            this.onWriteError(what, "the outbox file is closed", true);
            return;
        }
        this.deferred.push({ run, what });
        this.deferring ??= setImmediate(() => this.age());
    }

    /**
     * A write nobody waits for joins a commit two turns of the event loop after it was asked for, at the earliest:
     * an entry is finished as its result is handed on (outbox.ts), and Node-RED delivers that result to the next node
     * a turn after the send. Committed before then (with any urgent write), a crash in between would lose the result
     * of an entry the file has forgotten.
     */
    private age(): void {
        this.deferring = undefined;
        if (this.aging.length > 0) {
            this.queue.push(...this.aging);
            this.lazy ??= setTimeout(() => this.flush(), LAZY_COMMIT_MS);
        }
        this.aging = this.deferred;
        this.deferred = [];
        if (this.aging.length > 0) this.deferring = setImmediate(() => this.age());
    }
}

function parseParams(json: string): Record<string, unknown> {
    try {
        const params = JSON.parse(json) as unknown;
        return params && typeof params === "object" && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
    } catch {
        return {};
    }
}
