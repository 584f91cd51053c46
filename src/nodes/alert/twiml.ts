/**
 * The TwiML of the alert node: the alarm call (its text said inside a <Gather> whose answer comes back to the
 * webhook node), and the answers to an acknowledgement or a refusal. Built with the twilio package's TwiML
 * builders (which escape the text), loaded when first needed so that loading the package stays lean.
 */
import type MessagingResponse from "twilio/lib/twiml/MessagingResponse";
import type VoiceResponse from "twilio/lib/twiml/VoiceResponse";
import { dependency } from "../../rules/dependency";

// the SDK's builders alone (4–12 ms), not the whole SDK (~100 ms), when an alarm first needs them
const voiceResponse = dependency<typeof VoiceResponse>("twilio/lib/twiml/VoiceResponse");
const messagingResponse = dependency<typeof MessagingResponse>("twilio/lib/twiml/MessagingResponse");

// what XML cannot carry (the builders throw on it): dropped, as the webhook node does
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const clean = (text: string) => text.replace(NOT_XML, "");

/** <Response><Gather numDigits="1" action="…"><Say>text</Say></Gather></Response> */
export function alarmCallTwiml(say: string, action: string): string {
    const response = new (voiceResponse())();
    response.gather({ numDigits: 1, action, method: "POST" }).say(clean(say));
    return response.toString();
}

/** The answer to an SMS (a <Message>) or to a keypress (<Say>). */
export function answerTwiml(how: "sms" | "keypress", text: string): string {
    if (how === "keypress") {
        const voice = new (voiceResponse())();
        voice.say(clean(text));
        return voice.toString();
    }
    const messaging = new (messagingResponse())();
    messaging.message(clean(text));
    return messaging.toString();
}
