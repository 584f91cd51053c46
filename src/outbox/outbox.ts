/**
 * The outbox of one Twilio account (AccountSid at an API host): creates (postMessage, createCall) committed to the
 * store before anything else happens to them, then sent from there, oldest first, under the account's limits.
 * It lives as long as the process has the store open, not as long as a config node: config nodes of the account
 * attach to it and detach (a redeploy, a re-created or copied config node), and it sends only while one is
 * attached, through that one's sender (its credentials, limits and retries).
 *
 * - Twilio unreachable or busy (no answer, 429, 5xx), or refusing the account's credentials (401), or the
 *   credentials or a setting unusable: the entries wait, the account backs off (scheduler.ts), its nodes' status
 *   says why, and they are tried again until their max age (ExpiredError).
 * - A refusal of the message itself (21211, 21610, any other 4xx) ends that entry on output 2.
 * - An attempt whose outcome is unknown is looked up at Twilio before anything is sent again (reconciler.ts).
 * - Stop means stop: when the last config node detaches, retries waiting to leave are aborted (the entry waits
 *   for the next run) and nothing new starts; what is on the wire is waited for, and its answer still recorded.
 * - Every attempt is recorded before it leaves, retries included, so whoever opens the store next looks it up
 *   rather than sending it again.
 */
import { setMaxListeners } from "node:events";
import { OPERATIONS } from "../catalog/operations";
import type { OperationSpec } from "../catalog/types";
import { buildRequest, type ApiRequest } from "../rules/request";
import type { Translate } from "../rules/translate";
import type { OperationParams } from "../rules/validate";
import type { AuthChoice, ConfigProblem } from "../sender/auth";
import { QueueFull } from "../sender/limiter";
import { resultDetail } from "../rules/result-detail";
import { failure, fromResponse, type RequestFailure } from "../sender/outcome";
import type { SendOptions, SendResult } from "../sender/send-with-retries";
import { TwilioClock } from "./clock";
import { laneOf, lookUp, SKEW_MARGIN_MS } from "./reconciler";
import { outboxNode, routeResult, type HeldReason, type LiveMessage, type OutboxOutcome } from "./result-router";
import { restoreMessage, saveMessage } from "./saved-message";
import { Scheduler, type ScheduledEntry } from "./scheduler";
import { LaneTaken, NotOwner, type EntryRow, type OutboxStore } from "./store";

/** What one entry may take on disk, its message and parameters together. */
export const MAX_ENTRY_BYTES = 1024 * 1024;
/** How often finished Sids are forgotten and old entries expired (outboxes.ts runs the sweep). */
export const SWEEP_MS = 60_000;
const CLOSE_WAIT_LIMIT_MS = 10_000;
/** A shared store's lane held by another instance's entry: asked again after this long. */
const LANE_RETRY_MS = 250;

export interface OutboxSettings {
    maxAgeMs: number;
    maxEntries: number;
    maxBytes: number;
}

/** What the outbox needs of an attached account (a TwilioAccount and its config node). */
export interface OutboxSender {
    /** The config node's id. */
    readonly id: string;
    readonly timeoutMs: number;
    readonly maxConcurrent: number;
    readonly settings: OutboxSettings;
    authFor(accountSid?: string): AuthChoice;
    problemFailure(problem: ConfigProblem, t: Translate): RequestFailure;
    send(request: ApiRequest, auth: { accountSid: string; username: string; password: string }, options: SendOptions): Promise<SendResult>;
    /** Whether new entries are taken: off when the outbox setting was unticked and it only sends what it holds. */
    readonly accepting: boolean;
    /** The account's own status: how many wait, and why if they are held; with a shared store, the counts of all instances. */
    showOutbox(waiting: number, held?: HeldReason, shared?: SharedCounts): void;
}

interface Entry extends ScheduledEntry {
    node: string;
    op: OperationSpec;
    params: OperationParams;
    bytes: number;
    attemptStarted?: number;
    live?: LiveMessage;
    /** A lookup refusal was logged already for this entry. */
    refusalLogged?: boolean;
}

/** A shared store's counts for an account, all instances together. */
export interface SharedCounts {
    open: number;
    inFlight: number;
}

export type Submitted = { kind: "stored" | "full" | "fullBytes" | "memory" } | { kind: "tooLarge"; property: string; bytes: number };

type Log = { warn(text: string): void; error(text: string): void };

