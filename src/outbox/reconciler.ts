/**
 * Was it sent? For an attempt whose outcome is unknown (no answer in time, a connection cut after sending, a 5xx,
 * a crash while it was in flight), Twilio is asked before anything is sent again, since a create is not
 * idempotent and takes no idempotency key. Messages are listed by To and From (then Body and the number of media
 * must match), calls by To and From.
 *
 * - Order: Twilio documents Messages as sorted by DateSent, which is empty while a message is queued, and says
 *   nothing of where those come. So no order is assumed: pages are walked until one holds only resources created
 *   before the window, by date_created (or the list ends).
 * - Clocks: the window starts at the attempt's start as Twilio's clock had it (its offset measured from the Date
 *   header of the list's answer, see clock.ts), less SKEW_MARGIN_MS for the header's whole seconds and for
 *   Twilio's own delay in stamping. The cost of the margin: an identical message (same To, From, Body, media
 *   count) created by something else within it before the attempt would be taken for ours.
 * - Lanes: what a lookup cannot tell apart (calls to one number from one caller ID; messages with the same text,
 *   or a Content template, to one number from one sender) shares a lane, and the scheduler lets only one entry of
 *   a lane have an unknown outcome at a time. The claim itself is checked and written by the store when it is
 *   made (OutboxStore.claim), so no two entries take one Sid.
 */
import { createHash } from "node:crypto";
import type { OperationSpec } from "../catalog/types";
import { TWILIO_API_ORIGIN } from "../rules/base-url";
import type { OperationParams } from "../rules/validate";
import type { SendResult } from "../sender/send-with-retries";
import type { TwilioClock } from "./clock";

export const SKEW_MARGIN_MS = 60_000;
const PAGE_SIZE = 100;
/** 100 pages of 100: more resources with this To and From in the window than anyone plausibly sends. */
const MAX_PAGES = 100;

type Resource = Record<string, unknown>;

export type Lookup =
    /** Candidates, oldest first: the first one no other entry has claimed is this entry's. */
    | { kind: "found"; candidates: Array<{ resource: Resource; sid: string }> }
    | { kind: "notFound" }
    /** No answer, or one that says Twilio did not process the list (429, 5xx): the account backs off. */
    | { kind: "noAnswer"; sent: SendResult }
    /** Twilio refused the list (a 4xx): this entry waits with its own backoff. */
    | { kind: "refused"; status: number; code?: number; sent: SendResult }
    /** More candidates than MAX_PAGES holds: cannot tell. */
    | { kind: "tooMany" };

/** Lists for a lookup: one GET with the account's retries. */
export type ListPage = (uri: string, fields: Record<string, string>) => Promise<SendResult>;

function one(value: unknown): string | undefined {
    return value === undefined || value === null ? undefined : String(Array.isArray(value) ? value[value.length - 1] : value);
}

function count(value: unknown): number {
    return value === undefined || value === null ? 0 : Array.isArray(value) ? value.length : 1;
}

/**
 * The lane of a create: what a listed resource is compared on (sameResource), hashed so that no text of the
 * message is kept in it.
 */
export function laneOf(op: OperationSpec, params: OperationParams): string {
    const parts = [op.name, one(params.To), one(params.From) ?? `MG:${one(params.MessagingServiceSid) ?? ""}`];
    if (op.name !== "createCall") {
        parts.push(params.ContentSid !== undefined ? `HX:${one(params.ContentSid)}` : `body:${one(params.Body) ?? ""}`, String(count(params.MediaUrl)));
    }
    return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 22);
}

/** Whether a listed resource is what this create would have made (apart from its date and claims). */
export function sameResource(op: OperationSpec, params: OperationParams, resource: Resource): boolean {
    if (resource.to !== one(params.To) || resource.direction !== "outbound-api") return false;
    const from = one(params.From);
    if (op.name === "createCall") return resource.from === from;
    if (from !== undefined ? resource.from !== from : resource.messaging_service_sid !== one(params.MessagingServiceSid)) return false;
    // a Content template's text is Twilio's to fill in: the body cannot be compared then (the lane keeps such
    // entries one at a time)
    if (params.ContentSid === undefined && (resource.body ?? "") !== (one(params.Body) ?? "")) return false;
    return Number(resource.num_media ?? 0) === count(params.MediaUrl);
}

export interface LookupRequest {
    op: OperationSpec;
    params: OperationParams;
    /** The account the create went to (the URL's AccountSid). */
    accountSid: string;
    /** When the first attempt that may have reached Twilio began (ms since epoch, our clock). */
    attemptStarted: number;
    /** Sids finished with by other entries, as far as known when the lookup starts (the store checks again). */
    claimed: (sid: string) => boolean;
}

/** The resources matching the create, created no earlier than its attempt (less the margin), oldest first. */
export async function lookUp(list: ListPage, clock: TwilioClock, request: LookupRequest): Promise<Lookup> {
    const { op, params } = request;
    const path = op.name === "createCall" ? "Calls" : "Messages";
    const key = op.name === "createCall" ? "calls" : "messages";
    const fields: Record<string, string> = { To: one(params.To)!, PageSize: String(PAGE_SIZE) };
    const from = one(params.From);
    if (from !== undefined) fields.From = from;
    let uri = `${TWILIO_API_ORIGIN}/2010-04-01/Accounts/${encodeURIComponent(request.accountSid)}/${path}.json`;
    const found: Array<{ resource: Resource; sid: string; created: number }> = [];
    for (let page = 0; page < MAX_PAGES; page++) {
        const sent = await list(uri, page === 0 ? fields : {});
        const status = sent.response?.statusCode;
        if (status === undefined || status === 429 || status >= 500) return { kind: "noAnswer", sent };
        const body = sent.response!.body as Resource | undefined;
        if (status !== 200 || !body || !Array.isArray(body[key])) {
            const code = typeof (body as Resource | undefined)?.code === "number" ? ((body as Resource).code as number) : undefined;
            return { kind: "refused", status, code, sent };
        }
        if (page === 0) clock.observe(sent.response!.headers);
        // Twilio's dates are whole seconds: the window starts at the second the attempt began in, less the margin
        const since = Math.floor(clock.toTwilio(request.attemptStarted) / 1000) * 1000 - SKEW_MARGIN_MS;
        let inWindow = false;
        for (const item of body[key] as Resource[]) {
            const created = Date.parse(String(item.date_created));
            if (!(created >= since)) continue;
            inWindow = true;
            const sid = String(item.sid);
            if (!request.claimed(sid) && sameResource(op, params, item)) found.push({ resource: item, sid, created });
        }
        const next = typeof body.next_page_uri === "string" ? body.next_page_uri : undefined;
        if (!inWindow || !next) {
            if (found.length === 0) return { kind: "notFound" };
            // oldest first; equal seconds keep the list's order reversed (a newest-first list's older one last)
            const ordered = found.map((item, index) => ({ ...item, index })).sort((a, b) => a.created - b.created || b.index - a.index);
            return { kind: "found", candidates: ordered.map(({ resource, sid }) => ({ resource, sid })) };
        }
        uri = TWILIO_API_ORIGIN + next;
    }
    return { kind: "tooMany" };
}
