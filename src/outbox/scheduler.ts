/**
 * Which of an account's entries goes next, and when: oldest first, as many at once as the account's concurrency
 * allows; one at a time per lane while an entry of the lane may have reached Twilio; nothing while the account is
 * held (Twilio unreachable or busy, or refusing the account's credentials), apart from one probe at a time when
 * its backoff is over; an entry whose own lookup was refused waits for its own backoff. Entries are leased
 * (`busy`) while an attempt runs, so no entry is ever attempted twice at once.
 */
import { holdDelay } from "../sender/retry";
import type { HeldReason } from "./result-router";
import type { EntryState } from "./store";

/** After an unknown outcome, Twilio gets this long past the request timeout before it is asked what happened. */
export const RECONCILE_SETTLE_MS = 2_000;

export interface ScheduledEntry {
    id: number;
    lane: string;
    created: number;
    maxAge: number;
    state: EntryState;
    lastAttempt?: number;
    /** Leased: an attempt runs. */
    busy: boolean;
    /** Not before this time (ms since epoch): its own backoff. */
    due: number;
    /** Its own failures in a row (a refused lookup). */
    failures: number;
}

export type Decision<E> = { start: E[]; expire: E[]; wakeAt?: number };

export class Scheduler<E extends ScheduledEntry> {
    /** The account's hold: failures in a row, until when, and why. */
    private failures = 0;
    private until = 0;
    held?: HeldReason;
    /** The entry that holds each lane: in flight, or with an unknown outcome. */
    private readonly lanes = new Map<string, E>();

    /**
     * What to start now among `entries` (in id order, oldest first), what has expired, and when to look again.
     * `active` attempts run; at most `maxConcurrent` may.
     */
    next(entries: Iterable<E>, active: number, maxConcurrent: number, timeoutMs: number, now = Date.now()): Decision<E> {
        const decision: Decision<E> = { start: [], expire: [] };
        let wake = Infinity;
        if (now < this.until) return { ...decision, expire: this.expired(entries, now), wakeAt: this.until };
        for (const entry of entries) {
            if (entry.busy) continue;
            if (now - entry.created > entry.maxAge) {
                decision.expire.push(entry);
                continue;
            }
            if (active >= maxConcurrent) continue;
            // while the account is held, one entry at a time finds out whether it is over
            if (this.failures > 0 && active > 0) continue;
            if (entry.due > now) {
                wake = Math.min(wake, entry.due);
                continue;
            }
            const holder = this.lanes.get(entry.lane);
            if (holder !== undefined && holder !== entry) continue;
            if (entry.state === "unknown") {
                const ready = (entry.lastAttempt ?? 0) + timeoutMs + RECONCILE_SETTLE_MS;
                if (now < ready) {
                    this.lanes.set(entry.lane, entry);
                    wake = Math.min(wake, ready);
                    continue;
                }
            }
            this.lease(entry);
            decision.start.push(entry);
            active++;
        }
        if (wake < Infinity) decision.wakeAt = wake;
        return decision;
    }

    /** Whether a new entry of this lane may start at once (the account not held, room, its lane free). */
    mayStartNow(lane: string, active: number, maxConcurrent: number): boolean {
        return this.failures === 0 && active < maxConcurrent && !this.lanes.has(lane);
    }

    /** Whether an entry is free to go as far as its own backoff and its lane are concerned. */
    mayGo(entry: E, now: number): boolean {
        const holder = this.lanes.get(entry.lane);
        return entry.due <= now && (holder === undefined || holder === entry);
    }

    lease(entry: E): void {
        entry.busy = true;
        this.lanes.set(entry.lane, entry);
    }

    /** The attempt ended; the entry keeps its lane while its outcome is unknown. */
    release(entry: E): void {
        entry.busy = false;
        if (entry.state !== "unknown" && this.lanes.get(entry.lane) === entry) this.lanes.delete(entry.lane);
    }

    /** The entry is gone (finished, expired). */
    forget(entry: E): void {
        if (this.lanes.get(entry.lane) === entry) this.lanes.delete(entry.lane);
    }

    /** An entry left by an earlier run with an unknown outcome holds its lane (the first one, if the first version left several). */
    restore(entry: E): void {
        if (entry.state === "unknown" && !this.lanes.has(entry.lane)) this.lanes.set(entry.lane, entry);
    }

    /** The account is held: Twilio did not answer, was busy, or refused the credentials. */
    hold(reason: string, now = Date.now()): void {
        this.failures++;
        this.until = now + holdDelay(this.failures);
        if (this.held?.reason !== reason) this.held = { reason, since: now };
    }

    /** Twilio answered and took the account's credentials: the hold is over. Whether there was one. */
    clear(): boolean {
        const was = this.failures > 0 || this.held !== undefined;
        this.failures = 0;
        this.until = 0;
        this.held = undefined;
        return was;
    }

    /** This entry's own lookup was refused: it waits on its own. */
    backOff(entry: E, now = Date.now()): void {
        entry.failures++;
        entry.due = now + holdDelay(entry.failures);
    }

    /** The wall clock stepped by `ms`: the times kept move with it. */
    shift(ms: number): void {
        if (this.until) this.until += ms;
        if (this.held) this.held.since += ms;
    }

    /** The entries past their max age that no attempt holds. */
    expired(entries: Iterable<E>, now: number): E[] {
        const expired: E[] = [];
        for (const entry of entries) if (!entry.busy && now - entry.created > entry.maxAge) expired.push(entry);
        return expired;
    }
}
