/**
 * The account settings about recipients, read once per deploy: allowedDestinations and defaultCountry. A
 * setting that cannot be used admits nothing rather than everything. A rule: no Node-RED, no runtime imports.
 */
import { isKnownCountry } from "./phone-numbers";
import { parseDestinations, type DestinationRule } from "./recipients";

export interface RecipientSettings {
    /** E.164 prefixes and exact numbers, client: and sip:, separated by commas or spaces; blank: any. */
    allowedDestinations?: string;
    /** ISO 3166-1 alpha-2, e.g. DE: numbers written nationally are read as that country's. */
    defaultCountry?: string;
}

export interface RecipientRules {
    destinations: DestinationRule;
    /** Upper case, known to libphonenumber; undefined when blank. */
    defaultCountry?: string;
    /** The default country as given, when it is not one: numbers are not sent until it is corrected. */
    unknownCountry?: string;
}

export function recipientRules(settings: RecipientSettings): RecipientRules {
    const destinations = parseDestinations(settings.allowedDestinations);
    const country = typeof settings.defaultCountry === "string" ? settings.defaultCountry.trim().toUpperCase() : "";
    if (country === "") return { destinations };
    if (!isKnownCountry(country)) return { destinations, unknownCountry: String(settings.defaultCountry) };
    return { destinations, defaultCountry: country };
}
