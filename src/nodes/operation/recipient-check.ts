/**
 * From one message's parameters to the requests it stands for: To and From normalised to E.164 (the account's
 * defaultCountry), a list of recipients split into one request each (at most 50, duplicates once), and the
 * sentences for what the rules refuse. Each request is then sent on its own (pipeline.ts, sendOne): one
 * recipient, one request, one outcome.
 */
import type { AddressParam, OperationSpec } from "../../catalog/types";
import { credentialsCarried, pageUriAccount } from "../../rules/message-credentials";
import { normaliseAddress, type AddressResult } from "../../rules/addresses";
import { addressParams, recipientSettingsProblem, type RecipientRules } from "../../rules/recipient-settings";
import { distinctRecipients, isAllowedDestination, MAX_RECIPIENTS, recipientList } from "../../rules/recipients";
import type { Translate } from "../../rules/translate";
import type { OperationParams } from "../../rules/validate";
import { describeExpected, preview } from "../../rules/validation-messages";
import { failure, type RequestFailure } from "../../sender/outcome";

/** One recipient's request, or why it cannot be sent. */
export interface RecipientRequest {
    params: OperationParams;
    refused?: RequestFailure;
}

export type RecipientPlan =
    | { ok: false; failure: RequestFailure }
    /** `list`: To named its recipients as a list, so each outcome carries msg.parts. */
    | { ok: true; requests: RecipientRequest[]; list: boolean };

function refusedNumber(spec: AddressParam, got: unknown, result: Extract<AddressResult, { ok: false }>, t: Translate): RequestFailure {
    const reason = t(`twilio.recipients.problems.${result.problem}`, { country: result.country ?? "" });
    return failure(
        "ValidationError",
        t("twilio.recipients.errors.notANumber", { param: spec.name, expected: describeExpected(spec, t), got: preview(got), reason }),
        400,
    );
}

/**
 * The requests a message stands for. A problem of the whole message (the settings, From, too many recipients)
 * fails it as one; a recipient of a list that is not a number fails that recipient only.
 */
export function planRecipients(op: OperationSpec, input: OperationParams, rules: RecipientRules, t: Translate): RecipientPlan {
    const specs = addressParams(op);
    const problem = recipientSettingsProblem(rules, t, op);
    if (problem) return { ok: false, failure: failure("ConfigError", problem, 400) };
    const params: OperationParams = Object.assign(Object.create(null), input);
    let destination: AddressParam | undefined;
    for (const spec of specs) {
        if (spec.destination) {
            destination = spec;
            continue;
        }
        if (params[spec.name] === undefined) continue;
        const result = normaliseAddress(params[spec.name], spec.forms, rules.defaultCountry);
        if (!result.ok) return { ok: false, failure: refusedNumber(spec, params[spec.name], result, t) };
        params[spec.name] = result.value;
    }
    const to = destination && params[destination.name];
    if (!destination || to === undefined) return { ok: true, requests: [{ params }], list: false };

    const list = recipientList(to);
    if (!list || list.length === 0) {
        const result = normaliseAddress(to, destination.forms, rules.defaultCountry);
        if (!result.ok) return { ok: false, failure: refusedNumber(destination, to, result, t) };
        return { ok: true, requests: [{ params: { ...params, [destination.name]: result.value } }], list: false };
    }
    if (list.length > MAX_RECIPIENTS) {
        const sentence = t("twilio.recipients.errors.tooMany", { param: destination.name, count: list.length, max: MAX_RECIPIENTS });
        return { ok: false, failure: failure("ValidationError", sentence, 400) };
    }
    const spec = destination;
    const recipients = list.map((recipient) => ({ recipient, result: normaliseAddress(recipient, spec.forms, rules.defaultCountry) }));
    const requests = distinctRecipients(recipients, ({ recipient, result }) => (result.ok ? result.value : recipient)).map(
        ({ recipient, result }): RecipientRequest => {
            const one = { ...params, [spec.name]: result.ok ? result.value : recipient };
            return result.ok ? { params: one } : { params: one, refused: refusedNumber(spec, recipient, result, t) };
        },
    );
    return { ok: true, requests, list: true };
}

/**
 * The ValidationError of a validated request whose recipient the account's allowedDestinations do not admit,
 * if it does not. Called for each request just before it is sent.
 */
export function refusedDestination(op: OperationSpec, params: OperationParams, rules: RecipientRules, t: Translate): RequestFailure | undefined {
    const spec = addressParams(op).find((param) => param.destination);
    const to = spec && params[spec.name];
    if (typeof to !== "string" || isAllowedDestination(rules.destinations, to)) return undefined;
    const allowed = rules.destinations.kind === "any" ? "" : rules.destinations.text;
    return failure("ValidationError", t("twilio.recipients.errors.notAllowed", { param: spec!.name, got: preview(to), allowed }), 400);
}

/**
 * The ValidationError of a message that carries credentials while its node does not allow it: AccountSid or
 * AuthToken it supplied, or a NextPageUri of another account than `actsOn` (the account the node acts on).
 */
export function refusedCredentials(fromMessage: ReadonlySet<string>, input: OperationParams, actsOn: string | undefined, t: Translate): RequestFailure | undefined {
    const carried = credentialsCarried(fromMessage);
    if (fromMessage.has("NextPageUri")) {
        const named = pageUriAccount(input.NextPageUri);
        if (named !== undefined && named !== actsOn) carried.push("AccountSid (NextPageUri)");
    }
    if (carried.length === 0) return undefined;
    return failure("ValidationError", t("twilio.messageCredentials.refused", { names: carried.join(t("twilio.expected.and")) }), 400);
}

/** msg.parts of one recipient's outcome, as Node-RED's split node sets it for an array, nested in any it had. */
export function recipientParts(id: string, index: number, count: number, outer: unknown): Record<string, unknown> {
    const parts: Record<string, unknown> = { id, index, count, type: "array", len: 1 };
    if (outer !== undefined) parts.parts = outer;
    return parts;
}
