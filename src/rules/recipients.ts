/**
 * Several recipients in one To, and the destinations an account may send to. A rule: no Node-RED, no runtime
 * imports.
 */

/** The most recipients one message may name; each becomes a request of its own. */
export const MAX_RECIPIENTS = 50;

/** A SIP address, whose parameters follow semicolons: sip:alice@example.com;transport=tls. */
const SIP_ADDRESS = /^\s*sips?:/i;

/** What a recipient starts with; after a SIP address, a piece after a semicolon that does not is its parameter. */
const RECIPIENT_START = /^\s*(?:[+(\d]|whatsapp:|client:|sips?:)/i;

/** What separates recipients in a text: commas, semicolons, new lines (spaces belong to numbers). */
const SEPARATORS = /[,;\r\n]/;

/**
 * The recipients a To names when it is a list: an array, or text with a separator. A single recipient (text
 * without separator, or anything else) gives undefined: the message is sent as it is, with no msg.parts.
 * Blank entries ("a, b,") are dropped; entries are trimmed.
 */
export function recipientList(to: unknown): unknown[] | undefined {
    if (Array.isArray(to)) return to.filter((entry) => !(typeof entry === "string" && entry.trim() === "")).map(trimmed);
    if (typeof to !== "string") return undefined;
    // one recipient, as nearly every message has: nothing to split (this ran for every message)
    if (!SEPARATORS.test(to)) return undefined;
    const entries: string[] = [];
    // separated by commas, semicolons or new lines (spaces belong to numbers)
    for (const line of to.split(/[,\r\n]/)) {
        line.split(";").forEach((piece, i) => {
            const last = entries.length - 1;
            // sip:alice@example.com;transport=tls is one address
            if (i > 0 && SIP_ADDRESS.test(entries[last]) && !RECIPIENT_START.test(piece)) entries[last] += `;${piece}`;
            else entries.push(piece);
        });
    }
    if (entries.length === 1) return undefined;
    return entries.map((entry) => entry.trim()).filter((entry) => entry !== "");
}

function trimmed(entry: unknown): unknown {
    return typeof entry === "string" ? entry.trim() : entry;
}

/**
 * The recipients once each, in the order of their first appearance: the list as normalised, so that
 * "+49 171 2345678" and "0171 2345678" (with default country DE) are sent once. Values that are not text are
 * never merged (each is refused on its own).
 */
export function distinctRecipients<T>(recipients: readonly T[], keyOf: (recipient: T) => unknown): T[] {
    const seen = new Set<string>();
    return recipients.filter((recipient) => {
        const key = keyOf(recipient);
        if (typeof key !== "string") return true;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/** One entry of allowedDestinations: a prefix of an E.164 number, or of a client:/sip: address. */
export const DESTINATION_ENTRY = /^(?:\+[1-9]\d{0,14}|client:\S*|sips?:\S*)$/;

/** Entries of the setting are separated by commas, semicolons, spaces or new lines. */
const DESTINATION_SEPARATOR = /[\s,;]+/;

export type DestinationRule =
    /** Blank setting: any destination. */
    | { kind: "any" }
    | { kind: "only"; entries: readonly string[]; text: string }
    /** An entry that is neither: nothing may be sent until the setting is corrected. */
    | { kind: "unusable"; entry: string; text: string };

/**
 * Reads the account's allowedDestinations, e.g. "+1 +49 +4930123456 client:". An entry is a prefix: "+49"
 * admits every German number, "+4930123456" that number (and longer ones that start with it), "client:" every
 * client identifier, "sip:" every SIP address. A setting with an unusable entry admits nothing (fails closed).
 */
export function parseDestinations(setting: unknown): DestinationRule {
    const text = typeof setting === "string" ? setting.trim() : "";
    if (text === "") return { kind: "any" };
    const entries = text.split(DESTINATION_SEPARATOR).filter(Boolean);
    const bad = entries.find((entry) => !DESTINATION_ENTRY.test(entry));
    if (bad !== undefined) return { kind: "unusable", entry: bad, text };
    return { kind: "only", entries, text };
}

/** The address an allowedDestinations entry is compared with: a WhatsApp address counts as its number. */
export function destinationOf(to: string): string {
    return to.replace(/^whatsapp:/, "");
}

/** Whether a normalised To (E.164, whatsapp:+E.164, client:, sip:) is one the rule admits. */
export function isAllowedDestination(rule: DestinationRule, to: string): boolean {
    if (rule.kind === "any") return true;
    if (rule.kind === "unusable") return false;
    const destination = destinationOf(to);
    return rule.entries.some((entry) => destination.startsWith(entry));
}
