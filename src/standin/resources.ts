/**
 * The stand-in's resources, created from a form as Twilio would: checked with Twilio's error codes, shaped
 * like the schemas of Twilio's OpenAPI contract (api.v2010.account.call, .message, .message.media).
 * Deliberately independent of the node's own catalog and patterns, so that the two cannot share a mistake.
 */
import { API_VERSION, formatNumber, newSid, rfc2822, TwilioApiError } from "./twilio-format";
import { SegmentedMessage } from "sms-segments-calculator";

export type Form = Record<string, string | string[]>;
export type Resource = Record<string, unknown>;

const CALL_TO = /^(?:\+[1-9]\d{1,14}|client:[\w.@-]+|sips?:\S+@\S+)$/;
const CALL_FROM = /^(?:\+[1-9]\d{1,14}|client:[\w.@-]+)$/;
const MESSAGE_ADDRESS = /^(?:whatsapp:)?\+[1-9]\d{1,14}$/;
const ALPHANUMERIC_SENDER = /^(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const HTTP_METHODS = ["GET", "POST"];
const CALL_EVENTS = ["initiated", "ringing", "answered", "completed"];

/**
 * Twilio's magic test numbers (https://www.twilio.com/docs/iam/test-credentials): a valid-looking number
 * that Twilio refuses, so that flows and tests can meet a real TwilioError.
 */
const MAGIC_TO: Record<string, [number, string]> = {
    "+15005550001": [21211, "The 'To' number +15005550001 is not a valid phone number."],
    "+15005550002": [21612, "The 'To' phone number is not currently reachable via SMS or voice."],
    "+15005550003": [21408, "Permission to send to this destination has not been enabled."],
    "+15005550004": [21610, "Attempt to send to unsubscribed recipient."],
    "+15005550009": [21614, "'To' number is not a valid mobile number."],
};
const MAGIC_FROM: Record<string, [number, string]> = {
    "+15005550001": [21212, "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric sender ID."],
    "+15005550007": [21606, "The 'From' phone number provided is not a valid, message-capable Twilio phone number for this destination."],
    "+15005550008": [21611, "This 'From' number has exceeded the maximum number of queued messages."],
};

/** The value of a form field; of a repeated one, the last. */
export function one(form: Form, name: string): string | undefined {
    const value = form[name];
    return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Every value of a form field (repeated keys are a list). */
export function all(form: Form, name: string): string[] {
    const value = form[name];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function refuse(code: number, message: string): never {
    throw new TwilioApiError(400, code, message);
}

function checkMagic(table: Record<string, [number, string]>, value: string): void {
    if (table[value]) refuse(...table[value]);
}

function checkUrl(name: string, value: string | undefined, code: number): void {
    if (value === undefined) return;
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.hostname.includes("_")) {
        refuse(code, `${name} is not a valid URL: ${value}`);
    }
}

function checkEnum(name: string, value: string | undefined, allowed: string[]): void {
    if (value !== undefined && !allowed.includes(value)) refuse(21222, `Invalid ${name} value: ${value}`);
}

export function accountPath(accountSid: string): string {
    return `/${API_VERSION}/Accounts/${accountSid}`;
}

export function createCall(accountSid: string, form: Form, now: Date): Resource {
    const to = one(form, "To");
    const from = one(form, "From");
    if (!to) refuse(21201, "No 'To' number is specified");
    if (!CALL_TO.test(to)) refuse(21211, `Invalid 'To' Phone Number: ${to}`);
    checkMagic(MAGIC_TO, to);
    if (!from) refuse(21213, "No 'From' number is specified");
    if (!CALL_FROM.test(from)) refuse(21212, `Invalid 'From' Phone Number: ${from}`);
    checkMagic(MAGIC_FROM, from);
    if (!one(form, "Url") && !one(form, "ApplicationSid") && !one(form, "Twiml")) {
        refuse(21205, "Url parameter is required.");
    }
    checkUrl("Url", one(form, "Url"), 21205);
    checkUrl("FallbackUrl", one(form, "FallbackUrl"), 21205);
    checkUrl("StatusCallback", one(form, "StatusCallback"), 21609);
    for (const name of ["Method", "FallbackMethod", "StatusCallbackMethod"]) checkEnum(name, one(form, name), HTTP_METHODS);
    for (const event of all(form, "StatusCallbackEvent")) checkEnum("StatusCallbackEvent", event, CALL_EVENTS);
    const timeout = one(form, "Timeout");
    if (timeout !== undefined && !/^\d+$/.test(timeout)) refuse(21216, `Invalid Timeout value: ${timeout}`);
    const record = one(form, "Record");
    if (record !== undefined && !["true", "false"].includes(record)) refuse(21219, `Invalid Record value: ${record}`);
    checkEnum("MachineDetection", one(form, "MachineDetection"), ["Enable", "DetectMessageEnd"]);
    const twiml = one(form, "Twiml");
    if (twiml !== undefined && !/^\s*</.test(twiml)) refuse(21205, "Twiml is not valid TwiML.");
    const digits = one(form, "SendDigits");
    if (digits !== undefined && !/^[0-9#*wW]{1,32}$/.test(digits)) refuse(21217, `Invalid SendDigits value: ${digits}`);

    const sid = newSid("CA");
    const uri = `${accountPath(accountSid)}/Calls/${sid}.json`;
    const created = rfc2822(now);
    return {
        sid,
        date_created: created,
        date_updated: created,
        parent_call_sid: null,
        account_sid: accountSid,
        to,
        to_formatted: formatNumber(to),
        from,
        from_formatted: formatNumber(from),
        phone_number_sid: from.startsWith("+") ? newSid("PN") : null,
        status: "queued",
        start_time: null,
        end_time: null,
        duration: null,
        price: null,
        price_unit: "USD",
        direction: "outbound-api",
        answered_by: null,
        api_version: API_VERSION,
        forwarded_from: null,
        group_sid: null,
        caller_name: null,
        queue_time: "0",
        trunk_sid: null,
        uri,
        subresource_uris: {
            notifications: uri.replace(".json", "/Notifications.json"),
            recordings: uri.replace(".json", "/Recordings.json"),
            events: uri.replace(".json", "/Events.json"),
            payments: uri.replace(".json", "/Payments.json"),
        },
    };
}

function contentType(url: string): string {
    const extension = /\.(\w+)(?:[?#]|$)/.exec(new URL(url).pathname)?.[1]?.toLowerCase();
    return { png: "image/png", gif: "image/gif", jpg: "image/jpeg", jpeg: "image/jpeg" }[extension ?? ""] ?? "image/jpeg";
}

/** As Twilio counts them: its own segment calculator (not the node's rule). WhatsApp messages are not split. */
function segments(body: string, to: string): number {
    return to.startsWith("whatsapp:") ? 1 : new SegmentedMessage(body).segmentsCount;
}

export function createMessage(accountSid: string, form: Form, now: Date): { message: Resource; media: Resource[] } {
    const to = one(form, "To");
    const from = one(form, "From");
    const serviceSid = one(form, "MessagingServiceSid");
    const body = one(form, "Body") ?? "";
    const mediaUrls = all(form, "MediaUrl");
    if (!to) refuse(21604, "A 'To' phone number is required.");
    if (!MESSAGE_ADDRESS.test(to)) refuse(21211, `Invalid 'To' Phone Number: ${to}`);
    checkMagic(MAGIC_TO, to);
    if (!from && !serviceSid) refuse(21603, "A 'From' phone number is required.");
    if (from !== undefined && !MESSAGE_ADDRESS.test(from) && !ALPHANUMERIC_SENDER.test(from)) {
        refuse(21212, `Invalid 'From' Phone Number: ${from}`);
    }
    if (from !== undefined) checkMagic(MAGIC_FROM, from);
    if (serviceSid !== undefined && !/^MG[0-9a-fA-F]{32}$/.test(serviceSid)) {
        refuse(21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
    }
    if (!body && mediaUrls.length === 0 && !one(form, "ContentSid")) refuse(21602, "Message body is required.");
    if (body.length > 1600) refuse(21617, "The concatenated message body exceeds the 1600 character limit.");
    if (mediaUrls.length > 10) refuse(21623, "Too many media URLs: at most 10 are allowed.");
    for (const url of mediaUrls) checkUrl("MediaUrl", url, 21620);
    checkUrl("StatusCallback", one(form, "StatusCallback"), 21609);
    const scheduled = one(form, "ScheduleType");
    checkEnum("ScheduleType", scheduled, ["fixed"]);
    const sendAt = one(form, "SendAt");
    if ((scheduled || sendAt) && !(scheduled && sendAt && serviceSid)) {
        refuse(35111, "Scheduling a message needs ScheduleType=fixed, SendAt and a MessagingServiceSid.");
    }
    if (sendAt !== undefined && Number.isNaN(Date.parse(sendAt))) refuse(35114, `SendAt is not a valid date and time: ${sendAt}`);
    const maxPrice = one(form, "MaxPrice");
    if (maxPrice !== undefined && !/^\d+(\.\d+)?$/.test(maxPrice)) refuse(21202, `Invalid MaxPrice value: ${maxPrice}`);

    const sid = newSid(mediaUrls.length > 0 ? "MM" : "SM");
    const uri = `${accountPath(accountSid)}/Messages/${sid}.json`;
    const created = rfc2822(now);
    const media = mediaUrls.map((url) => {
        const mediaSid = newSid("ME");
        return {
            account_sid: accountSid,
            content_type: contentType(url),
            date_created: created,
            date_updated: created,
            parent_sid: sid,
            sid: mediaSid,
            uri: `${accountPath(accountSid)}/Messages/${sid}/Media/${mediaSid}.json`,
        };
    });
    const message: Resource = {
        body,
        num_segments: String(segments(body, to)),
        direction: "outbound-api",
        from: from ?? null,
        to,
        date_updated: created,
        price: null,
        error_message: null,
        uri,
        account_sid: accountSid,
        num_media: String(media.length),
        status: scheduled ? "scheduled" : from ? "queued" : "accepted",
        messaging_service_sid: serviceSid ?? null,
        sid,
        date_sent: null,
        date_created: created,
        error_code: null,
        price_unit: "USD",
        api_version: API_VERSION,
        subresource_uris: {
            media: uri.replace(".json", "/Media.json"),
            feedback: uri.replace(".json", "/Feedback.json"),
        },
    };
    return { message, media };
}
