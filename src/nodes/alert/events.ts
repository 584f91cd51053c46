/**
 * The alert node's one output: a message per event, msg.event one of ALERT_EVENTS, msg.topic the alarm's key,
 * msg.payload its text, msg.alarm {code, raisedAt, repeats, step}; and per event: notified msg.contact,
 * msg.channel, msg.sid; escalated msg.contact, msg.channel, msg.round; acknowledged msg.by, msg.how ("sms" or
 * "keypress"); failed msg.contact, msg.channel and msg.error, the error object {type, error, status} the other
 * nodes put out.
 */
import type { NodeMessage } from "node-red";
import type { RequestError } from "../../sender/outcome";
import type { Alarm } from "./alarm-state";

export const ALERT_EVENTS = ["raised", "notified", "repeated", "escalated", "acknowledged", "cleared", "exhausted", "failed"] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export interface AlertMessage extends NodeMessage {
    event: AlertEvent;
    topic: string;
    payload: string;
    alarm: { code: string; raisedAt: number; repeats: number; step: number };
    contact?: { name: string; number: string };
    channel?: "sms" | "call";
    round?: number;
    sid?: string;
    by?: { name: string; number: string };
    how?: "sms" | "keypress";
    error?: RequestError;
    /** repeated: "open" while the alarm escalates, "cooldown" after it was acknowledged or cleared. */
    state?: "open" | "cooldown";
}

export function eventMessage(event: AlertEvent, alarm: Alarm, extra: Partial<AlertMessage> = {}): AlertMessage {
    return {
        event,
        topic: alarm.key,
        payload: alarm.text,
        alarm: { code: alarm.code, raisedAt: alarm.raisedAt, repeats: alarm.repeats, step: alarm.step },
        ...extra,
    };
}
