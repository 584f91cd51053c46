/**
 * Acknowledgements as Twilio brings them to the webhook node: an SMS reply "ACK" or "ACK <code>" (any case, words
 * after the code ignored), or the digit pressed during the alarm call (<Gather>, whose action URL names the node
 * and the alarm's code). Who acknowledges is the number that was notified: the SMS's From, the called number (To)
 * of the call. A number the alarm did not reach acknowledges nothing.
 */
import { wasNotified, type Alarm, type Notified } from "./alarm-state";

/** The query parameters of the <Gather> action URL. */
export const GATHER_NODE_PARAM = "twilioAlert";
export const GATHER_CODE_PARAM = "alarm";
/** The digit that acknowledges during the call. */
export const ACK_DIGIT = "1";

const ACK_TEXT = /^\s*ack\b[\s.,:;!-]*([0-9]+)?/i;

/** Whether an SMS body is an acknowledgement, and the code it names (undefined: none). */
export function parseAckText(body: string | undefined): { code?: string } | undefined {
    const match = ACK_TEXT.exec(body ?? "");
    return match ? { code: match[1] } : undefined;
}

export type AckMatch =
    | { ok: true; alarm: Alarm; by: Notified }
    /** notNotified: the number reached no open alarm; whichOne: several, and no (known) code; unknownCode. */
    | { ok: false; problem: "notNotified" | "whichOne" | "unknownCode"; codes: string[] };

/** The open alarm an SMS from `number` acknowledges, with the code it named if any. */
export function matchSmsAck(open: Alarm[], number: string, code: string | undefined): AckMatch {
    const reached = open.filter((alarm) => wasNotified(alarm, number));
    const codes = reached.map((alarm) => alarm.code);
    if (reached.length === 0) return { ok: false, problem: "notNotified", codes };
    if (code !== undefined) {
        const named = reached.find((alarm) => alarm.code === code);
        return named ? { ok: true, alarm: named, by: wasNotified(named, number)! } : { ok: false, problem: "unknownCode", codes };
    }
    if (reached.length > 1) return { ok: false, problem: "whichOne", codes };
    return { ok: true, alarm: reached[0], by: wasNotified(reached[0], number)! };
}

/** The open alarm a keypress acknowledges: the one the call was about, if it reached the called number. */
export function matchKeypress(open: Alarm[], number: string, code: string): AckMatch {
    const alarm = open.find((one) => one.code === code);
    if (!alarm) return { ok: false, problem: "unknownCode", codes: [] };
    const by = wasNotified(alarm, number);
    return by ? { ok: true, alarm, by } : { ok: false, problem: "notNotified", codes: [] };
}
