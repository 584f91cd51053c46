/**
 * What the outbox keeps, whatever keeps it: the entries of each Twilio account (by AccountSid and API host, not by
 * config node), each in one explicit state, changed atomically by the store. The embedded SQLite file implements
 * it (sqlite-store.ts); a shared server (Valkey/Redis) can implement the same interface.
 *
 *   waiting ──► sending ──► done (with the Sid: kept as a claim until pruned) / failed / back to waiting
 *                  │
 *                  └──► unknown (may have reached Twilio) ──► looked up ──► claimed (its Sid) ──► done once its result
 *                                                                            is out / sending again
 *   waiting / unknown ──► expired (older than its max age)
 *
 * An entry found `sending` when the store is opened was in flight when its process stopped: it is `unknown`.
 */

export type EntryState = "waiting" | "sending" | "unknown" | "done" | "failed" | "expired";

/** The states an entry can still leave. */
export const OPEN_STATES: readonly EntryState[] = ["waiting", "sending", "unknown"];

export interface EntryRow {
    id: number;
    /** The Twilio account: AccountSid@API host (accountKey). */
    account: string;
    /** The config node that stored it, or last sent it. */
    config: string;
    /** The operation node whose result it is. */
    node: string;
    operation: string;
    /** The validated parameters. */
    params: Record<string, unknown>;
    /** What the entry takes: its message (saved-message.ts; read on its own, see messageOf) and parameters. */
    bytes: number;
    /** When it entered the outbox (ms since epoch, our clock; moved with the clock's steps). */
    created: number;
    /** How long it may wait before it expires (ms). */
    maxAge: number;
    state: EntryState;
    /** When the first attempt that may have reached Twilio began (our clock). */
    attemptStarted?: number;
    /** When the latest attempt began. */
    lastAttempt?: number;
}

export type NewEntry = Omit<EntryRow, "id" | "state" | "attemptStarted" | "lastAttempt"> & {
    /** The saved message properties (saved-message.ts). */
    msg: Buffer;
    state: "waiting" | "sending";
    attemptStarted?: number;
    lastAttempt?: number;
};

/** What waits for one account, for the report of entries no running config node names. */
export interface AccountSummary {
    account: string;
    open: number;
    oldest: number;
}

export interface OutboxStore {
    /** Where it is, for messages: the file's path, or redis://host:port. */
    readonly where: string;
    /**
     * Other processes send from the same store (Valkey/Redis): an entry then leaves only through markSending,
     * which also takes its lane among all of them, and rejects with LaneTaken or NotOwner.
     */
    readonly shared?: boolean;
    /** The open entries of an account, oldest first; also takes over those an older version keyed by the config node's id. */
    openEntries(account: string, configId: string): Promise<EntryRow[]>;
    /** Takes over the open entries the first version keyed by this config node's id; resolves with them. */
    adopt(account: string, configId: string): Promise<EntryRow[]>;
    /** The accounts that have open entries, with how many and the oldest. */
    summary(): Promise<AccountSummary[]>;
    /** The saved message of an open entry (only its result needs it: it is not kept in memory). */
    messageOf(id: number): Promise<Buffer | undefined>;
    /** Commits a new entry; resolves with its id once it is on disk. */
    insert(entry: NewEntry): Promise<number>;
    /** Commits that an attempt is about to leave; resolves once on disk (send only then). */
    markSending(id: number, attemptStarted: number, lastAttempt: number, config: string): Promise<void>;
    /** The attempts so far are known not to have created anything (refused, 429, reconciled as absent). */
    markWaiting(id: number): void;
    /** The last attempt may have reached Twilio. */
    markUnknown(id: number): void;
    /**
     * Records the Sid an entry created, if no other entry has claimed it; resolves whether it did. The entry stays
     * open until finish(), after its result is out, so a crash in between finds it again, with its own Sid.
     */
    claim(id: number, account: string, sid: string): Promise<boolean>;
    /** Finishes an entry: done (with its Sid, a claim), failed or expired; the message and parameters are erased. */
    finish(id: number, state: "done" | "failed" | "expired", sid?: string): void;
    /** Moves every time kept by `ms` (the wall clock stepped). */
    shiftTimes(ms: number): void;
    /** Forgets finished entries (claims) of an account finished before `before`. */
    prune(account: string, before: number): void;
    close(): void;
}

/** markSending of a shared store: another instance's entry of the same lane may have reached Twilio; try later. */
export class LaneTaken extends Error {}

/** markSending of a shared store: the entry is no longer this instance's (its lease lapsed, another took it over). */
export class NotOwner extends Error {}

/** The key of a Twilio account's entries: its AccountSid and the API host its requests go to. */
export function accountKey(accountSid: string, baseUrl: string): string {
    let host = baseUrl;
    try {
        host = new URL(baseUrl).host;
    } catch {
        // not a URL: the account reports that problem itself; the text still keeps accounts apart
    }
    return `${accountSid}@${host}`;
}
