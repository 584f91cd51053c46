/**
 * A twilio-alert node's settings as the flow holds them (written by the dialog, by hand or by tools), read and
 * checked: at deploy by the runtime, and property by property by the dialog. The contacts' numbers come out in
 * E.164 (the account's default country) and admitted by its allowed destinations, the waits in ms. A problem is
 * one sentence naming the setting, what was expected and what to do. A rule: no Node-RED, no runtime imports.
 */
import { looksLikeNumber } from "./phone-numbers";
import type { RecipientRules } from "./recipient-settings";
import { isAllowedDestination } from "./recipients";
import type { Translate } from "./translate";

export interface AlertConfig {
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

/** The setting a problem is about (a property of AlertConfig). */
export type AlertSetting = "from" | "contacts" | "ackWait" | "rounds" | "cooldown";

export type AlertSettingsResult = { ok: true; settings: AlertSettings } | { ok: false; setting: AlertSetting; problem: string };

/**
 * A number written by a person to E.164 (undefined: not a number). The runtime passes phone-numbers.ts' toE164;
 * the editor a lighter reading, as libphonenumber's metadata stays out of the editor.
 */
export type NumberReader = (text: string, defaultCountry?: string) => string | undefined;

/** The settings, or the first setting that is wrong and the sentence saying what is wrong with it. */
export function readAlertSettings(config: AlertConfig, rules: RecipientRules, t: Translate, toE164: NumberReader): AlertSettingsResult {
    let setting: AlertSetting = "from";
    const problem = (key: string, values: Record<string, string | number> = {}): AlertSettingsResult => ({ ok: false, setting, problem: t(`twilio.alert.errors.${key}`, values) });
    const fromText = typeof config.from === "string" ? config.from.trim() : "";
    if (!fromText || !looksLikeNumber(fromText, rules.defaultCountry)) return problem("from", { got: fromText });
    const from = toE164(fromText, rules.defaultCountry);
    if (from === undefined) return problem("from", { got: fromText });

    setting = "contacts";
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
        if (number === undefined) return problem("contactNumber", { contact: name, got: text });
        if (!isAllowedDestination(rules.destinations, number)) return problem("contactNotAllowed", { contact: name, number });
        const sms = flag(entry.sms);
        const call = flag(entry.call);
        if (!sms && !call) return problem("contactChannel", { contact: name });
        contacts.push({ name, number, sms, call });
    }

    setting = "ackWait";
    const ackWait = minutes(config.ackWait, ALERT_DEFAULTS.ackWait);
    if (!Number.isFinite(ackWait) || ackWait <= 0) return problem("ackWait", { got: String(config.ackWait) });
    setting = "rounds";
    const rounds = minutes(config.rounds, ALERT_DEFAULTS.rounds);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) return problem("rounds", { got: String(config.rounds), max: MAX_ROUNDS });
    setting = "cooldown";
    const cooldown = minutes(config.cooldown, ALERT_DEFAULTS.cooldown);
    if (!Number.isFinite(cooldown) || cooldown < 0) return problem("cooldown", { got: String(config.cooldown) });

    const steps: Step[] = [];
    for (let round = 1; round <= rounds; round++) {
        for (const contact of contacts) {
            if (contact.sms) steps.push({ contact, channel: "sms", round });
            if (contact.call) steps.push({ contact, channel: "call", round });
        }
    }
    const settings = { from, contacts, ackWaitMs: ackWait * 60_000, rounds, cooldownMs: cooldown * 60_000, notifyClear: flag(config.notifyClear), steps };
    return { ok: true, settings };
}
