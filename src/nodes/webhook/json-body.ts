/**
 * JSON webhooks: some Twilio products POST application/json and sign the URL only, carrying the body's SHA-256
 * in its bodySHA256 query parameter (the SDK's validateRequestWithBody checks both). The signature covers the
 * bytes Twilio sent, so the body is read raw here; form bodies keep their own rules (form.ts).
 */
import type { IncomingMessage } from "node:http";
import { MAX_BODY_BYTES, readText } from "./form";

export type JsonResult =
    | { ok: true; text: string; value: unknown }
    | { ok: false; status: 400 | 413; reason: "tooLarge" | "unreadable" | "json.notJson" | "json.parsed" };

/** application/json, or a JSON type with a suffix (application/vnd.x+json), with any parameters. */
export function isJson(req: IncomingMessage): boolean {
    const type = req.headers["content-type"];
    return typeof type === "string" && /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(type);
}

/** @param raw whether the bytes are needed (signatures are checked): a body a middleware parsed is refused then */
export async function readJson(req: IncomingMessage, raw: boolean, limit = MAX_BODY_BYTES): Promise<JsonResult> {
    const parsed = req as IncomingMessage & { _body?: boolean; body?: unknown };
    // a middleware (httpNodeMiddleware) that parsed the body has consumed the bytes the signature covers
    if (parsed._body || parsed.readableEnded) {
        return raw ? { ok: false, status: 400, reason: "json.parsed" } : { ok: true, text: "", value: parsed.body };
    }
    const text = await readText(req, limit);
    if (typeof text !== "string") return !text.ok && text.reason === "tooLarge" ? { ok: false, status: 413, reason: "tooLarge" } : { ok: false, status: 400, reason: "unreadable" };
    try {
        return { ok: true, text, value: JSON.parse(text) };
    } catch {
        return { ok: false, status: 400, reason: "json.notJson" };
    }
}
