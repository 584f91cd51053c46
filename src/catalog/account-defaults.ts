/**
 * The Twilio account's numeric settings and their defaults: what a blank setting means, in the editor (its
 * placeholder) and in the runtime alike. Twilio allows about 100 concurrent requests per account; 10 leaves
 * room for everything else. A rate of 0 means no limit.
 */
export const ACCOUNT_DEFAULTS = { timeout: 15, maxRetries: 3, maxConcurrent: 10, rate: 0, queueSize: 1000 } as const;

export type AccountNumericSetting = keyof typeof ACCOUNT_DEFAULTS;

/** The outbox's settings: hours an unsent create is kept for, and how many (and how many megabytes) may wait per account. */
export const OUTBOX_DEFAULTS = { maxAge: 24, maxEntries: 10_000, maxSize: 100 } as const;
