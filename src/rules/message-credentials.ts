/**
 * Credentials that a message may carry (the reference spec's per-call AccountSid and AuthToken): they switch
 * the account or subaccount a node acts on, so a message may only carry them where the node allows it. A
 * rule: no Node-RED, no runtime imports.
 */

/** The parameters that change who a request acts as. */
export const MESSAGE_CREDENTIALS = ["AccountSid", "AuthToken"] as const;

/** The credential parameters among those a message supplied, in catalog order. */
export function credentialsCarried(fromMessage: ReadonlySet<string>): string[] {
    return MESSAGE_CREDENTIALS.filter((name) => fromMessage.has(name));
}

/**
 * The account a next_page_uri names (/2010-04-01/Accounts/AC.../Messages.json?...): a NextPageUri from a message
 * is a way to name an AccountSid, and is judged as one.
 */
export function pageUriAccount(uri: unknown): string | undefined {
    if (typeof uri !== "string") return undefined;
    return /^\/2010-04-01\/Accounts\/([^/?#]+)/.exec(uri)?.[1];
}
