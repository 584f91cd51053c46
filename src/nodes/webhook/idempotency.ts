/**
 * A retried webhook is one event. Twilio repeats a webhook request that failed or timed out with the same
 * I-Twilio-Idempotency-Token header; the node emits a token's request once and answers each repeat as it
 * answered the first. The store is an interface so that the outbox database can keep the tokens across
 * restarts later; MemoryTokenStore keeps them in memory, bounded in number and in time.
 */

export const IDEMPOTENCY_HEADER = "i-twilio-idempotency-token";

/** An answer as it went to Twilio, to give a repeat of the same request. */
export interface StoredAnswer {
    status: number;
    contentType: string;
    body: string;
}

/** What a token is: first seen now (the caller handles the request), still being handled, or answered. */
export type Claim = { state: "new" } | { state: "pending" } | { state: "answered"; answer: StoredAnswer };

export interface TokenStore {
    /** Claims a token: "new" exactly once per token (until it is forgotten); a store must do this atomically. */
    claim(token: string): Claim | Promise<Claim>;
    /** The answer the request of a claimed token got. */
    settle(token: string, answer: StoredAnswer): void | Promise<void>;
    /** Forgets a claimed token whose request was not handled (e.g. its body could not be read): a repeat is new. */
    release(token: string): void | Promise<void>;
}

/**
 * Twilio repeats a request within minutes (its connection overrides allow up to 5 retries, each within 15 s);
 * an hour covers that with room, and 10,000 tokens bound the memory (a few hundred bytes each).
 */
export const MEMORY_TOKEN_DEFAULTS = { maxTokens: 10_000, ttlMs: 60 * 60 * 1000 } as const;

interface Entry {
    expires: number;
    answer?: StoredAnswer;
}

export class MemoryTokenStore implements TokenStore {
    /** In claim order (a Map keeps insertion order): the oldest is the first to go. */
    private readonly entries = new Map<string, Entry>();

    constructor(
        private readonly maxTokens: number = MEMORY_TOKEN_DEFAULTS.maxTokens,
        private readonly ttlMs: number = MEMORY_TOKEN_DEFAULTS.ttlMs,
        private readonly now: () => number = Date.now,
    ) {}

    get size(): number {
        return this.entries.size;
    }

    claim(token: string): Claim {
        const now = this.now();
        this.forgetExpired(now);
        const entry = this.entries.get(token);
        if (entry) return entry.answer ? { state: "answered", answer: entry.answer } : { state: "pending" };
        this.entries.set(token, { expires: now + this.ttlMs });
        while (this.entries.size > this.maxTokens) this.entries.delete(this.entries.keys().next().value as string);
        return { state: "new" };
    }

    settle(token: string, answer: StoredAnswer): void {
        const entry = this.entries.get(token);
        if (entry) entry.answer = answer;
    }

    release(token: string): void {
        this.entries.delete(token);
    }

    /** Entries expire in claim order, so the expired ones are at the front. */
    private forgetExpired(now: number): void {
        for (const [token, entry] of this.entries) {
            if (entry.expires > now) return;
            this.entries.delete(token);
        }
    }
}
