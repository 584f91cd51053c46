/**
 * The TwiML a webhook request is answered with: the empty <Response/> (Twilio does nothing more), the flow's
 * own TwiML, or the flow's text wrapped for the event by the SDK's builders, which escape it.
 */
import type MessagingResponse from "twilio/lib/twiml/MessagingResponse";
import type VoiceResponse from "twilio/lib/twiml/VoiceResponse";
import { dependency } from "../../rules/dependency";
import type { WebhookEvent } from "./events";
import { checkXml, type XmlProblem } from "./xml-check";

/** What the SDK's `new MessagingResponse().toString()` writes (twiml.test.js checks it), without loading the SDK. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

// the SDK's TwiML builders alone, at the first reply that needs one: the whole SDK takes ~100 ms to load
export const voiceResponse = dependency<typeof VoiceResponse>("twilio/lib/twiml/VoiceResponse");
const messagingResponse = dependency<typeof MessagingResponse>("twilio/lib/twiml/MessagingResponse");

export const TWIML_CONTENT_TYPE = "text/xml; charset=utf-8";

/** What is wrong with a reply, as a key of twilio.webhook.reply in the message catalog. */
export type ReplyProblem = "notText" | "notResponse" | "malformed";

export type Reply = { ok: true; twiml: string } | { ok: false; problem: ReplyProblem; xml?: { problem: XmlProblem; name?: string } };

// what XML cannot carry at all (C0 controls but tab, LF, CR; unpaired surrogates; U+FFFE, U+FFFF): an SMS
// cannot carry them either, and the SDK's builder throws on them
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text without what XML cannot carry, for the SDK's builders (which escape the rest). */
export function xmlText(text: string): string {
    return text.replace(NOT_XML, "");
}

/** Text said in a call (<Say>) or sent back as an SMS (<Message>): the twilio-webhook node's and the alert node's answers. */
export function textTwiml(as: "say" | "message", text: string): string {
    if (as === "say") {
        const voice = new (voiceResponse())();
        voice.say(xmlText(text));
        return voice.toString();
    }
    const messaging = new (messagingResponse())();
    messaging.message(xmlText(text));
    return messaging.toString();
}

function wrapped(event: WebhookEvent, text: string): string {
    return textTwiml(event === "incoming-call" ? "say" : "message", text);
}

/**
 * The answer for a reply's msg.payload: blank means no reply (the empty Response); text starting with "<" is
 * TwiML, which must be a well-formed document with a <Response> root; other text is the reply itself, a
 * <Message> to an incoming message, <Say> to a call.
 */
export function replyTwiml(event: WebhookEvent, payload: unknown): Reply {
    if (payload === undefined || payload === null || payload === "") return { ok: true, twiml: EMPTY_TWIML };
    if (typeof payload !== "string") return { ok: false, problem: "notText" };
    const text = payload.trim();
    if (!text.startsWith("<")) return { ok: true, twiml: wrapped(event, payload) };
    const xml = checkXml(text);
    if (!xml.ok) return { ok: false, problem: "malformed", xml };
    if (xml.root !== "Response") return { ok: false, problem: "notResponse" };
    return { ok: true, twiml: text };
}
