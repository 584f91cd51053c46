/**
 * A Twilio account as a config node holds it: its credentials, base URL and limits, and what every node using
 * the account shares: the one SDK client (with its keep-alive sockets), the request limiter and the retries.
 */
import { ACCOUNT_DEFAULTS } from "../catalog/account-settings";
import { recipientRules, type RecipientRules, type RecipientSettings } from "../rules/recipient-settings";
import { verifySignature, verifySignatureWithBody } from "../rules/signature";
import { RequestLimiter, type Ticket } from "./limiter";
import type { ApiRequest } from "../rules/request";
import { mayHaveReached, nextDelay, type AttemptResult, type RetryPolicy } from "./retry";
import { ACCOUNT_SID_PATTERN, API_KEY_SID_PATTERN } from "../rules/account-rules";
import { parseBaseUrl } from "../rules/base-url";
import { numericSetting } from "../rules/settings";
import { chooseProxy, type ChosenProxy, type ProxyConfig } from "./proxy";
import { createApiClient, type ApiClient, type Connection } from "./twilio-client";
import { apiHost } from "../rules/twilio-host";

export interface AccountCredentials {
    accountSid?: string;
    authToken?: string;
    apiKeySid?: string;
    apiKeySecret?: string;
}

/** The config node's settings as the flow file holds them (numbers may be text). */
export interface AccountSettings extends RecipientSettings {
    apiBaseUrl?: string;
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
    /** Twilio's processing region and edge location (rules/twilio-host.ts); blank: US1. apiBaseUrl wins. */
    region?: string;
    edge?: string;
    /** The account's own proxy, resolved by twilio-account (proxy.ts); none: the environment's. */
    proxy?: ProxyConfig;
    /** settings.js twilioConnectTo (agents.ts). */
    connectTo?: Connection["connectTo"];
}


const RETRY_BASE_DELAY_MS = 250;
const RETRY_MAX_DELAY_MS = 30_000;

/** What a request came to after its retries. */
export interface Exchange {
    response?: { statusCode: number; body: unknown; headers?: Record<string, unknown> };
    /** When no attempt got an answer: the last failure. */
    error?: unknown;
    retries: number;
    /** A create that may have reached Twilio and was not repeated: it may or may not have happened. */
    unknownOutcome: boolean;
}

/** Who a request acts as: the account in the URL and the Basic auth pair. */
export interface Auth {
    accountSid: string;
    username: string;
    password: string;
}

/** Message catalog keys of the configuration problems, for ConfigError. */
export type ConfigProblem =
    | "noCredentials"
    | "badAccountSid"
    | "badBaseUrl"
    | "apiKeyIncomplete"
    | "badApiKeySid"
    // twilio.errors.where.*: the host and the proxy (issue 15)
    | "where.badRegion"
    | "where.badEdge"
    | "where.badProxy";

/** Problems of a setting rather than of the credentials: a ConfigError with status 400, not 401. */
export function isSettingProblem(problem: ConfigProblem): boolean {
    return problem === "badBaseUrl" || problem.startsWith("where.");
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
            reject(signal!.reason);
        }
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

export class TwilioAccount {
    readonly baseUrl: string;
    readonly timeoutMs: number;
    readonly limiter: RequestLimiter;
    readonly retryPolicy: RetryPolicy;
    /** Set when the base URL cannot be used: every request then fails with it, nothing is sent. */
    readonly problem?: ConfigProblem;
    /** allowedDestinations and defaultCountry, for every node of the account. */
    readonly recipients: RecipientRules;
    /** The setting a problem is about, for its message: the base URL, region, edge or the proxy's origin. */
    readonly problemValue?: string;
    /** The proxy requests go through, if any. */
    readonly proxy?: ChosenProxy;
    private readonly connection: Connection;
    private api?: ApiClient;
    private active = 0;
    private closing = false;

    constructor(
        settings: AccountSettings,
        private readonly credentials: AccountCredentials,
    ) {
        // a base URL wins over region and edge: it is where the user wants requests to go (a test server, a proxy)
        const hasBaseUrl = typeof settings.apiBaseUrl === "string" && settings.apiBaseUrl.trim() !== "";
        const base = hasBaseUrl ? parseBaseUrl(settings.apiBaseUrl) : undefined;
        const host = hasBaseUrl ? undefined : apiHost(settings.region, settings.edge);
        this.baseUrl = base?.ok ? base.url : host?.ok ? host.origin : String(settings.apiBaseUrl ?? "");
        const chosen = base?.ok || host?.ok ? chooseProxy(this.baseUrl, settings.proxy) : { ok: true as const };
        if (base && !base.ok) this.problem = "badBaseUrl";
        else if (host && !host.ok) [this.problem, this.problemValue] = [host.setting === "region" ? "where.badRegion" : "where.badEdge", host.value];
        else if (!chosen.ok) [this.problem, this.problemValue] = ["where.badProxy", chosen.shown];
        this.proxy = chosen.ok ? chosen.proxy : undefined;
        this.connection = { proxy: this.proxy?.url, connectTo: settings.connectTo };
        this.recipients = recipientRules(settings);
        this.timeoutMs = numericSetting(settings.timeout, ACCOUNT_DEFAULTS.timeout, 0.001) * 1000;
        this.limiter = new RequestLimiter({
            maxConcurrent: Math.floor(numericSetting(settings.maxConcurrent, ACCOUNT_DEFAULTS.maxConcurrent, 1)),
            ratePerSecond: numericSetting(settings.rate, ACCOUNT_DEFAULTS.rate, 0),
            queueSize: Math.floor(numericSetting(settings.queueSize, ACCOUNT_DEFAULTS.queueSize, 0)),
        });
        this.retryPolicy = {
            maxRetries: Math.floor(numericSetting(settings.maxRetries, ACCOUNT_DEFAULTS.maxRetries, 0)),
            baseDelayMs: RETRY_BASE_DELAY_MS,
            maxDelayMs: RETRY_MAX_DELAY_MS,
        };
    }

