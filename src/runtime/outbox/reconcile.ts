/**
 * Was it sent? For an attempt whose outcome is unknown (no answer in time, a connection cut after sending, a 5xx,
 * a crash while it was in flight), Twilio is asked before anything is sent again, since a create is not
 * idempotent and takes no idempotency key. Messages are listed by To and From (then Body and the number of media
 * must match), calls by To and From, newest first, page by page down to the attempt's start by date_created
 * (date_sent and start_time stay empty while a message or call is queued). A resource some other entry of this
 * outbox already finished with (a claim) is never taken.
 *
 * Clock skew: date_created is Twilio's clock, to the second; the attempt's start is ours. Resources created up
 * to SKEW_MARGIN_MS before our start are still taken as candidates, so Twilio's clock may run up to a minute
 * behind ours (ahead of ours only widens the window). The cost of the margin: an identical message (same To,
 * From, Body and media count) created by something else within that minute before the attempt would be taken
 * for ours.
 */
import type { OperationSpec } from "../../catalog/types";
import type { TwilioAccount } from "../account";
import type { Auth } from "../account-auth";
import type { SendResult } from "../send-with-retries";
import { TWILIO_API_ORIGIN } from "../../rules/base-url";
import type { OperationParams } from "../../rules/validate";

export const SKEW_MARGIN_MS = 60_000;
const PAGE_SIZE = 100;
/** 100 pages of 100: more resources with this To and From in the window than anyone plausibly sends. */
const MAX_PAGES = 100;

type Resource = Record<string, unknown>;

export type Reconciliation =
    | { kind: "found"; resource: Resource; sid: string }
    | { kind: "notFound" }
    /** Twilio did not answer (or refused the list): try again later. */
    | { kind: "noAnswer"; sent: SendResult }
    /** More candidates than MAX_PAGES holds: cannot tell. */
    | { kind: "tooMany" };

function one(value: unknown): string | undefined {
    return value === undefined || value === null ? undefined : String(Array.isArray(value) ? value[value.length - 1] : value);
}

function count(value: unknown): number {
    return value === undefined || value === null ? 0 : Array.isArray(value) ? value.length : 1;
}

/** Whether a listed resource is what this create would have made (apart from its date and claims). */
export function sameResource(op: OperationSpec, params: OperationParams, resource: Resource): boolean {
    if (resource.to !== one(params.To) || resource.direction !== "outbound-api") return false;
    const from = one(params.From);
    if (op.name === "createCall") return resource.from === from;
    if (from !== undefined ? resource.from !== from : resource.messaging_service_sid !== one(params.MessagingServiceSid)) return false;
    // a Content template's text is Twilio's to fill in: the body cannot be compared then
    if (params.ContentSid === undefined && (resource.body ?? "") !== (one(params.Body) ?? "")) return false;
    return Number(resource.num_media ?? 0) === count(params.MediaUrl);
}

export interface ReconcileRequest {
    op: OperationSpec;
    params: OperationParams;
    /** The account the create went to (the URL's AccountSid). */
    accountSid: string;
    auth: Auth;
    /** When the first attempt that may have reached Twilio began (ms since epoch, our clock). */
    attemptStarted: number;
    claimed: ReadonlySet<string>;
}

/** The oldest unclaimed resource matching the create, created no earlier than its attempt (less the margin). */
export async function reconcile(account: TwilioAccount, request: ReconcileRequest): Promise<Reconciliation> {
    const { op, params } = request;
    const list = op.name === "createCall" ? "Calls" : "Messages";
    const key = op.name === "createCall" ? "calls" : "messages";
    // Twilio's dates are whole seconds: the window starts at the second the attempt began in, less the margin
    const since = Math.floor(request.attemptStarted / 1000) * 1000 - SKEW_MARGIN_MS;
    const fields: Record<string, string> = { To: one(params.To)!, PageSize: String(PAGE_SIZE) };
    const from = one(params.From);
    if (from !== undefined) fields.From = from;
    let uri = `${TWILIO_API_ORIGIN}/2010-04-01/Accounts/${encodeURIComponent(request.accountSid)}/${list}.json`;
    let found: Resource | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
        const sent = await account.sendWithRetries({ method: "get", uri, fields: page === 0 ? fields : {} }, request.auth);
        const body = sent.response?.body as Resource | undefined;
        if (!sent.response || sent.response.statusCode !== 200 || !body || !Array.isArray(body[key])) {
            return { kind: "noAnswer", sent };
        }
        let older = false;
        for (const item of body[key] as Resource[]) {
            const created = Date.parse(String(item.date_created));
            if (!(created >= since)) {
                older = true;
                continue;
            }
            if (!request.claimed.has(String(item.sid)) && sameResource(op, params, item)) found = item; // newest first: the last is the oldest
        }
        const next = typeof body.next_page_uri === "string" ? body.next_page_uri : undefined;
        if (older || !next) return found ? { kind: "found", resource: found, sid: String(found.sid) } : { kind: "notFound" };
        uri = TWILIO_API_ORIGIN + next;
    }
    return { kind: "tooMany" };
}