export class Outbox {
    private readonly entries = new Map<number, Entry>();
    private readonly scheduler = new Scheduler<Entry>();
    private readonly twilioClock = new TwilioClock();
    /** Sids this outbox finished with: a lookup does not even consider them (the store checks every claim). */
    private readonly finishedSids = new Map<string, number>();
    private readonly waitingByNode = new Map<string, number>();
    private readonly senders: OutboxSender[] = [];
    private stop = stopController();
    private active = 0;
    private bytes = 0;
    /** Submits between their check against the limits and their commit. */
    private reserved = { entries: 0, bytes: 0 };
    private timer?: NodeJS.Timeout;
    /** Resolves once the store's entries are read: nothing is sent or stored before. */
    private loaded: Promise<void> = Promise.resolve();
    private read = false;
    private idle: Array<() => void> = [];
    /** Entries whose result was handed on but not taken yet (held over a redeploy): the store still has them open. */
    private readonly unrouted = new Set<number>();
    private routedWaiters: Array<() => void> = [];
    /** The held reason last said in the log, so that it is said once. */
    private loggedHold?: string;
    /** A shared store's counts, kept up to date by its holder (outboxes.ts). */
    private sharedCounts?: SharedCounts;

    constructor(
        /** accountKey: AccountSid@host. */
        readonly account: string,
        private readonly store: OutboxStore,
        private readonly t: Translate,
        private readonly log: Log,
        /** Called before entries are scheduled: sees a step of the wall clock first (outboxes.ts). */
        private readonly checkClock: () => void = () => {},
    ) {}

    /**
     * Reads what the store holds for the account, the first time; after that this outbox is what the store holds
     * (the file is this process's alone), and only what the first version left under `configId` is added.
     */
    load(configId: string): Promise<void> {
        const previous = this.loaded;
        const first = !this.read;
        this.read = true;
        this.loaded = (async () => {
            await previous;
            const rows = first ? await this.store.openEntries(this.account, configId) : await this.store.adopt(this.account, configId);
            for (const row of rows) if (!this.entries.has(row.id) && !this.unrouted.has(row.id)) this.restore(row);
            this.pump();
        })();
        return this.loaded;
    }

    /**
     * A shared store: takes over what instances whose lease lapsed left of this account (redis-store.ts); resolves
     * with how many. Submits do not wait for it.
     */
    async takeOver(): Promise<number> {
        await this.loaded;
        const rows = await this.store.adopt(this.account, "");
        let taken = 0;
        for (const row of rows) {
            if (this.entries.has(row.id) || this.unrouted.has(row.id)) continue;
            this.restore(row);
            taken++;
        }
        if (taken > 0) this.pump();
        return taken;
    }

    get size(): number {
        return this.entries.size;
    }

    get attached(): boolean {
        return this.senders.length > 0;
    }

    /** The sender it sends through: the config node attached last whose credentials can be used, else the last. */
    private get sender(): OutboxSender | undefined {
        for (let i = this.senders.length - 1; i >= 0; i--) if (this.senders[i].authFor().ok) return this.senders[i];
        return this.senders[this.senders.length - 1];
    }

    get settings(): OutboxSettings | undefined {
        return this.sender?.settings;
    }

    attach(sender: OutboxSender): void {
        if (this.senders.length === 0) this.stop = stopController();
        this.senders.push(sender);
        this.showWaiting();
        void this.loaded.then(() => this.pump());
    }

    /**
     * A config node leaves (its close). When it was the last: retries waiting to leave are aborted, nothing new
     * starts, and what is on the wire is waited for (at most the request timeout, 10 s at most); its answer is
     * recorded whenever it comes.
     */
    detach(sender: OutboxSender): Promise<void> {
        const index = this.senders.indexOf(sender);
        if (index >= 0) this.senders.splice(index, 1);
        if (this.senders.length > 0) return Promise.resolve();
        clearTimeout(this.timer);
        this.timer = undefined;
        this.stop.abort(new Error("the outbox stopped"));
        return this.whenIdle(Math.min(sender.timeoutMs, CLOSE_WAIT_LIMIT_MS) + 500);
    }

    /** Resolves once no attempt runs, or after `limitMs`. */
    whenIdle(limitMs = Infinity): Promise<void> {
        if (this.active === 0) return Promise.resolve();
        return new Promise((resolve) => {
            const timer = limitMs < Infinity ? setTimeout(resolve, limitMs) : undefined;
            this.idle.push(() => {
                clearTimeout(timer);
                resolve();
            });
        });
    }

