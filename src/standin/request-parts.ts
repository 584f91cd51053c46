/**
 * What the stand-in reads of an HTTP request: its body (with a size limit), forms and query strings, and
 * the Basic auth credentials.
 */
import type http from "node:http";
import type { Form } from "./resources";
import { TwilioApiError } from "./twilio-format";

const MAX_BODY_BYTES = 1 << 20;

/** Repeated keys become a list, as the SDK sends lists (MediaUrl=a&MediaUrl=b). */
export function toForm(params: URLSearchParams): Form {
    const form: Form = {};
    for (const [name, value] of params) {
        const previous = form[name];
        form[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    return form;
}

export function isForm(req: http.IncomingMessage): boolean {
    return String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded");
}

/** The user name and password of a Basic Authorization header; none when there is no such header. */
export function basicAuth(header: string | undefined): [string?, string?] {
    const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
    if (!match) return [];
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0 ? [] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** The body as text; rejects with Twilio's 413 past 1 MiB. */
export function readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new TwilioApiError(413, 20001, "Request body too large"));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}
