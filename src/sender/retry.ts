/**
 * When to send a request again, in one place. Twilio answers 429 (20429) to a request it did not process:
 * always safe to repeat. Anything else is repeated only where repeating cannot double an effect: a GET or a
 * DELETE, or a create whose connection was refused before anything was sent. A create that may have reached
 * Twilio (no answer in time, a connection cut after sending, a 5xx) is never repeated: its outcome is unknown.
 * (The SDK's own autoRetry is off: it ignores Retry-After and retries nothing but 429.)
 */

export interface RetryPolicy {
    /** Repeats after the first attempt, at most. */
    maxRetries: number;
    /** First backoff step; each retry doubles it, with full jitter. */
    baseDelayMs: number;
    /** No single wait is longer, Retry-After included; a longer Retry-After ends the retries. */
    maxDelayMs: number;
}

/** What one attempt came to, as far as retrying is concerned. */
export type AttemptResult =
    | { kind: "answer"; status: number; headers?: Record<string, unknown> }
    | { kind: "noAnswer"; code: string };

export type Method = "get" | "post" | "delete";

/** Connection errors that happen before a request is sent: nothing reached the server. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/** Whether the server may have acted on a request that ended like this. */
export function mayHaveReached(result: AttemptResult): boolean {
    if (result.kind === "noAnswer") return !NOT_SENT.has(result.code);
    return result.status >= 500;
}

/** Retry-After in milliseconds: seconds, or an HTTP date. */
function retryAfterMs(headers: Record<string, unknown> | undefined): number | undefined {
    const value = headers?.["retry-after"];
    if (value === undefined || value === null || value === "") return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(String(value));
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoff(policy: RetryPolicy, retry: number, random: () => number): number {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
    return Math.floor(random() * ceiling);
}

/**
 * How long to wait before the next attempt, or undefined to stop.
 * @param retry how many retries were made already (0 after the first attempt)
 */
export function nextDelay(
    policy: RetryPolicy,
    method: Method,
    retry: number,
    result: AttemptResult,
    random: () => number = Math.random,
): number | undefined {
    if (retry >= policy.maxRetries) return undefined;
    if (result.kind === "answer" && result.status === 429) {
        const after = retryAfterMs(result.headers);
        if (after === undefined) return backoff(policy, retry, random);
        return after <= policy.maxDelayMs ? after : undefined;
    }
    const failed = result.kind === "noAnswer" || result.status >= 500;
    if (!failed) return undefined;
    const idempotent = method === "get" || method === "delete";
    if (idempotent || !mayHaveReached(result)) return backoff(policy, retry, random);
    return undefined;
}

const HOLD_BASE_MS = 1_000;
const HOLD_MAX_MS = 60_000;

/**
 * How long what is kept (the outbox's entries) waits after its `failures`-th failure in a row before it is tried
 * again: doubling from 1 s up to 60 s, with equal jitter (never less than half the step, so that a dead link or a
 * refusing account is not hammered), and no budget: the entry's max age ends it.
 */
export function holdDelay(failures: number, random: () => number = Math.random): number {
    const ceiling = Math.min(HOLD_MAX_MS, HOLD_BASE_MS * 2 ** Math.min(Math.max(failures, 1) - 1, 16));
    return ceiling / 2 + random() * (ceiling / 2);
}
