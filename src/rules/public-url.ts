/**
 * Where Twilio reaches a webhook node. Twilio signs the URL it requests, and Node-RED often runs behind a
 * proxy that changes the scheme, host or path prefix, so the node cannot learn that URL from the request: the
 * user gives the public base URL, and the URL Twilio signed is that base plus the request's path under the
 * HTTP server (httpNodeRoot included) and its query.
 */
import { isHttpUrl } from "../catalog/patterns";
import { numericSetting } from "./settings";

/** A webhook path: /, then letters, digits and - . _ ~ / only, so that the route is literal (no express : or *). */
export const WEBHOOK_PATH_PATTERN = /^\/[\w.~/-]*$/;

export type PublicBase = { ok: true; url: string } | { ok: false };

/**
 * scheme://host[:port][/prefix]: http or https, a hostname without underscore (Twilio refuses those in callback
 * URLs), no credentials, query or fragment. The result has no trailing slash.
 */
export function parsePublicBaseUrl(value: unknown): PublicBase {
    const text = typeof value === "string" ? value.trim() : "";
    if (!isHttpUrl(text)) return { ok: false };
    const url = new URL(text);
    if (url.username || url.password || url.search || url.hash || text.includes("?") || text.includes("#")) return { ok: false };
    return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}

/**
 * Node-RED's httpNodeRoot as a prefix without trailing slash ("" for the default "/"), or undefined when it is
 * false: Node-RED then serves no routes of flow nodes.
 */
export function nodeRootPrefix(setting: unknown): string | undefined {
    if (setting === false) return undefined;
    const root = typeof setting === "string" ? setting : "/";
    const prefix = root.replace(/\/+$/, "");
    return prefix === "" || prefix.startsWith("/") ? prefix : `/${prefix}`;
}

/** The URL to give Twilio (e.g. as StatusCallback): the public base, the node root and the node's path. */
export function webhookUrl(base: string, rootPrefix: string, path: string): string {
    return base + rootPrefix + path;
}

/**
 * The URL Twilio signed for a request: the public base and the request's URL as the HTTP server received it
 * (req.originalUrl: the node root, the path and the query, exactly as sent).
 */
/** Seconds the webhook waits for the flow's reply: the default, and the bound it must stay below (Twilio waits 15 s). */
export const REPLY_TIMEOUT = { default: 5, below: 15 } as const;

/** The reply timeout setting in ms: a blank or unusable one means the default, in the dialog as here. */
export function replyTimeoutMs(value: unknown): number {
    return numericSetting(value, REPLY_TIMEOUT.default, Number.MIN_VALUE, REPLY_TIMEOUT.below) * 1000;
}

export function signedUrl(base: string, originalUrl: string): string {
    return base + (originalUrl.startsWith("/") ? originalUrl : `/${originalUrl}`);
}
