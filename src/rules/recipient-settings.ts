/**
 * The account settings about recipients, read once per deploy: allowedDestinations and defaultCountry. A
 * setting that cannot be used admits nothing rather than everything. A rule: no Node-RED, no runtime imports.
 */
import type { AddressParam, OperationSpec } from "../catalog/types";
import { isKnownCountry } from "./phone-numbers";
import type { Translate } from "./translate";
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

/** The parameters of an operation that take an address (a phone number, client:, sip:, whatsapp:). */
const addressParamsOf = new WeakMap<OperationSpec, AddressParam[]>();

/** An operation's address parameters (asked for every message: found once per operation). */
export function addressParams(op: OperationSpec): AddressParam[] {
    let specs = addressParamsOf.get(op);
    if (!specs) addressParamsOf.set(op, (specs = op.params.filter((spec): spec is AddressParam => spec.kind === "address")));
    return specs;
}

/**
 * The ConfigError sentence of an account whose recipient settings cannot be used, if they cannot: for `op`,
 * the settings it uses (allowedDestinations for a create with a recipient, defaultCountry for phone numbers);
 * without `op`, all of them (the account node's own report at deploy).
 */
export function recipientSettingsProblem(rules: RecipientRules, t: Translate, op?: OperationSpec): string | undefined {
    const specs = op ? addressParams(op) : undefined;
    const hasRecipient = !specs || specs.some((spec) => spec.destination);
    const hasPhoneNumber = !specs || specs.some((spec) => spec.forms.includes("e164"));
    if (hasRecipient && rules.destinations.kind === "unusable") {
        return t("twilio.recipients.errors.badDestinations", { entry: rules.destinations.entry });
    }
    if (hasPhoneNumber && rules.unknownCountry !== undefined) {
        return t("twilio.recipients.errors.badCountry", { country: rules.unknownCountry });
    }
    return undefined;
}
