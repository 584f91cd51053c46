/**
 * The outbox of one account: creates (postMessage, createCall) committed to disk before anything else happens to
 * them, then sent from there, oldest first, under the account's limits. While Twilio cannot be reached (refused,
 * DNS, a 429, a 5xx) they stay and are tried again with a backoff of the whole account (doubling, at most 60 s,
 * jittered), with no retry budget, until they are older than the account's outboxMaxAge: then ExpiredError.
 * An attempt whose outcome is unknown is reconciled with Twilio before anything is sent again (reconcile.ts).
 * Entries left by an earlier run (restart, crash, power cut) resume when the account node starts; their results
 * come out of the node that sent them (same id), else they are logged.
 */
import type { NodeMessage } from "node-red";
import { OPERATIONS } from "../../catalog/operations";
import type { OperationSpec } from "../../catalog/types";
import type { TwilioAccount } from "../account";
import type { Translate } from "../../rules/translate";
import { QueueFull, type Ticket } from "../limiter";
import { resultDetail } from "../node-status";
import { failure, fromResponse } from "../outcome";
import { buildRequest } from "../../rules/request";
import type { OperationParams } from "../../rules/validate";
import { reconcile, SKEW_MARGIN_MS } from "./reconcile";
import { outboxNode, type OutboxOutcome } from "./registry";
import { restoreMessage, saveMessage } from "./saved-message";
import { SENDING, WAITING, type EntryRow, type OutboxStore } from "./store";

export { OUTBOX_DEFAULTS } from "../../catalog/account-settings";
export const OUTBOX_FILE = "twilio-outbox.sqlite";

const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** After an unknown outcome, Twilio gets this long past the request timeout before it is asked what happened. */
const RECONCILE_SETTLE_MS = 2_000;
const SWEEP_MS = 60_000;
const CLOSE_WAIT_LIMIT_MS = 10_000;

export interface OutboxSettings {
    maxAgeMs: number;
    maxEntries: number;
}

/** The message of a create while it is in this process: its result goes back the way it came, while it can. */
export interface LiveMessage {
    msg: NodeMessage;
    /** Set when its node stopped: the result then goes to the node registered under its id. */
    detached: boolean;
    resolve(outcome: OutboxOutcome): void;
}

interface Entry {
    id: number;
    node: string;
    op: OperationSpec;
    params: OperationParams;
    msgJson: string;
    created: number;
    /** As the file has it: WAITING or SENDING. */
    state: number;
    /** An attempt may have reached Twilio: ask before sending again. */
    unknown: boolean;
    attemptStarted?: number;
    lastAttempt?: number;
    busy: boolean;
    live?: LiveMessage;
}

export type Submitted = "full" | "memory" | "stored";

export class Outbox {
    private readonly entries = new Map<number, Entry>();
    /** Sids of resources finished with, and when: no other entry may take them (see prune). */
    private readonly claims = new Map<string, number>();
    private readonly waitingByNode = new Map<string, number>();
    private active = 0;
    /** Submits between their check against maxEntries and their commit. */
    private reserved = 0;
    /** Reconciliations run one at a time, so that each sees the claims of the one before. */
    private reconciling: Promise<unknown> = Promise.resolve();
    private failures = 0;
    private retryAt = 0;
    private unreachableSince?: number;
    private timer?: NodeJS.Timeout;
    private sweeper?: NodeJS.Timeout;
    private closed = false;
    private flowsStarted = false;
    /** Results whose node is not (yet) there, until the flows have started. */
    private held: Array<{ entry: Entry; outcome: OutboxOutcome; sid?: string }> = [];
    private idle?: () => void;

    constructor(
        private readonly accountId: string,
        private readonly account: TwilioAccount,
        private readonly store: OutboxStore,
        private readonly settings: OutboxSettings,
        private readonly t: Translate,
        private readonly log: { warn(text: string): void; error(text: string): void },
    ) {
        for (const row of store.openEntries(accountId)) this.resume(row);
        for (const sid of store.claimedSids(accountId)) this.claims.set(sid, Date.now());
        this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
        this.sweeper.unref();
        this.pump();
    }

    get file(): string {
        return this.store.file;
    }

    get maxEntries(): number {
        return this.settings.maxEntries;
    }

    get size(): number {
        return this.entries.size;
    }

