/**
 * The body of a webhook request: Twilio POSTs application/x-www-form-urlencoded. RED.httpNode has no body
 * parser for this node's route, so the body is read here, with a size limit; a body some middleware
 * (httpNodeMiddleware) has already parsed is taken as it is.
 */
import type { IncomingMessage } from "node:http";

/** Twilio's webhooks carry a few kilobytes at most (an SMS body is at most 1600 characters). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The parameters in the order received; a key may repeat. */
export type FormEntries = Array<[string, string]>;

export type FormResult = { ok: true; entries: FormEntries } | { ok: false; status: 413 | 415 | 400; reason: "tooLarge" | "notForm" | "unreadable" };

/** A request as express leaves it once a body parser has run. */
type ParsedRequest = IncomingMessage & { body?: unknown; _body?: boolean };

function entriesOfObject(body: Record<string, unknown>): FormEntries {
    const entries: FormEntries = [];
    for (const [name, value] of Object.entries(body)) {
        for (const item of Array.isArray(value) ? value : [value]) {
            if (item !== undefined && item !== null && typeof item !== "object") entries.push([name, String(item)]);
        }
    }
    return entries;
}

function entriesOfText(text: string): FormEntries {
    return [...new URLSearchParams(text)];
}

function isForm(req: IncomingMessage): boolean {
    const type = req.headers["content-type"];
    // no content type: an empty body, or a client that did not say; read as a form like Twilio's
    return type === undefined || /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(type);
}

export function readText(req: IncomingMessage, limit: number): Promise<FormResult | string> {
    return new Promise((resolve) => {
        const declared = Number(req.headers["content-length"]);
        if (Number.isFinite(declared) && declared > limit) {
            req.resume();
            return resolve({ ok: false, status: 413, reason: "tooLarge" });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            // past the limit nothing more is kept; the answer goes out at once (Node drains the rest)
            if (size > limit) resolve({ ok: false, status: 413, reason: "tooLarge" });
            else chunks.push(chunk);
        });
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", () => resolve({ ok: false, status: 400, reason: "unreadable" }));
    });
}

export async function readForm(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<FormResult> {
    if (!isForm(req)) {
        req.resume();
        return { ok: false, status: 415, reason: "notForm" };
    }
    const parsed = req as ParsedRequest;
    if (parsed._body || parsed.readableEnded) {
        const body = parsed.body;
        if (typeof body === "string") return { ok: true, entries: entriesOfText(body) };
        if (Buffer.isBuffer(body)) return { ok: true, entries: entriesOfText(body.toString("utf8")) };
        if (body !== null && typeof body === "object") return { ok: true, entries: entriesOfObject(body as Record<string, unknown>) };
        return { ok: true, entries: [] };
    }
    const text = await readText(req, limit);
    return typeof text === "string" ? { ok: true, entries: entriesOfText(text) } : text;
}

/**
 * The parameters as the signature covers them: a repeated key as the list of its values, as the SDK's
 * validateRequest expects (Twilio's webhooks do not repeat keys; a value appended to a signed request then
 * breaks the signature instead of replacing the signed one).
 */
export function signedParams(entries: FormEntries): Record<string, string | string[]> {
    const params: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of entries) {
        const previous = params[name];
        params[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    return params;
}

/** The parameters for msg.payload: strings, the last value of a repeated key. */
export function payloadOf(entries: FormEntries): Record<string, string> {
    // Object.fromEntries defines "__proto__" as an ordinary key instead of setting the prototype
    return Object.fromEntries(entries);
}
