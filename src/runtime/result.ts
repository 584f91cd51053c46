/**
 * Output 1: Twilio's JSON as it came, plus the reference spec's spelling of the fields Twilio renamed.
 */
import { LISTS, RESOURCES } from "../catalog/resources";
import type { ResultKind } from "../catalog/types";

type Json = Record<string, unknown>;

function withAliases(resource: Json, aliases: Readonly<Record<string, string>>): Json {
    const shaped: Json = { ...resource };
    for (const [specName, twilioName] of Object.entries(aliases)) {
        if (!(specName in shaped) && twilioName in shaped) shaped[specName] = shaped[twilioName];
    }
    return shaped;
}

export function shapeResult(kind: ResultKind, body: Json): Json | null {
    if (kind === "none") return null;
    const list = LISTS[kind];
    if (list) {
        const items = body[list.key];
        const aliases = RESOURCES[list.item].aliases;
        return Array.isArray(items) ? { ...body, [list.key]: items.map((item: Json) => withAliases(item, aliases)) } : body;
    }
    return withAliases(body, RESOURCES[kind as keyof typeof RESOURCES].aliases);
}
