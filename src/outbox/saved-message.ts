/**
 * What of a message the outbox keeps on disk, to send the result on with after a restart: each top-level property
 * that the structured clone algorithm can copy (v8.serialize: a Buffer stays binary, a Date a Date, a Map a Map),
 * except:
 * - msg.req, msg.res (http in's live request and response: an HTTP exchange does not survive a restart) and
 *   msg._twilioWebhook (a webhook reply handle, void after a restart);
 * - msg.cookies and msg.responseCookies, and in msg.headers the Authorization, Proxy-Authorization and Cookie
 *   headers: another node's secrets never go to disk;
 * - functions, symbols, undefined, and any property that cannot be copied at all.
 * Entries written by the first version of the outbox hold JSON; they are still read.
 */
import v8 from "node:v8";
import type { NodeMessage } from "node-red";

const NOT_SAVED = new Set(["req", "res", "_twilioWebhook", "cookies", "responseCookies"]);
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"]);

export interface SavedMessage {
    data: Buffer;
    /** The largest property and what it takes, to name it when the entry is too large (measured only then). */
    largest(): { name: string; bytes: number } | undefined;
}

function withoutSecretHeaders(headers: unknown): unknown {
    if (!headers || typeof headers !== "object" || Array.isArray(headers)) return headers;
    return Object.fromEntries(Object.entries(headers).filter(([name]) => !SECRET_HEADERS.has(name.toLowerCase())));
}

function copyable(value: unknown): boolean {
    try {
        v8.serialize(value);
        return true;
    } catch {
        return false;
    }
}

export function saveMessage(msg: NodeMessage): SavedMessage {
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(msg)) {
        if (NOT_SAVED.has(name) || typeof value === "function" || typeof value === "symbol" || value === undefined) continue;
        kept[name] = name === "headers" ? withoutSecretHeaders(value) : value;
    }
    let data: Buffer;
    try {
        data = v8.serialize(kept);
    } catch {
        // some property cannot be copied (a function deep inside, a socket): leave out each such property
        for (const [name, value] of Object.entries(kept)) if (!copyable(value)) delete kept[name];
        data = v8.serialize(kept);
    }
    return { data, largest: () => largestProperty(kept) };
}

function largestProperty(kept: Record<string, unknown>): { name: string; bytes: number } | undefined {
    let largest: { name: string; bytes: number } | undefined;
    for (const [name, value] of Object.entries(kept)) {
        const bytes = v8.serialize(value).length;
        if (!largest || bytes > largest.bytes) largest = { name, bytes };
    }
    return largest;
}

function reviveBuffers(_key: string, value: unknown): unknown {
    if (value && typeof value === "object" && (value as { type?: unknown }).type === "Buffer" && Array.isArray((value as { data?: unknown }).data)) {
        const keys = Object.keys(value);
        if (keys.length === 2) return Buffer.from((value as { data: number[] }).data);
    }
    return value;
}

export function restoreMessage(data: Buffer): NodeMessage {
    try {
        // the first version wrote JSON text ("{...}"); v8's format starts with its version tag 0xFF
        const msg = data[0] === 0x7b ? (JSON.parse(data.toString("utf8"), reviveBuffers) as unknown) : v8.deserialize(data);
        return msg && typeof msg === "object" && !Array.isArray(msg) ? (msg as NodeMessage) : {};
    } catch {
        return {};
    }
}
