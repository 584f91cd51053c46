/**
 * The parameters Twilio sends to an application, by Twilio's documented names:
 * message status callbacks (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status),
 * call status callbacks (https://www.twilio.com/docs/voice/api/call-resource#statuscallback) and incoming
 * messages (https://www.twilio.com/docs/messaging/guides/webhook-request).
 */
import type { Resource } from "./resources";
import { API_VERSION, newSid, rfc2822 } from "./twilio-format";

type WebhookParams = Record<string, string>;

function text(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** Drops the parameters that have no value, as Twilio leaves them out. */
function defined(params: Record<string, string | undefined>): WebhookParams {
    return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function messageStatusParams(message: Resource, status: string): WebhookParams {
    return defined({
        AccountSid: text(message.account_sid),
        ApiVersion: API_VERSION,
        From: text(message.from),
        MessageSid: text(message.sid),
        MessageStatus: status,
        MessagingServiceSid: text(message.messaging_service_sid),
        SmsSid: text(message.sid),
        SmsStatus: status,
        To: text(message.to),
    });
}

/** The StatusCallbackEvent names and the CallStatus Twilio reports with each. */
export const CALL_PROGRESS = [
    { event: "initiated", status: "initiated" },
    { event: "ringing", status: "ringing" },
    { event: "answered", status: "in-progress" },
    { event: "completed", status: "completed" },
] as const;

export function callStatusParams(call: Resource, status: string, sequence: number, now: Date, duration?: number): WebhookParams {
    return defined({
        AccountSid: text(call.account_sid),
        ApiVersion: API_VERSION,
        CallDuration: duration === undefined ? undefined : String(duration),
        CallSid: text(call.sid),
        CallStatus: status,
        CallbackSource: "call-progress-events",
        Called: text(call.to),
        Caller: text(call.from),
        Direction: text(call.direction),
        From: text(call.from),
        SequenceNumber: String(sequence),
        Timestamp: rfc2822(now),
        To: text(call.to),
    });
}

export interface InboundMessage {
    from: string;
    to: string;
    body?: string;
    mediaUrls?: string[];
}

export function incomingMessageParams(accountSid: string, message: InboundMessage): WebhookParams {
    const sid = newSid(message.mediaUrls?.length ? "MM" : "SM");
    const media = (message.mediaUrls ?? []).flatMap((url, i) => [
        [`MediaUrl${i}`, url],
        [`MediaContentType${i}`, "image/jpeg"],
    ]);
    return {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        Body: message.body ?? "",
        From: message.from,
        MessageSid: sid,
        NumMedia: String(message.mediaUrls?.length ?? 0),
        NumSegments: "1",
        SmsMessageSid: sid,
        SmsSid: sid,
        SmsStatus: "received",
        To: message.to,
        ...Object.fromEntries(media),
    };
}
