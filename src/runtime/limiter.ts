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

export class RequestLimiter {
    private readonly waiting: Waiter[] = [];
    private inFlight = 0;
    /** When the next request may start under the rate limit (ms since epoch). */
    private nextStart = 0;
    private timer?: NodeJS.Timeout;

    constructor(private readonly limits: Limits) {}

    get queued(): number {
        return this.waiting.length;
    }

    get active(): number {
        return this.inFlight;
    }

    /** A place for one request; throws QueueFull when the queue is full. */
    take(): Ticket {
        if (this.waiting.length >= this.limits.queueSize) throw new QueueFull();
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
        this.waiting.push(waiter);
        this.dispatch();
        return {
            ready,
            release: () => {
                if (state === "started") {
                    this.inFlight--;
                    this.dispatch();
                } else if (state === "queued") {
                    this.remove(waiter);
                }
                state = "done";
            },
            cancel: (reason) => {
                if (state !== "queued") return false;
                state = "done";
                this.remove(waiter);
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

    /** Waits for the rate limit before another attempt of a request already in flight (a retry). */
    async pace(): Promise<void> {
        const wait = this.claimStart();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }

    private remove(waiter: Waiter): void {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
    }

    /** Reserves the next start slot of the rate limit; returns how long to wait for it. */
    private claimStart(): number {
        if (!this.limits.ratePerSecond) return 0;
        const now = Date.now();
        const start = Math.max(now, this.nextStart);
        this.nextStart = start + 1000 / this.limits.ratePerSecond;
        return start - now;
    }

    /** Starts queued requests while there is room, at the rate allowed. */
    private dispatch(): void {
        if (this.timer) return;
        while (this.waiting.length > 0 && this.inFlight < this.limits.maxConcurrent) {
            const now = Date.now();
            if (this.limits.ratePerSecond && this.nextStart > now) {
                this.timer = setTimeout(() => {
                    this.timer = undefined;
                    this.dispatch();
                }, this.nextStart - now);
                return;
            }
            this.claimStart();
            this.waiting.shift()!.start();
        }
    }
}
