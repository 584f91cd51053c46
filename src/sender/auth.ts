/**
 * Who a request acts as: the config node's credentials (auth token or API key), or a message's own, checked
 * before anything is sent. The problems are message catalog keys, for a ConfigError.
 */
import { ACCOUNT_SID_PATTERN, API_KEY_SID_PATTERN } from "../rules/account-rules";

export interface AccountCredentials {
    accountSid?: string;
    authToken?: string;
    apiKeySid?: string;
    apiKeySecret?: string;
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

export type AuthChoice = { ok: true; auth: Auth } | { ok: false; problem: ConfigProblem };

/** Problems of a setting rather than of the credentials: a ConfigError with status 400, not 401. */
export function isSettingProblem(problem: ConfigProblem): boolean {
    return problem === "badBaseUrl" || problem.startsWith("where.");
}

/**
 * The credentials for one request. AccountSid and AuthToken from the message replace the config node's;
 * AccountSid alone points the config node's credentials (token or API key) at that subaccount.
 */
export function authFor(credentials: AccountCredentials, messageAccountSid?: string, messageAuthToken?: string): AuthChoice {
    if (messageAccountSid && messageAuthToken) {
        return { ok: true, auth: { accountSid: messageAccountSid, username: messageAccountSid, password: messageAuthToken } };
    }
    const { accountSid, authToken, apiKeySid, apiKeySecret } = credentials;
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