    get busy(): boolean {
        return this.active > 0;
    }

    /** Whether results wait for the flows to start again before the store may forget their entries. */
    get holdsResults(): boolean {
        return this.unrouted.size > 0;
    }

    /** Resolves once every result handed on has been taken (a redeploy's new flows started). */
    whenRouted(): Promise<void> {
        if (this.unrouted.size === 0) return Promise.resolve();
        return new Promise((resolve) => this.routedWaiters.push(resolve));
    }

    /** Whether a create goes through the outbox: not with a message's own auth token, which never goes to disk. */
    takes(op: OperationSpec, params: OperationParams): boolean {
        return op.method === "POST" && this.senders.some((sender) => sender.accepting) && params.AuthToken === undefined;
    }

    /**
     * Commits a create (after validation) and sends it from the outbox. Resolves, once committed, with "stored"
     * (its result comes through `live`); "full" / "fullBytes" at the limits; "tooLarge" for an entry over
     * MAX_ENTRY_BYTES; "memory" when the store cannot be written (the caller then sends it as without the
     * outbox: an alarm is never refused because the disk is unavailable).
     */
    async submit(node: string, op: OperationSpec, params: OperationParams, live: LiveMessage): Promise<Submitted> {
        // a store that could not be read (a Valkey/Redis server down at deploy: said by its holder) takes nothing
        if (!(await this.loaded.then(() => true, () => false))) return { kind: "memory" };
        const sender = this.sender;
        const { settings } = [...this.senders].reverse().find((one) => one.accepting) ?? {};
        if (!sender || !settings) return { kind: "memory" };
        if (this.entries.size + this.reserved.entries >= settings.maxEntries) return { kind: "full" };
        const saved = saveMessage(live.msg);
        const paramsBytes = Buffer.byteLength(JSON.stringify(params));
        const bytes = saved.data.length + paramsBytes;
        if (bytes > MAX_ENTRY_BYTES) {
            const largest = saved.largest();
            const inMessage = largest !== undefined && largest.bytes >= paramsBytes;
            return { kind: "tooLarge", property: inMessage ? `msg.${largest.name}` : "msg.payload", bytes: inMessage ? largest.bytes : paramsBytes };
        }
        if (this.bytes + this.reserved.bytes + bytes > settings.maxBytes) return { kind: "fullBytes" };
        const lane = laneOf(op, params);
        const now = Date.now();
        // with room to send it at once, it is committed as being sent: one commit before sending instead of two (not
        // in a shared store, where markSending takes the lane for every instance)
        const direct = !this.store.shared && this.scheduler.mayStartNow(lane, this.active, sender.maxConcurrent) && !this.anyStartable(now);
        const entry: Entry = {
            id: 0, node, op, params, bytes, lane, created: now, maxAge: settings.maxAgeMs,
            state: direct ? "sending" : "waiting", busy: false, due: 0, failures: 0, live,
            ...(direct ? { attemptStarted: now, lastAttempt: now } : {}),
        };
        if (direct) {
            this.scheduler.lease(entry);
            this.active++;
        }
        this.reserved.entries++;
        this.reserved.bytes += bytes;
        try {
            entry.id = await this.store.insert({
                account: this.account, config: sender.id, node, operation: op.name, params, msg: saved.data, bytes,
                created: now, maxAge: settings.maxAgeMs, state: direct ? "sending" : "waiting",
                attemptStarted: entry.attemptStarted, lastAttempt: entry.lastAttempt,
            });
        } catch (err) {
            if (direct) {
                entry.state = "waiting";
                this.scheduler.release(entry);
                this.settleAttempt();
            }
            this.log.error(this.t("twilio.outbox.writeFailed", { file: this.store.where, reason: reasonOf(err) }));
            return { kind: "memory" };
        } finally {
            this.reserved.entries--;
            this.reserved.bytes -= bytes;
        }
        this.entries.set(entry.id, entry);
        this.bytes += bytes;
        this.countWaiting(node, 1);
        if (direct) void this.attempt(entry, sender);
        else this.pump();
        return { kind: "stored" };
    }

    /** Whether some older entry could go now: a new one then queues behind it (oldest first). */
    private anyStartable(now = Date.now()): boolean {
        for (const entry of this.entries.values()) if (!entry.busy && this.scheduler.mayGo(entry, now)) return true;
        return false;
    }