    /** Whether a create goes through the outbox: not with a message's own auth token, which never goes to disk. */
    takes(op: OperationSpec, params: OperationParams): boolean {
        return op.method === "POST" && !this.closed && params.AuthToken === undefined;
    }

    /**
     * Commits a create (after validation) and sends it from the outbox. Resolves, once committed, with a promise
     * of its result; "full" when the outbox holds maxEntries; "memory" when the file cannot be written (the
     * caller then sends it as without the outbox: an alarm is never refused because the disk is unavailable).
     */
    async submit(node: string, op: OperationSpec, params: OperationParams, live: LiveMessage): Promise<Submitted> {
        if (this.entries.size + this.reserved >= this.settings.maxEntries) return "full";
        this.reserved++;
        const now = Date.now();
        const { json } = saveMessage(live.msg);
        // with room to send it at once, it is committed as being sent: one commit before sending instead of two
        const direct = this.canStartNow();
        const entry: Entry = { id: 0, node, op, params, msgJson: json, created: now, state: direct ? SENDING : WAITING, unknown: false, busy: direct, live };
        if (direct) {
            entry.attemptStarted = entry.lastAttempt = now;
            this.active++;
        }
        try {
            entry.id = await this.store.insert({
                account: this.accountId,
                node,
                operation: op.name,
                params: JSON.stringify(params),
                msg: json,
                created: now,
                state: entry.state,
                attempt_started: entry.attemptStarted ?? null,
                last_attempt: entry.lastAttempt ?? null,
            });
        } catch (err) {
            this.reserved--;
            if (direct) this.active--;
            this.log.error(this.t("twilio.outbox.writeFailed", { file: this.store.file, reason: String((err as Error).message ?? err) }));
            return "memory";
        }
        this.reserved--;
        this.entries.set(entry.id, entry);
        this.countWaiting(node, 1);
        if (direct) void this.attempt(entry, true);
        else this.pump();
        return "stored";
    }

    flowsStart(): void {
        this.flowsStarted = true;
        const held = this.held;
        this.held = [];
        for (const { entry, outcome, sid } of held) this.deliver(entry, outcome, sid);
    }

    flowsStop(): void {
        this.flowsStarted = false;
    }

