/**
 * What a webhook request is, from the parameters Twilio sends (https://www.twilio.com/docs/messaging/guides/webhook-request,
 * https://www.twilio.com/docs/voice/twiml#twilios-request-to-your-application,
 * https://www.twilio.com/docs/voice/api/call-resource#statuscallback).
 */

export type WebhookEvent =
    | "incoming-message" // a message to one of the account's numbers: Twilio asks what to reply
    | "message-status" // a status callback of a message the account sent (StatusCallback of postMessage)
    | "call-status" // a status callback of a call (StatusCallback of createCall)
    | "incoming-call" // Twilio asks for a call's TwiML: an incoming call, or an outbound call that was answered
    | "other"; // none of these (e.g. a request without any Sid)

/** The fields of a webhook request, by the names Twilio posts them under. */
type WebhookParams = Readonly<Record<string, string>>;

/** Only status callbacks of calls carry these; Twilio's request for a call's TwiML does not. */
const CALL_STATUS_MARKERS = ["CallbackSource", "SequenceNumber", "Timestamp"];

const has = (params: WebhookParams, name: string) => typeof params[name] === "string" && params[name] !== "";

export function classify(params: WebhookParams): WebhookEvent {
    if (has(params, "MessageStatus")) return "message-status";
    if (has(params, "MessageSid") || has(params, "SmsSid") || has(params, "SmsMessageSid")) return "incoming-message";
    if (has(params, "CallSid")) return CALL_STATUS_MARKERS.some((name) => has(params, name)) ? "call-status" : "incoming-call";
    return "other";
}

/** The Sid a flow joins the event to its send by: the message's or the call's. */
export function sidOf(params: WebhookParams): string | undefined {
    for (const name of ["MessageSid", "SmsSid", "SmsMessageSid", "CallSid"]) if (has(params, name)) return params[name];
    return undefined;
}

/**
 * Twilio reads the answer to an incoming message or call (its TwiML says what to do); it ignores the answer
 * to a status callback, so those are answered at once instead of waiting for a reply from the flow.
 */
export function awaitsReply(event: WebhookEvent): boolean {
    return event === "incoming-message" || event === "incoming-call";
}