    /** How many entries a node has in this outbox, and why they are held if they are (for its status at start). */
    waitingFor(node: string): { waiting: number; held?: HeldReason } {
        return { waiting: this.waitingByNode.get(node) ?? 0, held: this.scheduler.held };
    }

    /** The wall clock stepped by `ms`: every time kept moves with it (the store's by the caller). */
    shiftTimes(ms: number): void {
        for (const entry of this.entries.values()) {
            entry.created += ms;
            if (entry.attemptStarted !== undefined) entry.attemptStarted += ms;
            if (entry.lastAttempt !== undefined) entry.lastAttempt += ms;
            if (entry.due) entry.due += ms;
        }
        for (const [sid, finished] of this.finishedSids) this.finishedSids.set(sid, finished + ms);
        this.scheduler.shift(ms);
    }

    /** Expires what is too old, also with no config node attached (then the results go to the nodes or the log). */
    sweep(now = Date.now()): void {
        for (const entry of this.scheduler.expired(this.entries.values(), now)) this.expire(entry);
        let oldestAttempt = now;
        for (const entry of this.entries.values()) {
            if (entry.state !== "waiting") oldestAttempt = Math.min(oldestAttempt, entry.attemptStarted ?? entry.created);
        }
        // a claim matters while some attempt's window (its start less the margin) can still reach it
        const before = oldestAttempt - SKEW_MARGIN_MS - SWEEP_MS;
        for (const [sid, finished] of this.finishedSids) if (finished < before) this.finishedSids.delete(sid);
        this.store.prune(this.account, before);
    }

    private restore(row: EntryRow): void {
        const op = OPERATIONS[row.operation];
        if (!op) return;
        const params = row.params as OperationParams;
        const entry: Entry = {
            id: row.id, node: row.node, op, params, bytes: row.bytes, lane: laneOf(op, params), created: row.created,
            maxAge: row.maxAge, state: row.state, attemptStarted: row.attemptStarted, lastAttempt: row.lastAttempt, busy: false, due: 0, failures: 0,
        };
        this.entries.set(entry.id, entry);
        this.bytes += entry.bytes;
        this.scheduler.restore(entry);
        this.countWaiting(entry.node, 1);
    }

    /** Starts what may go now. */
    private pump(): void {
        const sender = this.sender;
        if (!sender) return;
        this.checkClock();
        clearTimeout(this.timer);
        this.timer = undefined;
        const { start, expire, wakeAt } = this.scheduler.next(this.entries.values(), this.active, sender.maxConcurrent, sender.timeoutMs);
        for (const entry of expire) this.expire(entry);
        for (const entry of start) {
            this.active++;
            void this.attempt(entry, sender);
        }
        if (wakeAt !== undefined) {
            this.timer = setTimeout(() => this.pump(), Math.max(0, wakeAt - Date.now()));
        }
    }

    private expire(entry: Entry): void {
        const hours = Math.round((entry.maxAge / 3_600_000) * 10_000) / 10_000;
        const unknown = entry.state === "unknown";
        const outcome = failure("ExpiredError", this.t(unknown ? "twilio.outbox.expiredUnknown" : "twilio.outbox.expired", { operation: entry.op.name, hours }), 504);
        if (unknown) outcome.error.outcome = "unknown";
        this.deliver(entry, outcome, "expired");
    }

    /** One go at an entry, leased by the scheduler: look it up if need be, then send it. */
    private async attempt(entry: Entry, sender: OutboxSender): Promise<void> {
        try {
            await this.tryEntry(entry, sender);
        } catch (err) {
            this.log.error(this.t("twilio.errors.unexpected", { reason: reasonOf(err) }));
            this.scheduler.backOff(entry);
        } finally {
            this.scheduler.release(entry);
            this.settleAttempt();
            this.pump();
        }
    }

    private settleAttempt(): void {
        this.active--;
        if (this.active === 0) {
            const idle = this.idle;
            this.idle = [];
            idle.forEach((resolve) => resolve());
        }
    }

