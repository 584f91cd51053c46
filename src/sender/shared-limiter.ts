/**
 * The account's limits held by every instance together (several Node-RED on one Twilio account): a request takes
 * its place in this process's limits first (RequestLimiter, unchanged: the queue, QueueFull, this process's share),
 * then a place among the account's requests in flight of all instances and the next start slot of the account's
 * rate, both kept by a SharedLimitStore (Valkey/Redis: outbox/redis-limits.ts). A place is leased: renewed while
 * its request runs, so the places of an instance that dies come back when their lease ends.
 *
 * If the shared store cannot be reached, requests go on under this process's limits alone (said once in the log):
 * an alarm is not held back because the coordination is down.
 */
import { randomBytes } from "node:crypto";
import { RequestLimiter, type Limiter, type Limits, type Ticket } from "./limiter";

export interface SharedLimitStore {
    /** Takes a place in flight and a start slot: 0 when taken; else how long to wait before asking again (ms). */
    tryTake(token: string, limits: Limits): Promise<number>;
    /** Reserves the next start slot only (a repeat of a request that holds its place): how long to wait for it. */
    pace(limits: Limits): Promise<number>;
    release(token: string): Promise<void>;
    /** Extends the leases of the places this process holds. */
    renew(tokens: string[]): Promise<void>;
}

/** How often a full account is asked again (a place frees when any instance's request ends). */
const POLL_MS = 5;
export const RENEW_MS = 3_000;

export class SharedRequestLimiter implements Limiter {
    private readonly local: RequestLimiter;
    private readonly held = new Set<string>();
    /** Requests of this process waiting for a place: a place this process gives back wakes them at once. */
    private readonly full = new Set<() => void>();
    private readonly renewer: NodeJS.Timeout;
    private failing = false;

    constructor(
        private readonly limits: Limits,
        private readonly store: SharedLimitStore,
        /** Told when the shared store fails (and when it works again: undefined). */
        private readonly onFailure: (reason: string | undefined) => void = () => {},
    ) {
        this.local = new RequestLimiter(limits);
        this.renewer = setInterval(() => {
            if (this.held.size > 0) void this.store.renew([...this.held]).catch(() => {});
        }, RENEW_MS);
        this.renewer.unref();
    }

    get maxConcurrent(): number {
        return this.limits.maxConcurrent;
    }

    take(): Ticket {
        const local = this.local.take();
        const token = randomBytes(9).toString("base64url");
        let stopped: Error | undefined;
        let taken = false;
        let wake: (() => void) | undefined;
        const ready = (async () => {
            await local.ready;
            for (;;) {
                if (stopped) throw stopped;
                let wait: number;
                try {
                    wait = await this.store.tryTake(token, this.limits);
                    this.working();
                } catch (err) {
                    this.failed(err);
                    return;
                }
                if (wait === 0) {
                    if (stopped) {
                        void this.store.release(token).catch(() => {});
                        throw stopped;
                    }
                    taken = true;
                    this.held.add(token);
                    return;
                }
                await new Promise<void>((resolve) => {
                    const timer = setTimeout(() => wake!(), wait < 0 ? POLL_MS : wait);
                    wake = () => {
                        clearTimeout(timer);
                        this.full.delete(wake!);
                        resolve();
                    };
                    if (wait < 0) this.full.add(wake);
                });
                wake = undefined;
            }
        })();
        ready.catch(() => {});
        return {
            ready,
            release: () => {
                if (taken) {
                    taken = false;
                    this.held.delete(token);
                    void this.store.release(token).then(() => this.full.forEach((next) => next()), () => {});
                }
                stopped ??= new Error("released");
                wake?.();
                local.release();
            },
            cancel: (reason) => {
                if (taken || stopped) return false;
                if (local.cancel(reason)) {
                    stopped = reason;
                    return true;
                }
                stopped = reason;
                wake?.();
                return true;
            },
        };
    }

    async claimPace(): Promise<number> {
        const local = this.local.claimPace();
        try {
            return Math.max(local, await this.store.pace(this.limits));
        } catch (err) {
            this.failed(err);
            return local;
        }
    }

    close(): void {
        clearInterval(this.renewer);
        this.local.close();
    }

    private failed(err: unknown): void {
        if (this.failing) return;
        this.failing = true;
        this.onFailure(String((err as Error)?.message ?? err).split("\n")[0]);
    }

    private working(): void {
        if (!this.failing) return;
        this.failing = false;
        this.onFailure(undefined);
    }
}
