/**
 * Where an account's requests go: its base URL, else the host of its region and edge; and the proxy they go
 * through. A setting that cannot be used is the account's problem: every request then fails with it.
 */
import { parseBaseUrl } from "../../rules/base-url";
import type { ConfigProblem } from "../../sender/auth";
import { chooseProxy, type ChosenProxy, type ProxyConfig } from "../../sender/proxy";
import { apiHost } from "../../rules/twilio-host";

export interface WhereSettings {
    apiBaseUrl?: string;
    /** Twilio's processing region and edge location (rules/twilio-host.ts); blank: US1. apiBaseUrl wins. */
    region?: string;
    edge?: string;
    /** The account's own proxy, resolved by twilio-account (proxy.ts); none: the environment's. */
    proxy?: ProxyConfig;
}

export interface Where {
    /** The origin requests go to; the setting as given when it cannot be used (for the problem's message). */
    baseUrl: string;
    /** The proxy requests go through, if any. */
    proxy?: ChosenProxy;
    problem?: ConfigProblem;
    /** The setting a problem is about, for its message: the region, edge or the proxy's origin. */
    problemValue?: string;
}

export function resolveWhere(settings: WhereSettings): Where {
    // a base URL wins over region and edge: it is where the user wants requests to go (a test server, a proxy)
    const hasBaseUrl = typeof settings.apiBaseUrl === "string" && settings.apiBaseUrl.trim() !== "";
    const base = hasBaseUrl ? parseBaseUrl(settings.apiBaseUrl) : undefined;
    const host = hasBaseUrl ? undefined : apiHost(settings.region, settings.edge);
    const baseUrl = base?.ok ? base.url : host?.ok ? host.origin : String(settings.apiBaseUrl ?? "");
    const chosen = base?.ok || host?.ok ? chooseProxy(baseUrl, settings.proxy) : { ok: true as const };
    const proxy = chosen.ok ? chosen.proxy : undefined;
    if (base && !base.ok) return { baseUrl, proxy, problem: "badBaseUrl" };
    if (host && !host.ok) return { baseUrl, proxy, problem: host.setting === "region" ? "where.badRegion" : "where.badEdge", problemValue: host.value };
    if (!chosen.ok) return { baseUrl, proxy, problem: "where.badProxy", problemValue: chosen.shown };
    return { baseUrl, proxy };
}
