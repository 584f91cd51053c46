/**
 * The people on the other end, as a test or `npm start` sets them up: Twilio would ring a phone and deliver an
 * SMS, and someone might press a key or text back. Off unless asked for:
 *
 * - answerCalls({digits}): a call created with TwiML holding a <Gather action="…"> is "answered" and the digits
 *   are pressed: the stand-in posts them to the action URL (POST, signed) with Twilio's parameters (CallSid, From,
 *   To, Digits, CallStatus …), as Twilio does once the caller has pressed them; the application's TwiML answer is
 *   recorded. Only the <Gather>'s action is followed: no other verb of the TwiML is run.
 * - answerMessages({body, url}): a message created to a number is answered with an SMS from that number to the
 *   message's From, sent to `url` (the webhook of the account's number on Twilio), signed.
 *
 * `to` limits either to one number. The stand-in plays Twilio here: it reads TwiML with its own small parser, not
 * the package's rules.
 */
import type { CallbackSender } from "./callbacks";
import { one, type Form, type Resource } from "./resources";
import type { Account } from "./store";
import { API_VERSION } from "./twilio-format";
import { incomingMessageParams } from "./webhook-params";

export interface CallAnswer {
    digits: string;
    /** Only calls to this number. */
    to?: string;
    /** Pause before the keypress; default: the stand-in's callback delay. */
    delayMs?: number;
}

export interface MessageAnswer {
    body: string;
    /** Where the reply goes: the application's URL for incoming messages (loopback only). */
    url: string;
    /** Only messages to this number. */
    to?: string;
    delayMs?: number;
}

export class Answers {
    calls?: CallAnswer;
    messages?: MessageAnswer;

    clear(): void {
        this.calls = this.messages = undefined;
    }
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
    return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, name: string) => {
        if (name[0] !== "#") return ENTITIES[name.toLowerCase()];
        return String.fromCodePoint(name[1].toLowerCase() === "x" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)));
    });
}

/** The action URL of the first <Gather> of a TwiML document, if it has one. */
export function gatherActionOf(twiml: string | undefined): string | undefined {
    const gather = /<Gather\b([^>]*)>/.exec(twiml ?? "");
    const action = gather && /\saction\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(gather[1]);
    return action ? unescapeXml(action[1] ?? action[2]) : undefined;
}

export interface AnswerContext {
    sender: CallbackSender;
    delayMs: number;
    answers: Answers;
}

export function answerCall(account: Account, call: Resource, form: Form, context: AnswerContext): void {
    const answer = context.answers.calls;
    const action = gatherActionOf(one(form, "Twiml"));
    if (!answer || !action || (answer.to !== undefined && answer.to !== call.to)) return;
    context.sender.run(async (wait) => {
        await wait(answer.delayMs ?? context.delayMs);
        const params: Record<string, string> = {
            AccountSid: account.sid,
            ApiVersion: API_VERSION,
            CallSid: String(call.sid),
            CallStatus: "in-progress",
            Called: String(call.to),
            Caller: String(call.from),
            Digits: answer.digits,
            Direction: "outbound-api",
            FinishedOnKey: "",
            From: String(call.from),
            To: String(call.to),
        };
        await context.sender.post("gather", action, params, account.token);
    });
}

export function answerMessage(account: Account, message: Resource, context: AnswerContext): void {
    const answer = context.answers.messages;
    if (!answer || (answer.to !== undefined && answer.to !== message.to)) return;
    context.sender.run(async (wait) => {
        await wait(answer.delayMs ?? context.delayMs);
        const params = incomingMessageParams(account.sid, { from: String(message.to), to: String(message.from), body: answer.body });
        await context.sender.post("incoming-message", answer.url, params, account.token);
    });
}
