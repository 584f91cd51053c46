/**
 * The account's limits, shared by every node that uses it: at most maxConcurrent requests in flight, at most
 * ratePerSecond started per second when a rate is set, and at most queueSize messages waiting for either.
 * A full queue refuses at once (the caller answers QueueFullError); nothing waits unbounded.
 */

export interface Limits {
    maxConcurrent: number;
    /** Requests started per second; 0 for no limit. */
    ratePerSecond: number;
    queueSize: number;
}

export class QueueFull extends Error {}

/** How far behind its schedule the rate limit may catch up (see claimStart). */
const CATCH_UP_MS = 100;

/** A request's place: in the queue until it may start, then in flight until released. */
export interface Ticket {
    /** Resolves when the request may start; rejects with the reason given to cancel(). */
    readonly ready: Promise<void>;
    /** Gives the place back (in flight or still queued); call once, whatever happened. */
    release(): void;
    /** Takes a queued ticket out of the queue: ready rejects with `reason`. No effect once started. */
    cancel(reason: Error): boolean;
}

interface Waiter {
    start(): void;
    fail(reason: Error): void;
}

/** What the account needs of its limits: this process's (RequestLimiter), or shared by instances (shared-limiter.ts). */
export interface Limiter {
    readonly maxConcurrent: number;
    take(): Ticket;
    /** A start slot for a repeat of a request in flight: how long to wait for it. */
    claimPace(): number | Promise<number>;
    close(): void;
}

export class RequestLimiter implements Limiter {
    /** In arrival order (a Set keeps it), with O(1) removal of a cancelled one. */
    private readonly waiting = new Set<Waiter>();
    private inFlight = 0;
    /** The next start slot under the rate limit (ms since epoch). */
    private nextStart = 0;
    private timer?: NodeJS.Timeout;

    constructor(private readonly limits: Limits) {}

    get maxConcurrent(): number {
        return this.limits.maxConcurrent;
    }

    /** A place for one request; throws QueueFull when the queue is full. */
    take(): Ticket {
        if (this.waiting.size >= this.limits.queueSize) throw new QueueFull();
        let state: "queued" | "started" | "done" = "queued";
        let waiter!: Waiter;
        const ready = new Promise<void>((resolve, reject) => {
            waiter = {
                start: () => {
                    state = "started";
                    this.inFlight++;
                    resolve();
                },
                fail: reject,
            };
        });
        this.waiting.add(waiter);
        this.dispatch();
        return {
            ready,
            release: () => {
                if (state === "started") {
                    this.inFlight--;
                    this.dispatch();
                } else if (state === "queued") {
                    this.waiting.delete(waiter);
                }
                state = "done";
            },
            cancel: (reason) => {
                if (state !== "queued") return false;
                state = "done";
                this.waiting.delete(waiter);
                waiter.fail(reason);
                return true;
            },
        };
    }

    /** Stops the rate timer; whatever still waits is cancelled by its own node as that node closes. */
    close(): void {
        clearTimeout(this.timer);
        this.timer = undefined;
    }

    /**
     * Reserves a start slot under the rate limit for another attempt of a request already in flight (a retry);
     * returns how long to wait for it (0 without a rate).
     */
    claimPace(): number {
        return this.claimStart();
    }

    /**
     * Reserves the next start slot of the rate limit; returns how long to wait for it. Slots follow a fixed
     * schedule, so timers that fire late (a busy event loop) do not slow the rate down: up to a tenth of a
     * second of slots (at least one) is caught up. After a longer pause the schedule starts again from now,
     * so no burst of saved-up slots follows an idle spell.
     */
    private claimStart(): number {
        if (!this.limits.ratePerSecond) return 0;
        const interval = 1000 / this.limits.ratePerSecond;
        const now = Date.now();
        const slot = this.nextStart >= now - Math.max(interval, CATCH_UP_MS) ? this.nextStart : now;
        this.nextStart = slot + interval;
        return Math.max(0, slot - now);
    }

    /** Starts queued requests while there is room, at the rate allowed. */
    private dispatch(): void {
        if (this.timer) return;
        while (this.waiting.size > 0 && this.inFlight < this.limits.maxConcurrent) {
            const now = Date.now();
            if (this.limits.ratePerSecond && this.nextStart > now) {
                this.timer = setTimeout(() => {
                    this.timer = undefined;
                    this.dispatch();
                }, this.nextStart - now);
                return;
            }
            this.claimStart();
            const [first] = this.waiting;
            this.waiting.delete(first);
            first.start();
        }
    }
}
