/**
 * What of a message the outbox keeps on disk, to send the result on with after a restart: each top-level property
 * that JSON can carry. Dropped: msg.req and msg.res (http in's live request and response: an HTTP exchange does
 * not survive a restart), msg._twilioWebhook (a webhook reply handle, void after a restart), functions, symbols
 * and undefined values, and a property that cannot be serialised at all (circular, a BigInt, a throwing toJSON).
 * Inside a kept property JSON's rules apply: a Date becomes its ISO text, a Map or Set an empty object; a
 * Buffer comes back as a Buffer.
 */
import type { NodeMessage } from "node-red";

const NOT_SAVED = new Set(["req", "res", "_twilioWebhook"]);

export function saveMessage(msg: NodeMessage): { json: string; dropped: string[] } {
    const kept: Record<string, string> = {};
    const dropped: string[] = [];
    for (const [name, value] of Object.entries(msg)) {
        if (NOT_SAVED.has(name) || typeof value === "function" || typeof value === "symbol" || value === undefined) {
            dropped.push(name);
            continue;
        }
        try {
            const json = JSON.stringify(value);
            if (json === undefined) dropped.push(name);
            else kept[name] = json;
        } catch {
            dropped.push(name);
        }
    }
    const json = `{${Object.entries(kept).map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(",")}}`;
    return { json, dropped };
}

function reviveBuffers(_key: string, value: unknown): unknown {
    if (value && typeof value === "object" && (value as { type?: unknown }).type === "Buffer" && Array.isArray((value as { data?: unknown }).data)) {
        const keys = Object.keys(value);
        if (keys.length === 2) return Buffer.from((value as { data: number[] }).data);
    }
    return value;
}

export function restoreMessage(json: string): NodeMessage {
    try {
        const msg = JSON.parse(json, reviveBuffers) as unknown;
        return msg && typeof msg === "object" && !Array.isArray(msg) ? (msg as NodeMessage) : {};
    } catch {
        return {};
    }
}