    private async tryEntry(entry: Entry, sender: OutboxSender): Promise<void> {
        const { t } = this;
        const credentials = sender.authFor(entry.params.AccountSid as string | undefined);
        if (!credentials.ok) {
            // the account cannot be used as it is configured: held until a config node that can is deployed
            const problem = sender.problemFailure(credentials.problem, t);
            return this.holdAccount(credentials.problem.startsWith("where.") || credentials.problem === "badBaseUrl" ? "setting" : "credentials", problem.error.error);
        }
        const { auth } = credentials;
        const stop = this.stop.signal;
        if (entry.state === "unknown") {
            const list = (uri: string, fields: Record<string, string>) => sender.send({ method: "get", uri, fields }, auth, { stop });
            const claimed = (sid: string) => this.finishedSids.has(sid);
            let lookup;
            try {
                lookup = await lookUp(list, this.twilioClock, { op: entry.op, params: entry.params, accountSid: auth.accountSid, attemptStarted: entry.attemptStarted ?? entry.created, claimed });
            } catch (err) {
                if (stop.aborted || err instanceof QueueFull) return;
                throw err;
            }
            if (lookup.kind === "noAnswer") return this.holdAccount(lookup.sent.response?.statusCode === 429 ? "busy" : "unreachable");
            if (lookup.kind === "refused") {
                if (lookup.status === 401) return this.holdAccount("credentials", this.t("twilio.outbox.refusedCredentials", { status: 401 }));
                return this.lookupRefused(entry, lookup.status, lookup.code);
            }
            this.reachable();
            if (lookup.kind === "tooMany") {
                const outcome = failure("TwilioError", t("twilio.outbox.cannotTell", { operation: entry.op.name }), 409);
                outcome.error.outcome = "unknown";
                return this.deliver(entry, outcome, "failed");
            }
            if (lookup.kind === "found") {
                for (const candidate of lookup.candidates) {
                    if (!(await this.store.claim(entry.id, this.account, candidate.sid))) continue;
                    const outcome: OutboxOutcome = { ...fromResponse(entry.op, { statusCode: 200, body: candidate.resource }, t), reconciled: true };
                    return this.deliver(entry, outcome, "claimed", candidate.sid);
                }
            }
            // not there: no attempt so far created anything, and this one begins afresh
            entry.state = "waiting";
            entry.attemptStarted = undefined;
        }
        if (stop.aborted || !this.entries.has(entry.id)) return;
        if (entry.state !== "sending") {
            const now = Date.now();
            try {
                await this.store.markSending(entry.id, now, now, sender.id);
            } catch (err) {
                if (err instanceof LaneTaken) {
                    entry.due = now + LANE_RETRY_MS;
                    return;
                }
                if (err instanceof NotOwner) return this.drop(entry);
                // not recorded, not sent: a restart must be able to tell whether it left
                this.log.error(this.t("twilio.outbox.recordFailed", { file: this.store.where, reason: reasonOf(err) }));
                return this.scheduler.backOff(entry);
            }
            entry.state = "sending";
            entry.attemptStarted = entry.lastAttempt = now;
            if (stop.aborted) return this.backToWaiting(entry);
        }
        const recordRetry = async () => {
            const now = Date.now();
            // a repeat never leaves past the entry's max age: it then waits, and expires (scheduler)
            if (now - entry.created > entry.maxAge) throw new PastMaxAge();
            await this.store.markSending(entry.id, entry.attemptStarted ?? now, now, sender.id);
            entry.lastAttempt = now;
        };
        let sent: SendResult;
        try {
            sent = await sender.send(buildRequest(entry.op, entry.params, auth.accountSid), auth, { stop, beforeRetry: recordRetry });
        } catch (err) {
            // stopped (or a retry could not be recorded) before a repeat left, or no place in the account's queue:
            // what went out so far was not processed (a 429, a refused connection)
            if (!stop.aborted && !(err instanceof QueueFull) && !(err instanceof PastMaxAge)) this.log.error(this.t("twilio.outbox.recordFailed", { file: this.store.where, reason: reasonOf(err) }));
            return this.backToWaiting(entry);
        }
        this.settle(entry, sent);
    }

    /** What an attempt came to. */
    private settle(entry: Entry, sent: SendResult): void {
        const status = sent.response?.statusCode;
        if (status === undefined || status === 429 || status >= 500) {
            const unknown = sent.unknownOutcome || (status ?? 0) >= 500;
            if (unknown) {
                entry.state = "unknown";
                this.store.markUnknown(entry.id);
            } else {
                this.backToWaiting(entry);
            }
            return this.holdAccount(status === 429 ? "busy" : "unreachable");
        }
        if (status === 401) {
            // the account's credentials, not the message: nothing was created; everything waits for a fix
            this.backToWaiting(entry);
            return this.holdAccount("credentials", this.t("twilio.outbox.refusedCredentials", { status }));
        }
        this.reachable();
        const outcome = fromResponse(entry.op, sent.response!, this.t);
        const sid = outcome.ok && typeof outcome.result?.sid === "string" ? outcome.result.sid : undefined;
        this.deliver(entry, outcome, outcome.ok ? "done" : "failed", sid);
    }

