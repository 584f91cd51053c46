/**
 * The To and From of a request as people write them, brought to the form Twilio takes before validation: a phone
 * number (also the one inside whatsapp:) becomes E.164; client: and sip: addresses and alphanumeric sender IDs
 * are left as they are. A rule: no Node-RED, no runtime imports.
 */
import type { AddressForm } from "../catalog/types";
import { looksLikeNumber, toE164, type PhoneProblem } from "./phone-numbers";

const WHATSAPP = /^\s*whatsapp:/i;

export type AddressResult = { ok: true; value: unknown } | { ok: false; problem: PhoneProblem; country?: string };

/**
 * `value` normalised for a parameter that accepts `forms`. Anything that is not written as a phone number
 * (not text, letters in it, or national without a default country) comes back unchanged, for validation to
 * judge; a phone number that cannot be one is refused with the reason.
 */
export function normaliseAddress(value: unknown, forms: readonly AddressForm[], defaultCountry?: string): AddressResult {
    if (typeof value !== "string") return { ok: true, value };
    if (forms.includes("whatsapp") && WHATSAPP.test(value)) {
        const number = value.replace(WHATSAPP, "");
        if (!looksLikeNumber(number, defaultCountry)) return { ok: true, value };
        const result = toE164(number, defaultCountry);
        return result.ok ? { ok: true, value: `whatsapp:${result.value}` } : result;
    }
    if (!forms.includes("e164") || !looksLikeNumber(value, defaultCountry)) return { ok: true, value };
    return toE164(value, defaultCountry);
}
