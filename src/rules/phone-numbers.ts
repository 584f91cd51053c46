/**
 * Phone numbers as people write them - "0171 2345678", "(617) 555-1212", "0049 171 2345678",
 * "+49 (0)171 2345678" - turned into the E.164 form Twilio takes, with libphonenumber-js (Google's
 * libphonenumber rules and metadata).
 *
 * A number written with its country code (+ or 00) is checked for a possible length only (isPossible): the
 * metadata on a gateway ages for years, and a range opened since must not hold an alarm back; Twilio's 21211
 * answers the truly invalid ones. A number written nationally is read with the default country's numbering plan
 * (isValid, which needs the "max" metadata set): without its ranges the country code could not be told.
 *
 * A rule: no Node-RED, no runtime imports.
 */
import type { CountryCode } from "libphonenumber-js/max";
import { dependency } from "./dependency";

const phoneNumbers = dependency<typeof import("libphonenumber-js/max")>("libphonenumber-js/max");

/** Why a value written as a phone number is not one. The message catalog has a sentence for each. */
export type PhoneProblem = "TOO_SHORT" | "TOO_LONG" | "INVALID_LENGTH" | "INVALID_COUNTRY" | "NOT_A_NUMBER" | "NOT_IN_PLAN";

export type PhoneResult =
    | { ok: true; value: string }
    /** `country`: the country (ISO alpha-2) or calling code (+49) the number was read as, when known. */
    | { ok: false; problem: PhoneProblem; country?: string };

/**
 * Text that is written as a phone number and nothing else: digits with spaces, dashes, dots, slashes and
 * parentheses, a leading + or none. Letters (vanity numbers, extensions, "client:alice", sender IDs such as
 * "ACME") are never read as a number: such a value is left for the ordinary validation to accept or refuse.
 */
// linear on any input (it meets 20,000-character payloads): the first character after the spaces decides
// the branch, and the digit is found by a lookahead; \s includes the no-break space
const WRITTEN_NUMBER = /^(?=\D*\d)\s*(?:\+|[\d().\/-])[\d\s().\/-]*$/;

/** Digits with a country code: a leading +, or the international prefix 00. */
const WITH_COUNTRY_CODE = /^\s*(?:\+|00)/;

/** The source of WRITTEN_NUMBER, for the editor: a literal value of this form is checked at runtime. */
export const WRITTEN_NUMBER_SOURCE = WRITTEN_NUMBER.source.slice(1, -1);

/** Whether `country` is an ISO 3166-1 alpha-2 code libphonenumber knows a numbering plan for. */
export function isKnownCountry(country: string): boolean {
    return /^[A-Z]{2}$/.test(country) && phoneNumbers().isSupportedCountry(country);
}

/** Every country code with a numbering plan, for the editor's check of the default country. */
export function knownCountries(): string[] {
    return phoneNumbers().getCountries();
}

/** Whether a value is written as a phone number (see WRITTEN_NUMBER) and so is normalised. */
export function looksLikeNumber(value: string, defaultCountry?: string): boolean {
    return WRITTEN_NUMBER.test(value) && (defaultCountry !== undefined || WITH_COUNTRY_CODE.test(value));
}

/**
 * E.164 for a number written with a country code, or nationally when `defaultCountry` is given. Call only with
 * text for which looksLikeNumber is true. A number that cannot exist (too short, too long, unknown country
 * code) is refused, saying why; so is a national number outside every range of its country's numbering plan.
 */
export function toE164(text: string, defaultCountry?: string): PhoneResult {
    // parsing and checking the plan takes 30 to 60 µs; a flow sends to the same few numbers again and again
    const key = `${defaultCountry ?? ""} ${text}`;
    const cached = parsedNumbers.get(key);
    if (cached) return cached;
    const result = Object.freeze(parseNumber(text, defaultCountry));
    if (parsedNumbers.size >= PARSED_NUMBERS_SIZE) parsedNumbers.delete(parsedNumbers.keys().next().value as string);
    parsedNumbers.set(key, result);
    return result;
}

const PARSED_NUMBERS_SIZE = 1024;
const parsedNumbers = new Map<string, PhoneResult>();

function parseNumber(text: string, defaultCountry?: string): PhoneResult {
    const country = defaultCountry as CountryCode | undefined;
    // 00 is the international prefix of most countries, and no national number starts with it: read as +
    // whatever the default country ("011 44 ..." from North America works with defaultCountry US or CA)
    const written = text.replace(/^\s*00/, "+");
    const { parsePhoneNumberWithError, validatePhoneNumberLength } = phoneNumbers();
    const length = validatePhoneNumberLength(written, country);
    if (length) return { ok: false, problem: length, country: defaultCountry };
    let number;
    try {
        number = parsePhoneNumberWithError(written, country);
    } catch (err) {
        const problem = (err as Error).message as PhoneProblem;
        return { ok: false, problem: PROBLEMS.has(problem) ? problem : "NOT_A_NUMBER", country: defaultCountry };
    }
    const international = written.trimStart().startsWith("+");
    if (international ? !number.isPossible() : !number.isValid()) {
        return { ok: false, problem: international ? "INVALID_LENGTH" : "NOT_IN_PLAN", country: number.country ?? `+${number.countryCallingCode}` };
    }
    return { ok: true, value: number.number };
}

const PROBLEMS = new Set<PhoneProblem>(["TOO_SHORT", "TOO_LONG", "INVALID_LENGTH", "INVALID_COUNTRY", "NOT_A_NUMBER"]);
