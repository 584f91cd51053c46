/**
 * The account's proxy setting and proxy URLs: what the runtime accepts, and so what the account dialog accepts.
 * The setting is text, as the flow holds it: blank for none, the id of one of core's "http proxy" config nodes,
 * or a proxy URL. Which proxy requests then take (the environment, no-proxy lists) is the runtime's (proxy.ts).
 */

/** Core's proxy config node type (node-red/nodes/core/network/06-httpproxy.js). */
export const HTTP_PROXY_NODE_TYPE = "http proxy";

/** `shown` is the proxy's origin only: never its user or password, for the status, the log and errors. */
export type ProxyUrl = { ok: true; url: URL; shown: string } | { ok: false; shown: string };

/** What a proxy setting names: nothing, an "http proxy" node, or a URL (any other text is read as one). */
export type ProxySetting = { kind: "none" } | { kind: "node"; id: string } | { kind: "url"; url: string };

/** Only the origin of a proxy URL, whatever it carries: user, password, path. */
function originOf(text: string): string {
    try {
        const url = new URL(text);
        return url.host ? `${url.protocol}//${url.host}` : text.replace(/\/\/[^@/]*@/, "//");
    } catch {
        // never echo what might be "user:password@host"
        return text.replace(/^(?:[^@/]*@)/, "").replace(/\/\/[^@/]*@/, "//");
    }
}

/**
 * A proxy URL: http(s)://host[:port], or host[:port] for http. It may carry user:password only where
 * `mayCarryCredentials` (an "http proxy" node's URL, as core's http request node takes them from it); the
 * account's own URL is in the flow, and credentials are not.
 */
export function parseProxyUrl(setting: string, mayCarryCredentials = true): ProxyUrl {
    const text = setting.trim();
    // a browser's URL escapes a space in a host name (a%20b) where Node.js refuses it: refused before either
    // parses, the dialog and the runtime agree (and no proxy URL holds whitespace)
    if (/\s/.test(text)) return { ok: false, shown: originOf(text) };
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
    let url: URL;
    try {
        url = new URL(withScheme);
    } catch {
        return { ok: false, shown: originOf(text) };
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) return { ok: false, shown: originOf(withScheme) };
    const shown = `${url.protocol}//${url.host}`;
    if (!mayCarryCredentials && (url.username || url.password)) return { ok: false, shown };
    return { ok: true, url, shown };
}

/**
 * What the account's proxy setting names; `isProxyNode` says whether an id is an "http proxy" node's. The id
 * of a node that is gone or of another type is not a proxy node: it is read as a URL (and mostly refused).
 */
export function readProxySetting(setting: unknown, isProxyNode: (id: string) => boolean): ProxySetting {
    const value = typeof setting === "string" ? setting.trim() : "";
    if (value === "") return { kind: "none" };
    if (isProxyNode(value)) return { kind: "node", id: value };
    return { kind: "url", url: value };
}

/** Whether the runtime can use the account's proxy setting: none, an "http proxy" node, or a URL without user or password. */
export function validProxySetting(setting: unknown, isProxyNode: (id: string) => boolean): boolean {
    const read = readProxySetting(setting, isProxyNode);
    return read.kind !== "url" || parseProxyUrl(read.url, false).ok;
}
