/**
 * Sentences for validation failures, built from the catalog and the message catalog (RED._), so that an
 * error says which parameter is wrong and what it should be.
 */
import type { OperationSpec, ParamSpec } from "../catalog/types";
import type { Translate } from "./translate";
import type { ValidationIssue } from "./validate";


const PREVIEW_LENGTH = 60;

/** What a parameter accepts, e.g. "a phone number in E.164 format such as +16175551212 or a client identifier ...". */
export function describeExpected(spec: ParamSpec, t: Translate): string {
    switch (spec.kind) {
        case "address":
            return spec.forms.map((form) => t(`twilio.expected.${form}`)).join(t("twilio.expected.or"));
        case "url":
            return spec.maxItems ? t("twilio.expected.urlList", { max: spec.maxItems }) : t("twilio.expected.url");
        case "enum": {
            if (spec.values.length === 1 && !spec.multiple) return t("twilio.expected.exactly", { value: spec.values[0] });
            const values = spec.values.join(t("twilio.expected.separator"));
            return t(spec.multiple ? "twilio.expected.enumList" : "twilio.expected.enum", { values });
        }
        case "text":
            if (spec.secret) return t("twilio.expected.secret");
            if (spec.pattern) return t("twilio.expected.pattern", { pattern: spec.pattern.source, max: spec.maxLength ?? "" });
            return spec.maxLength ? t("twilio.expected.textMax", { max: spec.maxLength }) : t("twilio.expected.text");
        case "integer":
            return spec.min !== undefined && spec.max !== undefined
                ? t("twilio.expected.integerRange", { min: spec.min, max: spec.max })
                : t("twilio.expected.integer");
        case "boolean":
            return t("twilio.expected.boolean");
        case "decimal":
            return t("twilio.expected.decimal", { scale: spec.scale });
        case "date":
            return t("twilio.expected.date");
        case "datetime":
            return t("twilio.expected.datetime");
        case "sid":
            return t("twilio.expected.sid", { prefixes: spec.prefixes.join(t("twilio.expected.or")) });
        case "json":
            return t("twilio.expected.json");
        case "pageUri":
            return t("twilio.expected.pageUri");
    }
}

/** A short, safe rendering of a bad value: JSON, cut to a readable length. */
export function preview(value: unknown): string {
    let text: string;
    try {
        text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
    } catch {
        text = Object.prototype.toString.call(value);
    }
    return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}

export function describeIssue(issue: ValidationIssue, op: OperationSpec, t: Translate): string {
    const operation = op.name;
    switch (issue.reason) {
        case "unknown":
            return issue.suggestion
                ? t("twilio.errors.unknownParameter", { operation, param: issue.param, suggestion: issue.suggestion })
                : t("twilio.errors.unknownParameterNoSuggestion", {
                      operation,
                      param: issue.param,
                      names: op.params.map((spec) => spec.name).join(", "),
                  });
        case "missing":
            return t("twilio.errors.missingParameter", {
                operation,
                param: issue.param,
                expected: describeExpected(issue.spec, t),
            });
        case "missingOneOf":
            return t("twilio.errors.missingOneOf", { operation, names: issue.names.join(t("twilio.expected.or")) });
        case "missingDependency":
            return t("twilio.errors.missingDependency", { param: issue.param, names: issue.names.join(t("twilio.expected.and")) });
        case "invalid": {
            const expected = describeExpected(issue.spec, t);
            if (issue.spec.kind === "text" && issue.spec.secret) {
                return t("twilio.errors.invalidSecret", { param: issue.param, expected });
            }
            return t("twilio.errors.invalidParameter", { param: issue.param, expected, got: preview(issue.got) });
        }
        case "specOnlyValue":
            return t("twilio.errors.specOnlyValue", { param: issue.param, value: issue.got, values: issue.spec.values.join(t("twilio.expected.or")) });
        case "tokenWithoutAccount":
            return t("twilio.errors.tokenWithoutAccount");
    }
}