    private backToWaiting(entry: Entry): void {
        if (entry.state === "waiting") return;
        entry.state = "waiting";
        entry.attemptStarted = entry.lastAttempt = undefined;
        this.store.markWaiting(entry.id);
    }

    /** This entry's lookup was refused (403, 404, …): it waits with its own backoff; the other entries go on. */
    private lookupRefused(entry: Entry, status: number, code?: number): void {
        this.scheduler.backOff(entry);
        if (entry.refusalLogged) return;
        entry.refusalLogged = true;
        this.log.warn(this.t("twilio.outbox.lookupRefused", { operation: entry.op.name, status, code: code ?? "-" }));
    }

    private holdAccount(reason: string, sentence?: string): void {
        this.scheduler.hold(reason);
        if (sentence && this.loggedHold !== sentence) {
            this.loggedHold = sentence;
            this.log.warn(this.t("twilio.outbox.heldLog", { n: this.entries.size, reason: sentence }));
        }
        this.showWaiting();
    }

    private reachable(): void {
        if (!this.scheduler.clear()) return;
        this.loggedHold = undefined;
        this.showWaiting();
    }

    /**
     * Ends an entry: its result goes on (result-router.ts), and only then does the store forget it, so a crash in
     * between puts the result out again (found at Twilio), never the create. A claim's Sid is on disk already; the
     * entry stays open, its message kept, until then.
     */
    private deliver(entry: Entry, outcome: OutboxOutcome, state: "done" | "failed" | "expired" | "claimed", sid?: string): void {
        if (!this.entries.delete(entry.id)) return;
        this.bytes -= entry.bytes;
        this.scheduler.forget(entry);
        this.countWaiting(entry.node, -1);
        if (sid) this.finishedSids.set(sid, Date.now());
        this.unrouted.add(entry.id);
        routeResult({
            node: entry.node,
            outcome,
            params: entry.params,
            live: entry.live,
            saved: async () => {
                const data = await this.store.messageOf(entry.id).catch(() => undefined);
                return data ? restoreMessage(data) : {};
            },
            describe: () => (outcome.ok ? resultDetail(entry.op, outcome.result, this.t) : `${outcome.error.type}: ${outcome.error.error}`),
            routed: () => {
                this.unrouted.delete(entry.id);
                this.store.finish(entry.id, state === "claimed" ? "done" : state, sid);
                if (this.unrouted.size > 0) return;
                const waiting = this.routedWaiters;
                this.routedWaiters = [];
                waiting.forEach((resolve) => resolve());
            },
            operation: entry.op.name,
        });
    }

    /** An entry of a shared store that another instance took over (this one's lease lapsed): no longer ours to send. */
    private drop(entry: Entry): void {
        if (!this.entries.delete(entry.id)) return;
        this.bytes -= entry.bytes;
        this.scheduler.forget(entry);
        this.countWaiting(entry.node, -1);
    }

    /** A shared store's counts for the status (outboxes.ts). */
    showShared(counts: SharedCounts): void {
        this.sharedCounts = counts;
        this.sender?.showOutbox(this.entries.size, this.scheduler.held, counts);
    }

    private countWaiting(node: string, change: number): void {
        const n = (this.waitingByNode.get(node) ?? 0) + change;
        if (n > 0) this.waitingByNode.set(node, n);
        else this.waitingByNode.delete(node);
        outboxNode(node)?.showWaiting(n, this.scheduler.held);
        this.sender?.showOutbox(this.entries.size, this.scheduler.held, this.sharedCounts);
    }

    private showWaiting(): void {
        for (const [node, n] of this.waitingByNode) outboxNode(node)?.showWaiting(n, this.scheduler.held);
        this.sender?.showOutbox(this.entries.size, this.scheduler.held, this.sharedCounts);
    }
}

/** A repeat that would leave after its entry's max age. */
class PastMaxAge extends Error {}

/** Every attempt in flight listens to it (the account's queue, the retry waits): as many as the concurrency. */
function stopController(): AbortController {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
}

function reasonOf(err: unknown): string {
    return String((err as Error | undefined)?.message ?? err).split("\n")[0];
}
