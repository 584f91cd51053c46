/**
 * The twilio-account node's settings as the flow file holds them, and the numbers the account runs with:
 * its timeout, its limits and its retry policy.
 */
import { ACCOUNT_DEFAULTS } from "../../catalog/account-defaults";
import type { RecipientSettings } from "../../rules/recipient-settings";
import { numericSetting } from "../../rules/settings";
import type { WhereSettings } from "./where";
import type { Limits } from "../../sender/limiter";
import type { RetryPolicy } from "../../sender/retry";
import type { Connection } from "../../sender/connection";

/** The config node's settings as the flow file holds them (numbers may be text). */
export interface AccountSettings extends RecipientSettings, WhereSettings {
    /** Request timeout, seconds. */
    timeout?: number | string;
    /** Repeats of a request that may safely be repeated. */
    maxRetries?: number | string;
    /** Requests in flight at once, for all nodes of the account. */
    maxConcurrent?: number | string;
    /** Requests started per second; blank or 0 for no limit. */
    rate?: number | string;
    /** Messages that may wait for the limits before a QueueFullError. */
    queueSize?: number | string;
    /** settings.js twilioConnectTo (sender/connection.ts). */
    connectTo?: Connection["connectTo"];
}

const RETRY_BASE_DELAY_MS = 250;
const RETRY_MAX_DELAY_MS = 30_000;

export function timeoutMsOf(settings: AccountSettings): number {
    return numericSetting(settings.timeout, ACCOUNT_DEFAULTS.timeout, 0.001) * 1000;
}

export function limitsOf(settings: AccountSettings): Limits {
    return {
        maxConcurrent: Math.floor(numericSetting(settings.maxConcurrent, ACCOUNT_DEFAULTS.maxConcurrent, 1)),
        ratePerSecond: numericSetting(settings.rate, ACCOUNT_DEFAULTS.rate, 0),
        queueSize: Math.floor(numericSetting(settings.queueSize, ACCOUNT_DEFAULTS.queueSize, 0)),
    };
}

export function retryPolicyOf(settings: AccountSettings): RetryPolicy {
    return {
        maxRetries: Math.floor(numericSetting(settings.maxRetries, ACCOUNT_DEFAULTS.maxRetries, 0)),
        baseDelayMs: RETRY_BASE_DELAY_MS,
        maxDelayMs: RETRY_MAX_DELAY_MS,
    };
}
