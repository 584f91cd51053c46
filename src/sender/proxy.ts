/**
 * Whether an account's requests go through an HTTP(S) proxy, and which. An account talks to one origin (Twilio's
 * API host, or its API base URL), so this is decided once, when the account is deployed:
 *
 * - the account's own proxy (core's "http proxy" config node, or a URL) applies unless its no-proxy list names
 *   the host;
 * - else the environment, as core's http request node reads it: HTTPS_PROXY (HTTP_PROXY for http) / ALL_PROXY
 *   and NO_PROXY, lower or upper case (proxy-from-env, the library core's rules derive from and axios uses);
 *   when none of them names a proxy for https, HTTP_PROXY does, as the twilio SDK reads it (its documented
 *   variable, and what this package did before it chose its own agents); NO_PROXY still applies. A loopback
 *   host is never sent to an environment proxy (as Go's net/http does): a proxy elsewhere cannot reach this
 *   machine's stand-in or test server.
 *
 * The proxy's user and password are credentials: they are kept in the URL object the agent uses and never in
 * what is shown (`shown` is the proxy's origin only).
 */
import { getProxyForUrl } from "proxy-from-env";
import { LOOPBACK_HOSTS } from "../rules/base-url";
import { parseProxyUrl } from "../rules/proxy-setting";

/** The account's own proxy, as twilio-account resolves its setting. */
export interface ProxyConfig {
    /** http(s)://host:port */
    url: string;
    /** Hosts not to proxy (the "http proxy" node's list): host, .domain or *.domain, optionally :port; * for all. */
    noProxy?: string[];
    username?: string;
    password?: string;
    /**
     * Whether the URL may carry user:password. An "http proxy" node's URL may (core's http request node takes
     * them from it); the account's own URL setting may not: it is in the flow, and credentials are not.
     */
    urlMayCarryCredentials?: boolean;
}

export interface ChosenProxy {
    /** With the credentials: for the agent only. */
    url: URL;
    /** The proxy's origin, without credentials: for the status, the log and errors. */
    shown: string;
    source: "account" | "environment";
}

export type ProxyChoice = { ok: true; proxy?: ChosenProxy } | { ok: false; source: "account" | "environment"; shown: string };

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

/** A proxy URL (proxy-setting.ts) and the credentials the agent sends it. */
function parseProxy(text: string, source: ChosenProxy["source"], username?: string, password?: string, urlMayCarryCredentials = true): ProxyChoice {
    const parsed = parseProxyUrl(text, urlMayCarryCredentials);
    if (!parsed.ok) return { ok: false, source, shown: parsed.shown };
    const url = parsed.url;
    if (username || password) {
        url.username = encodeURIComponent(username ?? "");
        url.password = encodeURIComponent(password ?? "");
    }
    return { ok: true, proxy: { url, shown: parsed.shown, source } };
}

/** NO_PROXY's rules, as core's http request node applies them to an "http proxy" node's list. */
function listed(hostname: string, port: number, list: readonly string[]): boolean {
    return list.some((raw) => {
        const entry = raw.trim().toLowerCase();
        if (entry === "") return false;
        if (entry === "*") return true;
        const match = /^(.+):(\d+)$/.exec(entry);
        const host = match ? match[1] : entry;
        if (match && Number(match[2]) !== port) return false;
        if (!/^[.*]/.test(host)) return hostname === host;
        return hostname.endsWith(host.replace(/^\*/, ""));
    });
}

/** The proxy for requests to `target` (the account's origin); `explicit` is the account's own setting. */
export function chooseProxy(target: string, explicit?: ProxyConfig): ProxyChoice {
    const url = new URL(target);
    const hostname = url.hostname.toLowerCase();
    if (explicit && explicit.url.trim() !== "") {
        const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
        if (listed(hostname, port, explicit.noProxy ?? [])) return { ok: true };
        return parseProxy(explicit.url.trim(), "account", explicit.username, explicit.password, explicit.urlMayCarryCredentials);
    }
    if (LOOPBACK_HOSTS.test(url.hostname)) return { ok: true };
    let fromEnvironment = getProxyForUrl(url);
    if (!fromEnvironment && url.protocol === "https:") {
        // the SDK's HTTP_PROXY for https: asked as for the same host and port over http, so NO_PROXY applies
        fromEnvironment = getProxyForUrl(`http://${url.hostname}:${url.port || 443}/`);
    }
    return fromEnvironment ? parseProxy(fromEnvironment, "environment") : { ok: true };
}

/** "http proxy" nodes keep no_proxy as a list; a text (a flow edited by hand) is read as NO_PROXY is. */
export function noProxyList(value: unknown): string[] {
    if (Array.isArray(value)) return value.map(String);
    return typeof value === "string" ? value.split(/[,\s]+/) : [];
}