    /**
     * Stops sending. Attempts in flight are waited for (at most the request timeout, 10 s at most), so that a
     * new account node reading the file never sends what this one still has on the wire. What is not finished
     * stays in the file for the next start.
     */
    close(): Promise<void> {
        this.closed = true;
        clearTimeout(this.timer);
        clearInterval(this.sweeper);
        if (this.active === 0) return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(resolve, Math.min(this.account.timeoutMs, CLOSE_WAIT_LIMIT_MS) + 500);
            this.idle = () => {
                clearTimeout(timer);
                resolve();
            };
        });
    }

    private resume(row: EntryRow): void {
        const op = OPERATIONS[row.operation];
        let params: OperationParams;
        try {
            params = JSON.parse(row.params) as OperationParams;
        } catch {
            params = {};
        }
        const entry: Entry = {
            id: row.id,
            node: row.node,
            op,
            params,
            msgJson: row.msg,
            created: row.created,
            state: row.state,
            // SENDING in the file: this process cannot know whether the attempt reached Twilio
            unknown: row.state === SENDING,
            attemptStarted: row.attempt_started ?? undefined,
            lastAttempt: row.last_attempt ?? undefined,
            busy: false,
        };
        this.entries.set(entry.id, entry);
        this.countWaiting(entry.node, 1);
    }

    private canStartNow(): boolean {
        if (this.closed || this.failures > 0 || this.active >= this.account.limiter.maxConcurrent) return false;
        for (const entry of this.entries.values()) if (!entry.busy) return false;
        return true;
    }

    /** Starts the oldest entries that may go, as many as the account's concurrency allows. */
    private pump(): void {
        if (this.closed) return;
        clearTimeout(this.timer);
        this.timer = undefined;
        const now = Date.now();
        if (now < this.retryAt) return this.wakeAt(this.retryAt);
        let wake = Infinity;
        for (const entry of this.entries.values()) {
            if (this.active >= this.account.limiter.maxConcurrent) break;
            // while Twilio is unreachable, one entry at a time finds out whether it is back
            if (this.failures > 0 && this.active > 0) break;
            if (entry.busy) continue;
            if (this.expire(entry, now)) continue;
            if (entry.unknown) {
                const ready = (entry.lastAttempt ?? 0) + this.account.timeoutMs + RECONCILE_SETTLE_MS;
                if (now < ready) {
                    wake = Math.min(wake, ready);
                    continue;
                }
            }
            entry.busy = true;
            this.active++;
            void this.attempt(entry, false);
        }
        if (wake < Infinity) this.wakeAt(wake);
    }

    private wakeAt(time: number): void {
        if (this.timer) return;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            this.pump();
        }, Math.max(0, time - Date.now()));
    }

    /** Ends an entry older than outboxMaxAge with ExpiredError; true if it did. */
    private expire(entry: Entry, now: number): boolean {
        if (entry.busy || now - entry.created <= this.settings.maxAgeMs) return false;
        const hours = Math.round((this.settings.maxAgeMs / 3_600_000) * 100) / 100;
        const key = entry.unknown ? "twilio.outbox.expiredUnknown" : "twilio.outbox.expired";
        const outcome = failure("ExpiredError", this.t(key, { operation: entry.op.name, hours }), 504);
        if (entry.unknown) outcome.error.outcome = "unknown";
        this.finish(entry, outcome);
        return true;
    }

    /** One go at an entry: reconcile it if need be, then send it; `committed` when the file already says SENDING. */
    private async attempt(entry: Entry, committed: boolean): Promise<void> {
        let ticket: Ticket | undefined;
        try {
            try {
                ticket = this.account.take();
            } catch (err) {
                if (!(err instanceof QueueFull)) throw err;
                // the account's queue is full of other nodes' requests: not Twilio's fault, try again shortly
                this.retryAt = Math.max(this.retryAt, Date.now() + BACKOFF_BASE_MS);
                return;
            }
            await ticket.ready;
            await this.send(entry, committed);
        } catch (err) {
            this.log.error(this.t("twilio.errors.unexpected", { reason: String(err) }));
            this.transient(entry, false);
        } finally {
            ticket?.release();
            if (entry.busy) {
                entry.busy = false;
                this.active--;
            }
            if (this.closed && this.active === 0) this.idle?.();
            this.pump();
        }
    }

    private async send(entry: Entry, committed: boolean): Promise<void> {
        const credentials = this.account.authFor(entry.params.AccountSid as string | undefined);
        if (!credentials.ok) {
            return this.finish(entry, this.account.problemFailure(credentials.problem, this.t));
        }
        const { auth } = credentials;
        if (entry.unknown) {
            const lookup = this.reconciling.then(() =>
                reconcile(this.account, {
                    op: entry.op,
                    params: entry.params,
                    accountSid: auth.accountSid,
                    auth,
                    attemptStarted: entry.attemptStarted ?? entry.created,
                    claimed: new Set(this.claims.keys()),
                }),
            );
            // the next lookup waits until this one's find is claimed (finish below runs before it resolves on)
            let claimed!: () => void;
            this.reconciling = new Promise<void>((resolve) => (claimed = resolve));
            let found: Awaited<typeof lookup>;
            try {
                found = await lookup;
            } finally {
                setImmediate(claimed);
            }
            if (found.kind === "noAnswer") return this.transient(entry, true);
            if (found.kind === "tooMany") {
                const outcome = failure("TwilioError", this.t("twilio.outbox.cannotTell", { operation: entry.op.name }), 409);
                outcome.error.outcome = "unknown";
                return this.finish(entry, outcome);
            }
            this.reachable();
            if (found.kind === "found") {
                const outcome: OutboxOutcome = { ...fromResponse(entry.op, { statusCode: 200, body: found.resource }, this.t), reconciled: true };
                return this.finish(entry, outcome, found.sid);
            }
            // not there: no attempt so far created anything, and this one begins afresh
            entry.unknown = false;
            entry.attemptStarted = undefined;
        }
        if (this.closed) return;
        if (!committed) {
            const now = Date.now();
            entry.attemptStarted ??= now;
            entry.lastAttempt = now;
            try {
                await this.store.markSending(entry.id, entry.attemptStarted, now);
            } catch (err) {
                // the file cannot be written: sending anyway beats holding the alarm back (a crash now could repeat it)
                this.log.error(this.t("twilio.outbox.writeFailed", { file: this.store.file, reason: String((err as Error).message ?? err) }));
            }
            entry.state = SENDING;
        }
        const sent = await this.account.sendWithRetries(buildRequest(entry.op, entry.params, auth.accountSid), auth);
        const status = sent.response?.statusCode;
        if (status === undefined || status === 429 || status >= 500) return this.transient(entry, sent.unknownOutcome || (status ?? 0) >= 500);
        this.reachable();
        const outcome = fromResponse(entry.op, sent.response!, this.t);
        const sid = outcome.ok && typeof outcome.result?.sid === "string" ? outcome.result.sid : undefined;
        this.finish(entry, outcome, sid);
    }

    /** Twilio was not reached, or did not process it (429, 5xx): the entry stays; the account backs off. */
    private transient(entry: Entry, unknown: boolean): void {
        entry.unknown ||= unknown;
        if (!entry.unknown && entry.state === SENDING) {
            entry.state = WAITING;
            entry.attemptStarted = undefined;
            this.store.markWaiting(entry.id);
        }
        this.failures++;
        this.unreachableSince ??= Date.now();
        const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.failures - 1, 16));
        // equal jitter: never less than half the step, so that a dead link is not hammered
        this.retryAt = Date.now() + ceiling / 2 + Math.random() * (ceiling / 2);
        this.showWaiting();
    }

    private reachable(): void {
        if (this.failures === 0) return;
        this.failures = 0;
        this.retryAt = 0;
        this.unreachableSince = undefined;
        this.showWaiting();
    }

    private finish(entry: Entry, outcome: OutboxOutcome, sid?: string): void {
        if (!this.entries.delete(entry.id)) return;
        this.countWaiting(entry.node, -1);
        if (sid) this.claims.set(sid, Date.now());
        this.deliver(entry, outcome, sid);
    }

    /** Hands the result on, then lets the file forget the entry (a crash in between repeats the result, never the send). */
    private deliver(entry: Entry, outcome: OutboxOutcome, sid?: string): void {
        if (entry.live && !entry.live.detached) {
            entry.live.resolve(outcome);
        } else {
            const node = outboxNode(entry.node);
            const msg = entry.live?.msg ?? restoreMessage(entry.msgJson);
            if (node) {
                node.resume(outcome, msg, entry.params);
            } else if (this.closed) {
                // a redeploy: left in the file, the next account node finds it at Twilio and hands it to the node then
                return;
            } else if (!this.flowsStarted) {
                this.held.push({ entry, outcome, sid });
                return;
            } else {
                const detail = outcome.ok ? resultDetail(entry.op, outcome.result, this.t) : `${outcome.error.type}: ${outcome.error.error}`;
                this.log.warn(this.t("twilio.outbox.orphanResult", { operation: entry.op.name, node: entry.node, detail }));
            }
        }
        this.store.complete(entry.id, sid);
    }

    private countWaiting(node: string, change: number): void {
        const n = (this.waitingByNode.get(node) ?? 0) + change;
        if (n > 0) this.waitingByNode.set(node, n);
        else this.waitingByNode.delete(node);
        outboxNode(node)?.showWaiting(n, this.unreachableSince);
    }

    private showWaiting(): void {
        for (const [node, n] of this.waitingByNode) outboxNode(node)?.showWaiting(n, this.unreachableSince);
    }

    /** How many entries a node has in this outbox (for its status when it starts). */
    waitingFor(node: string): { waiting: number; unreachableSince?: number } {
        return { waiting: this.waitingByNode.get(node) ?? 0, unreachableSince: this.unreachableSince };
    }

    /** Expires what is too old even while nothing is sent, and forgets claims no reconciliation can reach any more. */
    private sweep(): void {
        const now = Date.now();
        let oldestAttempt = now;
        for (const entry of this.entries.values()) {
            this.expire(entry, now);
            if (entry.unknown || entry.state === SENDING) oldestAttempt = Math.min(oldestAttempt, entry.attemptStarted ?? entry.created);
        }
        // a claim matters while some attempt's window (its start less the margin) can still reach it
        const before = oldestAttempt - SKEW_MARGIN_MS - SWEEP_MS;
        for (const [sid, finished] of this.claims) if (finished < before) this.claims.delete(sid);
        this.store.prune(this.accountId, before);
    }
}
