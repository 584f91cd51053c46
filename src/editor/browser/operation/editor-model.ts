/**
 * The catalog as the operation nodes' editor needs it, made in the browser: per operation, the fields to show,
 * their typedInput types, defaults and the pattern that marks bad input red before deploy.
 */
import { operationsOf } from "../../../catalog/operations";
import { addressPattern, DATE_PATTERN, decimalPattern, sidPattern, URL_PATTERN } from "../../../catalog/patterns";
import { takesStatusCallback } from "../../../catalog/status-callback";
import type { AddressParam, CollectionName, OperationSpec, ParamSpec } from "../../../catalog/types";
import { WRITTEN_NUMBER_SOURCE } from "../../../rules/phone-numbers";

/** Texts (help, summaries) are not here: the editor takes them from the message catalog, in the user's language. */
export interface EditorField {
    name: string;
    required: boolean;
    default?: string | number;
    /** typedInput types; "option" is a dropdown of `options`. */
    types: string[];
    defaultType: string;
    options?: string[];
    multiple?: boolean;
    /** Source of a RegExp a literal value must match; min/max bound a number. */
    pattern?: string;
    min?: number;
    max?: number;
}

export interface EditorOperation {
    name: string;
    fields: EditorField[];
    requireOneOf: readonly (readonly string[])[];
    /** The operation takes a StatusCallback, which the node's status webhook setting can fill in. */
    statusWebhook: boolean;
    /** The parameter sent as SMS segments (postMessage: Body): counted under its field, capped by maxSegments. */
    smsText?: string;
}

const DYNAMIC = ["msg", "flow", "global", "env", "jsonata"];

/**
 * What a literal address field may hold before deploy: the exact forms, and for phone numbers also a number as
 * people write it (the account's default country decides at runtime); for a recipient, a list of them.
 */
function addressFieldPattern(spec: AddressParam): string {
    const forms = [addressPattern(spec.forms).source.slice(1, -1)];
    if (spec.forms.includes("e164")) forms.push(WRITTEN_NUMBER_SOURCE);
    if (spec.forms.includes("whatsapp")) forms.push(`\\s*whatsapp:${WRITTEN_NUMBER_SOURCE}`);
    const one = `\\s*(?:${forms.join("|")})\\s*`;
    return spec.destination ? `^${one}(?:[,;\\n]${one})*[,;\\s]*$` : `^${one}$`;
}

function editorField(spec: ParamSpec): EditorField {
    const field: EditorField = {
        name: spec.name,
        required: spec.required === true,
        types: ["str", ...DYNAMIC],
        defaultType: "str",
    };
    if (spec.default !== undefined) field.default = spec.default;
    switch (spec.kind) {
        case "address":
            field.pattern = addressFieldPattern(spec);
            break;
        case "sid":
            field.pattern = sidPattern(spec.prefixes).source;
            break;
        case "date":
            field.pattern = DATE_PATTERN.source;
            break;
        case "url":
            field.pattern = URL_PATTERN.source;
            if (spec.maxItems) field.types = ["str", "json", ...DYNAMIC];
            break;
        case "text":
            if (spec.secret) {
                // never typed into the flow: only references to where the secret is kept
                field.types = ["env", "msg", "flow", "global"];
                field.defaultType = "env";
            } else if (spec.pattern) {
                field.pattern = spec.pattern.source;
            }
            if (spec.maxLength) field.max = spec.maxLength;
            break;
        case "integer":
            field.types = ["num", ...DYNAMIC];
            field.defaultType = "num";
            field.min = spec.min;
            field.max = spec.max;
            break;
        case "decimal":
            field.pattern = decimalPattern(spec.scale).source;
            break;
        case "enum":
        case "boolean":
            field.options = spec.kind === "enum" ? [...spec.values] : ["true", "false"];
            field.multiple = spec.kind === "enum" && spec.multiple === true;
            field.types = ["option", ...DYNAMIC];
            field.defaultType = "option";
            break;
        case "json":
            field.types = ["json", ...DYNAMIC];
            field.defaultType = "json";
            break;
        case "datetime":
        case "pageUri":
            break;
    }
    return field;
}

function editorOperation(op: OperationSpec): EditorOperation {
    return {
        name: op.name,
        fields: op.params.map(editorField),
        requireOneOf: op.requireOneOf ?? [],
        statusWebhook: takesStatusCallback(op),
        ...(op.smsText && { smsText: op.smsText }),
    };
}

export function editorModel(collection: CollectionName): EditorOperation[] {
    return operationsOf(collection).map(editorOperation);
}

/** Whether some operation of the collection takes a StatusCallback: its nodes then have the status webhook setting. */
export function hasStatusWebhook(collection: CollectionName): boolean {
    return operationsOf(collection).some(takesStatusCallback);
}

/** Whether some operation of the collection sends SMS text: its nodes then have maxSegments, smartEncoding and the counter. */
export function hasSmsText(collection: CollectionName): boolean {
    return operationsOf(collection).some((op) => op.smsText !== undefined);
}

/** Every parameter name the collection's operations use: one node property (and one type property) each. */
export function fieldNames(collection: CollectionName): string[] {
    return [...new Set(operationsOf(collection).flatMap((op) => op.params.map((spec) => spec.name)))];
}
