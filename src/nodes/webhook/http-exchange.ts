/**
 * The plain HTTP parts of a webhook request and its answer, as the signature check and the request handler
 * both read them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export const PLAIN_TEXT = "text/plain; charset=utf-8";

/** The URL as the client sent it: express strips httpNodeRoot from req.url and keeps it in originalUrl. */
export function originalUrlOf(req: IncomingMessage): string {
    return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
}

export function headerOf(req: IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
}

/** Answers once; a client that has gone away gets nothing. */
export function answer(res: ServerResponse, status: number, contentType: string, body: string): void {
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    res.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-store" }).end(body);
}
