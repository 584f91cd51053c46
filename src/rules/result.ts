/**
 * Output 1: Twilio's JSON as it came, plus the reference spec's spelling of the fields Twilio renamed.
 */
import { LISTS, RESOURCES } from "../catalog/result-shapes";
import type { ResultKind } from "../catalog/types";

type Json = Record<string, unknown>;

/** Adds the aliases to the resource itself: it is a fresh object parsed from this one answer. */
function withAliases(resource: Json, aliases: Readonly<Record<string, string>>): Json {
    for (const specName in aliases) {
        const twilioName = aliases[specName];
        if (!(specName in resource) && twilioName in resource) resource[specName] = resource[twilioName];
    }
    return resource;
}

export function shapeResult(kind: ResultKind, body: Json): Json | null {
    if (kind === "none") return null;
    const list = LISTS[kind];
    if (list) {
        const items = body[list.key];
        const aliases = RESOURCES[list.item].aliases;
        if (Array.isArray(items)) for (const item of items) withAliases(item as Json, aliases);
        return body;
    }
    return withAliases(body, RESOURCES[kind as keyof typeof RESOURCES].aliases);
}
