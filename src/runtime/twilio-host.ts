/**
 * Which Twilio host an account's requests go to: its region (where Twilio processes and stores the data) and
 * its edge (where the connection enters Twilio). The host name is the SDK's own rule (Client.getHostname):
 * api.{edge}.{region}.twilio.com, region us1 when only an edge is given. The one thing added here: a region
 * without an edge gets that region's home edge, because the SDK would make it api.{region}.twilio.com, the
 * short form Twilio stopped serving on 2026-04-28.
 */
import twilio from "twilio";

/** Twilio's processing regions for the REST API (blank: US1, api.twilio.com). */
export const REGIONS = ["us1", "ie1", "au1"] as const;

/** Twilio's public edge locations (https://www.twilio.com/docs/global-infrastructure/edge-locations). */
export const EDGES = ["ashburn", "dublin", "frankfurt", "sao-paulo", "singapore", "sydney", "tokyo", "umatilla", "roaming"] as const;

/** The edge each region is reached through when none is chosen (Twilio's own pairs: api.dublin.ie1.twilio.com, ...). */
export const HOME_EDGE: Readonly<Record<string, string>> = { us1: "ashburn", ie1: "dublin", au1: "sydney" };

export const TWILIO_API_HOST = "api.twilio.com";

/** One DNS label: a region or edge Twilio adds later still works, and nothing else can get into the host name. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type ApiHost = { ok: true; origin: string } | { ok: false; setting: "region" | "edge"; value: string };

function clean(value: unknown): string {
    return typeof value === "string" ? value.trim().toLowerCase() : "";
}

/** The https origin of Twilio's API for a region and an edge; both blank: https://api.twilio.com. */
export function apiHost(regionSetting: unknown, edgeSetting: unknown): ApiHost {
    const region = clean(regionSetting);
    const edge = clean(edgeSetting);
    if (region && !LABEL.test(region)) return { ok: false, setting: "region", value: region };
    if (edge && !LABEL.test(edge)) return { ok: false, setting: "edge", value: edge };
    const targetEdge = edge || (region ? HOME_EDGE[region] : undefined);
    if (region && !targetEdge) return { ok: false, setting: "edge", value: "" };
    // the SDK's method uses nothing of its instance: called on the prototype, it is the SDK's rule as it stands
    const hostname = twilio.Twilio.prototype.getHostname(TWILIO_API_HOST, targetEdge, region || undefined);
    return { ok: true, origin: `https://${hostname}` };
}