    /**
     * Twilio signs webhook requests with the account's auth token, also when requests use an API key: without
     * the token no signature can be checked. The token itself never leaves this object.
     */
    get canVerifyWebhooks(): boolean {
        return typeof this.credentials.authToken === "string" && this.credentials.authToken !== "";
    }

    /** Whether X-Twilio-Signature `signature` is Twilio's for this URL and these parameters; false without a token. */
    verifyWebhook(signature: string, url: string, params: Record<string, string | string[]>): boolean {
        return this.canVerifyWebhooks && verifySignature(this.credentials.authToken!, signature, url, params);
    }

    /** The same for a JSON webhook: the URL (with its bodySHA256) signed, and the raw body that hash covers. */
    verifyWebhookWithBody(signature: string, url: string, body: string): boolean {
        return this.canVerifyWebhooks && verifySignatureWithBody(this.credentials.authToken!, signature, url, body);
    }

    /** A place in the account's limits for one request: see RequestLimiter.take (throws QueueFull). */
    take(): Ticket {
        return this.limiter.take();
    }

    /**
     * The credentials for one request. AccountSid and AuthToken from the message replace the config node's;
     * AccountSid alone points the config node's credentials (token or API key) at that subaccount.
     */
    authFor(messageAccountSid?: string, messageAuthToken?: string): { ok: true; auth: Auth } | { ok: false; problem: ConfigProblem } {
        if (this.problem) return { ok: false, problem: this.problem };
        if (messageAccountSid && messageAuthToken) {
            return { ok: true, auth: { accountSid: messageAccountSid, username: messageAccountSid, password: messageAuthToken } };
        }
        const { accountSid, authToken, apiKeySid, apiKeySecret } = this.credentials;
        const target = messageAccountSid || accountSid;
        if (!target) return { ok: false, problem: "noCredentials" };
        if (!ACCOUNT_SID_PATTERN.test(target)) return { ok: false, problem: "badAccountSid" };
        if (apiKeySid || apiKeySecret) {
            if (!apiKeySid || !apiKeySecret) return { ok: false, problem: "apiKeyIncomplete" };
            if (!API_KEY_SID_PATTERN.test(apiKeySid)) return { ok: false, problem: "badApiKeySid" };
            return { ok: true, auth: { accountSid: target, username: apiKeySid, password: apiKeySecret } };
        }
        if (!accountSid || !authToken) return { ok: false, problem: "noCredentials" };
        return { ok: true, auth: { accountSid: target, username: accountSid, password: authToken } };
    }

    /**
     * Sends one request, holding a place from take(), and repeats it as the retry policy allows; each repeat
     * waits for the rate limit too. Resolves with the last answer, or the last failure when none came.
     *
     * `stop` (the sending node's close) ends a wait between attempts at once and keeps any further attempt from
     * leaving: the promise then rejects with the signal's reason. Only a request whose repeat cannot double an
     * effect ever waits here (a create after 429 or a refused connection: not processed; a read; a delete), so
     * a request stopped this way is safe to send again.
     */
    async exchange(request: ApiRequest, auth: Auth, stop?: AbortSignal): Promise<Exchange> {
        let reached = false;
        for (let retry = 0; ; retry++) {
            stop?.throwIfAborted();
            let response: Exchange["response"];
            let error: unknown;
            let result: AttemptResult;
            try {
                response = await this.send(request, auth);
                result = { kind: "answer", status: response.statusCode, headers: response.headers };
            } catch (err) {
                error = err;
                result = { kind: "noAnswer", code: String((err as { code?: unknown } | null)?.code ?? "") };
            }
            // a repeated DELETE that finds nothing: the earlier attempt did delete it
            if (reached && request.method === "delete" && response?.statusCode === 404) {
                return { response: { statusCode: 204, body: null }, retries: retry, unknownOutcome: false };
            }
            const delay = nextDelay(this.retryPolicy, request.method, retry, result);
            if (delay === undefined) {
                const unknownOutcome = request.method === "post" && mayHaveReached(result);
                return { response, error, retries: retry, unknownOutcome };
            }
            reached ||= mayHaveReached(result);
            await sleep(delay, stop);
            await sleep(this.limiter.claimPace(), stop);
        }
    }

    /** One attempt; resolves with any HTTP answer, rejects only when there was none. */
    private async send(request: ApiRequest, auth: Auth): Promise<{ statusCode: number; body: unknown; headers?: Record<string, unknown> }> {
        this.api ??= createApiClient(this.baseUrl, this.timeoutMs, this.limiter.maxConcurrent, this.connection);
        const fields = request.method === "post" ? { data: request.fields } : { params: request.fields };
        this.active++;
        try {
            return await this.api.client.request({
                method: request.method,
                uri: request.uri,
                username: auth.username,
                password: auth.password,
                timeout: this.timeoutMs,
                ...fields,
            });
        } finally {
            this.active--;
            if (this.closing && this.active === 0) this.releaseSockets();
        }
    }

    /**
     * Node-RED stops flow nodes and config nodes side by side, so requests may still be in flight here:
     * their sockets are released when the last one has its answer, not cut.
     */
    close(): void {
        this.closing = true;
        this.limiter.close();
        if (this.active === 0) this.releaseSockets();
    }

    private releaseSockets(): void {
        this.api?.close();
        this.api = undefined;
    }
}
