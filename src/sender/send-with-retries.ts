/**
 * Sends one request and repeats it as the retry policy (retry.ts) allows, each repeat waiting for the
 * account's rate limit too. Every attempt is reported, so that the account knows whether Twilio answers.
 */
import type { ApiRequest } from "../rules/request";
import type { Auth } from "./auth";
import { mayHaveReached, nextDelay, type AttemptResult, type RetryPolicy } from "./retry";
import type { HttpAnswer } from "./api-http";

/** What a request came to after its retries. */
export interface SendResult {
    response?: HttpAnswer;
    /** When no attempt got an answer: the last failure. */
    error?: unknown;
    retries: number;
    /** A create that may have reached Twilio and was not repeated: it may or may not have happened. */
    unknownOutcome: boolean;
}

/** What the retry loop needs of the account. */
export interface RetryContext {
    policy: RetryPolicy;
    /** One attempt: resolves with any HTTP answer, rejects only when there was none. */
    attempt(request: ApiRequest, auth: Auth): Promise<HttpAnswer>;
    /** Reserves a start slot under the rate limit for a repeat; how long to wait for it. */
    claimPace(): number | Promise<number>;
    /** Told what each attempt came to. */
    attempted?(result: AttemptResult): void;
}

export interface SendOptions {
    /** Ends a wait between attempts at once, and keeps any further attempt from leaving (the sender's close). */
    stop?: AbortSignal;
    /** Runs before each repeat leaves (the outbox records it first); a rejection ends the retries with it. */
    beforeRetry?: () => Promise<void>;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it is aborted. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        function onAbort() {
            clearTimeout(timer);
            reject(signal?.reason);
        }
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

/**
 * Resolves with the last answer, or the last failure when none came.
 *
 * `stop` (the sending node's or outbox's close) ends a wait between attempts at once and keeps any further
 * attempt from leaving: the promise then rejects with the signal's reason. Only a request whose repeat cannot double an
 * effect ever waits here (a create after 429 or a refused connection: not processed; a read; a delete), so
 * a request stopped this way is safe to send again.
 */
export async function sendWithRetries(context: RetryContext, request: ApiRequest, auth: Auth, options: SendOptions = {}): Promise<SendResult> {
    const { stop, beforeRetry } = options;
    let reached = false;
    for (let retry = 0; ; retry++) {
        stop?.throwIfAborted();
        if (retry > 0) await beforeRetry?.();
        stop?.throwIfAborted();
        let response: HttpAnswer | undefined;
        let error: unknown;
        let result: AttemptResult;
        try {
            response = await context.attempt(request, auth);
            result = { kind: "answer", status: response.statusCode, headers: response.headers };
        } catch (err) {
            error = err;
            result = { kind: "noAnswer", code: String((err as { code?: unknown } | null)?.code ?? "") };
        }
        context.attempted?.(result);
        // a repeated DELETE that finds nothing: the earlier attempt did delete it
        if (reached && request.method === "delete" && response?.statusCode === 404) {
            return { response: { statusCode: 204, body: null }, retries: retry, unknownOutcome: false };
        }
        const delay = nextDelay(context.policy, request.method, retry, result);
        if (delay === undefined) {
            const unknownOutcome = request.method === "post" && mayHaveReached(result);
            return { response, error, retries: retry, unknownOutcome };
        }
        reached ||= mayHaveReached(result);
        await sleep(delay, stop);
        await sleep(await context.claimPace(), stop);
    }
}
