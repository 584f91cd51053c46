/**
 * A twilio-alert node's settings as the flow holds them (written by the dialog, by hand or by tools), read and
 * checked once at deploy: the contacts' numbers in E.164 (the account's default country) and admitted by its
 * allowed destinations, the waits in ms. A problem is one sentence naming the setting, what was expected and what
 * to do.
 */
import type { NodeDef } from "node-red";
import { looksLikeNumber, toE164 } from "../../rules/phone-numbers";
import type { RecipientRules } from "../../rules/recipient-settings";
import { isAllowedDestination } from "../../rules/recipients";
import type { Translate } from "../../rules/translate";

export interface AlertNodeConfig extends NodeDef {
    account: string;
    /** The twilio-webhook node that receives replies and keypresses. */
    webhook: string;
    from: string;
    contacts: unknown;
    /** Minutes (fractional allowed) before the next step. */
    ackWait: unknown;
    rounds: unknown;
    /** Minutes after an acknowledgement or clear before the same key raises a new alarm. */
    cooldown: unknown;
    /** Whether the contacts already notified get an SMS when the alarm is cleared. */
    notifyClear?: unknown;
}

export interface Contact {
    name: string;
    /** E.164. */
    number: string;
    sms: boolean;
    call: boolean;
}

export type Channel = "sms" | "call";

/** One step of the escalation: one contact, one channel. */
export interface Step {
    contact: Contact;
    channel: Channel;
    round: number;
}

export interface AlertSettings {
    from: string;
    contacts: Contact[];
    ackWaitMs: number;
    rounds: number;
    cooldownMs: number;
    notifyClear: boolean;
    /** Every step of every round, in order. */
    steps: Step[];
}

export const ALERT_DEFAULTS = { ackWait: 5, rounds: 2, cooldown: 10 } as const;
/** A contact list is for people on call: a longer one is a mistake (a pasted directory). */
export const MAX_CONTACTS = 20;
export const MAX_ROUNDS = 10;

const flag = (value: unknown) => value === true || value === "true";

function minutes(value: unknown, fallback: number): number {
    return value === undefined || value === "" || value === null ? fallback : Number(value);
}

/** The settings, or the sentence saying what is wrong. */
export function readAlertSettings(config: AlertNodeConfig, rules: RecipientRules, t: Translate): AlertSettings | string {
    const problem = (key: string, values: Record<string, string | number> = {}) => t(`twilio.alert.errors.${key}`, values);
    const fromText = typeof config.from === "string" ? config.from.trim() : "";
    if (!fromText || !looksLikeNumber(fromText, rules.defaultCountry)) return problem("from", { got: fromText });
    const from = toE164(fromText, rules.defaultCountry);
    if (!from.ok) return problem("from", { got: fromText });

    let list = config.contacts;
    if (typeof list === "string") {
        try {
            list = JSON.parse(list) as unknown;
        } catch {
            return problem("contacts");
        }
    }
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CONTACTS) return problem("contacts", { max: MAX_CONTACTS });
    const contacts: Contact[] = [];
    for (const [index, item] of list.entries()) {
        const entry = (item ?? {}) as Record<string, unknown>;
        const name = typeof entry.name === "string" && entry.name.trim() ? entry.name.trim() : `#${index + 1}`;
        const text = typeof entry.number === "string" ? entry.number.trim() : "";
        const number = text && looksLikeNumber(text, rules.defaultCountry) ? toE164(text, rules.defaultCountry) : undefined;
        if (!number?.ok) return problem("contactNumber", { contact: name, got: text });
        if (!isAllowedDestination(rules.destinations, number.value)) return problem("contactNotAllowed", { contact: name, number: number.value });
        const sms = flag(entry.sms);
        const call = flag(entry.call);
        if (!sms && !call) return problem("contactChannel", { contact: name });
        contacts.push({ name, number: number.value, sms, call });
    }

    const ackWait = minutes(config.ackWait, ALERT_DEFAULTS.ackWait);
    if (!Number.isFinite(ackWait) || ackWait <= 0) return problem("ackWait", { got: String(config.ackWait) });
    const rounds = minutes(config.rounds, ALERT_DEFAULTS.rounds);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) return problem("rounds", { got: String(config.rounds), max: MAX_ROUNDS });
    const cooldown = minutes(config.cooldown, ALERT_DEFAULTS.cooldown);
    if (!Number.isFinite(cooldown) || cooldown < 0) return problem("cooldown", { got: String(config.cooldown) });

    const steps: Step[] = [];
    for (let round = 1; round <= rounds; round++) {
        for (const contact of contacts) {
            if (contact.sms) steps.push({ contact, channel: "sms", round });
            if (contact.call) steps.push({ contact, channel: "call", round });
        }
    }
    return { from: from.value, contacts, ackWaitMs: ackWait * 60_000, rounds, cooldownMs: cooldown * 60_000, notifyClear: flag(config.notifyClear), steps };
}
