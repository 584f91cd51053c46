/**
 * The textual formats of Twilio parameters, as regular expressions the runtime validates with and the
 * editor (which gets their source) marks bad input with.
 */
import type { AddressForm, OperationSpec } from "./types";

const E164 = String.raw`\+[1-9]\d{1,14}`; // + and 2 to 15 digits, no leading zero

const ADDRESS_FORMS: Readonly<Record<AddressForm, string>> = {
    e164: E164,
    client: String.raw`client:[\w.@-]{1,121}`,
    sip: String.raw`sips?:[^\s@:;]+@[A-Za-z0-9.-]+(?::\d{1,5})?(?:[;?]\S*)?`,
    whatsapp: `whatsapp:${E164}`,
    // up to 11 letters, digits and spaces with at least one letter (Twilio's alphanumeric sender ID rules)
    alphanumeric: String.raw`(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11}`,
};

export function addressPattern(forms: readonly AddressForm[]): RegExp {
    return new RegExp(`^(?:${forms.map((form) => ADDRESS_FORMS[form]).join("|")})$`);
}

/**
 * A Sid is the only user value that goes into the URL path: the reference spec's ^[0-9a-zA-Z]{34}$, narrowed to
 * Twilio's own form (two-letter type prefix, 32 hex digits) so that a Sid of the wrong kind is caught here.
 */
export function sidPattern(prefixes: readonly string[]): RegExp {
    return new RegExp(`^(?:${prefixes.join("|")})[0-9a-fA-F]{32}$`);
}

/** A non-negative decimal with at most `scale` digits after the point, e.g. 0.0075 for scale 4. */
export function decimalPattern(scale: number): RegExp {
    return new RegExp(`^\\d+(?:\\.\\d{1,${scale}})?$`);
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A close approximation of isHttpUrl for the editor, which has no URL parsing of its own to rely on. */
export const URL_PATTERN = /^https?:\/\/[^\s/?#_]+(?:[/?#]\S*)?$/;

/** Absolute http(s) URL whose hostname has no underscore (Twilio refuses those). */
export function isHttpUrl(value: string): boolean {
    if (/\s/.test(value)) return false;
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return false;
    }
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && !url.hostname.includes("_");
}

/** YYYY-MM-DD naming a day that exists. */
export function isCalendarDate(value: string): boolean {
    if (!DATE_PATTERN.test(value)) return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * The next_page_uri Twilio gives for a list operation: its path, with the Sids the path carries captured in
 * the order of op.path's placeholders, and any query.
 */
export function pageUriPattern(op: OperationSpec): { pattern: RegExp; names: string[] } {
    const names: string[] = [];
    const path = op.path.replace(/[.]/g, "\\.").replace(/\{(\w+)\}/g, (_, name: string) => {
        const spec = op.params.find((param) => param.name === name);
        if (spec?.kind !== "sid") throw new Error(`${op.name}: path placeholder ${name} is not a Sid parameter`);
        names.push(name);
        return `(${sidPattern(spec.prefixes).source.slice(1, -1)})`;
    });
    return { pattern: new RegExp(`^${path}(?:\\?(.*))?$`), names };
}
