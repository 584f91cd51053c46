/**
 * The TwiML of the alert node: the alarm call (its text said inside a <Gather> whose answer comes back to the
 * webhook node), and the answers to an acknowledgement or a refusal, with the webhook node's builders
 * (nodes/webhook/twiml.ts: the SDK's, loaded at first use, which escape the text).
 */
import { textTwiml, voiceResponse, xmlText } from "../webhook/twiml";

/** <Response><Gather numDigits="1" action="…"><Say>text</Say></Gather></Response> */
export function alarmCallTwiml(say: string, action: string): string {
    const response = new (voiceResponse())();
    response.gather({ numDigits: 1, action, method: "POST" }).say(xmlText(say));
    return response.toString();
}

/** The answer to an SMS (a <Message>) or to a keypress (<Say>). */
export function answerTwiml(how: "sms" | "keypress", text: string): string {
    return textTwiml(how === "keypress" ? "say" : "message", text);
}
