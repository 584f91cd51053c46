/**
 * Which Twilio host an account's requests go to: its region (where Twilio processes and stores the data) and
 * its edge (where the connection enters Twilio). One rule for the runtime and the account dialog, so it is
 * pure (no SDK): the host name follows the twilio SDK's own rule (Client.getHostname, held to it by
 * test/twilio-host.test.js): api.{edge}.{region}.twilio.com, region us1 when only an edge is given. The one
 * thing added: a region without an edge gets that region's home edge, because the SDK would make it
 * api.{region}.twilio.com, the short form Twilio stopped serving on 2026-04-28.
 */

/** Twilio's processing regions for the REST API (blank: US1, api.twilio.com). */
export const REGIONS = ["us1", "ie1", "au1"] as const;

/** Twilio's public edge locations (https://www.twilio.com/docs/global-infrastructure/edge-locations). */
export const EDGES = ["ashburn", "dublin", "frankfurt", "sao-paulo", "singapore", "sydney", "tokyo", "umatilla", "roaming"] as const;

/** The edge each region is reached through when none is chosen (Twilio's own pairs: api.dublin.ie1.twilio.com, ...). */
export const HOME_EDGE: Readonly<Record<string, string>> = { us1: "ashburn", ie1: "dublin", au1: "sydney" };

/** The SDK's region when only an edge is given. */
const DEFAULT_REGION = "us1";

/** One DNS label: a region or edge Twilio adds later still works, and nothing else can get into the host name. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The origin, or the setting that keeps the account from having one: a region or edge that is not one DNS
 * label, or (setting "edge", value "") a region with no home edge that comes without an edge.
 */
export type ApiHost = { ok: true; origin: string } | { ok: false; setting: "region" | "edge"; value: string };

/** A region or edge as the rule reads it: trimmed, lower case (host names are); anything but text is blank. */
function clean(value: unknown): string {
    return typeof value === "string" ? value.trim().toLowerCase() : "";
}

/** Whether a region or edge setting is blank or one DNS label, the only values that can name a host part. */
function isHostLabel(value: unknown): boolean {
    const text = clean(value);
    return text === "" || LABEL.test(text);
}

/** The https origin of Twilio's API for a region and an edge; both blank: https://api.twilio.com. */
export function apiHost(regionSetting: unknown, edgeSetting: unknown): ApiHost {
    const region = clean(regionSetting);
    const edge = clean(edgeSetting);
    if (!isHostLabel(region)) return { ok: false, setting: "region", value: region };
    if (!isHostLabel(edge)) return { ok: false, setting: "edge", value: edge };
    if (!region && !edge) return { ok: true, origin: "https://api.twilio.com" };
    // own keys only: a region named "constructor" has no home edge
    const targetEdge = edge || (Object.prototype.hasOwnProperty.call(HOME_EDGE, region) ? HOME_EDGE[region] : "");
    if (!targetEdge) return { ok: false, setting: "edge", value: "" };
    return { ok: true, origin: `https://api.${targetEdge}.${region || DEFAULT_REGION}.twilio.com` };
}

/**
 * Whether the dialog marks `setting` (with both settings as they are): when apiHost refuses it, and both of
 * them when a region without a home edge comes without an edge, since changing either one makes a host.
 */
export function hostSettingRefused(setting: "region" | "edge", regionSetting: unknown, edgeSetting: unknown): boolean {
    const host = apiHost(regionSetting, edgeSetting);
    if (host.ok) return false;
    return host.setting === setting || (host.setting === "edge" && host.value === "");
}
