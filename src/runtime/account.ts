/**
 * A Twilio account as a config node holds it: its credentials, its base URL and timeout, and the one SDK
 * client (with its keep-alive sockets) that every node using the account shares.
 */
import { sidPattern } from "../catalog/patterns";
import type { ApiRequest } from "./request";
import { createApiClient, parseBaseUrl, type ApiClient } from "./twilio-client";

export interface AccountCredentials {
    accountSid?: string;
    authToken?: string;
    apiKeySid?: string;
    apiKeySecret?: string;
}

export interface AccountSettings {
    apiBaseUrl?: string;
    /** Request timeout in seconds. */
    timeout?: number | string;
}

/** Who a request acts as: the account in the URL and the Basic auth pair. */
export interface Auth {
    accountSid: string;
    username: string;
    password: string;
}

/** Message catalog keys of the configuration problems, for ConfigError. */
export type ConfigProblem = "noCredentials" | "badAccountSid" | "badBaseUrl" | "apiKeyIncomplete" | "badApiKeySid";

export const DEFAULT_TIMEOUT_SECONDS = 15;

const ACCOUNT_SID = sidPattern(["AC"]);
const API_KEY_SID = sidPattern(["SK"]);

function timeoutMs(value: number | string | undefined): number {
    const seconds = Number(value);
    return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_SECONDS) * 1000;
}

export class TwilioAccount {
    readonly baseUrl: string;
    readonly timeoutMs: number;
    /** Set when the base URL cannot be used: every request then fails with it, nothing is sent. */
    readonly problem?: ConfigProblem;
    private api?: ApiClient;
    private active = 0;
    private closing = false;

    constructor(
        settings: AccountSettings,
        private readonly credentials: AccountCredentials,
    ) {
        const base = parseBaseUrl(settings.apiBaseUrl);
        this.baseUrl = base.ok ? base.url : String(settings.apiBaseUrl);
        this.timeoutMs = timeoutMs(settings.timeout);
        if (!base.ok) this.problem = "badBaseUrl";
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
        if (!ACCOUNT_SID.test(target)) return { ok: false, problem: "badAccountSid" };
        if (apiKeySid || apiKeySecret) {
            if (!apiKeySid || !apiKeySecret) return { ok: false, problem: "apiKeyIncomplete" };
            if (!API_KEY_SID.test(apiKeySid)) return { ok: false, problem: "badApiKeySid" };
            return { ok: true, auth: { accountSid: target, username: apiKeySid, password: apiKeySecret } };
        }
        if (!accountSid || !authToken) return { ok: false, problem: "noCredentials" };
        return { ok: true, auth: { accountSid: target, username: accountSid, password: authToken } };
    }

    /** Sends one request; resolves with any HTTP answer, rejects only when there was none. */
    async send(request: ApiRequest, auth: Auth): Promise<{ statusCode: number; body: unknown }> {
        this.api ??= createApiClient(this.baseUrl, this.timeoutMs);
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
        if (this.active === 0) this.releaseSockets();
    }

    private releaseSockets(): void {
        this.api?.close();
        this.api = undefined;
    }
}
