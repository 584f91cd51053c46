/**
 * Validation of an operation's parameters, before anything is sent: one zod schema per operation, built once
 * from the catalog. It returns the parameters normalised for the request (numbers, booleans, lists) or the
 * list of what is wrong, by parameter.
 */
import type { ZodType } from "zod";
import { dependency } from "./dependency";
import { addressPattern, decimalPattern, isCalendarDate, isHttpUrl, pageUriPattern, sidPattern } from "../catalog/patterns";
import type { EnumParam, OperationSpec, ParamSpec } from "../catalog/types";
import { nearestName } from "./nearest-name";

/** An operation's parameters by their catalog (API) names: what a node validates and sends. */
export type OperationParams = Record<string, unknown>;

export type ValidationIssue =
    | { reason: "unknown"; param: string; suggestion?: string }
    | { reason: "missing"; param: string; spec: ParamSpec }
    | { reason: "missingOneOf"; names: readonly string[] }
    | { reason: "missingDependency"; param: string; names: readonly string[] }
    | { reason: "invalid"; param: string; spec: ParamSpec; got: unknown }
    | { reason: "specOnlyValue"; param: string; spec: EnumParam; got: string }
    | { reason: "tokenWithoutAccount" };

export type Validation = { ok: true; params: OperationParams } | { ok: false; issues: ValidationIssue[] };

export type Validator = (input: OperationParams) => Validation;

const INTEGER_TEXT = /^-?\d+$/;

// loaded when the first operation node is deployed, not with the package (rules/dependency.ts)
const zod = dependency<typeof import("zod")>("zod");

function valueSchema(spec: ParamSpec): ZodType {
    const { z } = zod();
    switch (spec.kind) {
        case "address":
            return z.string().regex(addressPattern(spec.forms));
        case "url": {
            const url = z.string().refine(isHttpUrl);
            if (!spec.maxItems) return url;
            // one URL or a list of them; always sent as a list, i.e. as repeated form keys
            return z.union([url.transform((one) => [one]), z.array(url).min(1).max(spec.maxItems)]);
        }
        case "enum": {
            const one = z.enum(spec.values as [string, ...string[]]);
            if (!spec.multiple) return one;
            const list = z.array(one).min(1);
            const separated = z.string().transform((text) => text.split(/[\s,]+/).filter(Boolean));
            return z.union([list, separated.pipe(list)]);
        }
        case "text": {
            let text = z.string().min(1);
            if (spec.maxLength !== undefined) text = text.max(spec.maxLength);
            if (spec.pattern) text = text.regex(spec.pattern);
            return text;
        }
        case "integer": {
            let integer = z.number().int();
            if (spec.min !== undefined) integer = integer.min(spec.min);
            if (spec.max !== undefined) integer = integer.max(spec.max);
            // flows often carry numbers as text (MQTT, HTTP, templates): "30" is taken as 30
            return z.union([z.number(), z.string().regex(INTEGER_TEXT).transform(Number)]).pipe(integer);
        }
        case "boolean":
            return z.union([z.boolean(), z.enum(["true", "false"]).transform((text) => text === "true")]);
        case "decimal":
            return z
                .union([z.string(), z.number().finite().transform(String)])
                .pipe(z.string().regex(decimalPattern(spec.scale)));
        case "date":
            return z.string().refine(isCalendarDate);
        case "datetime":
            return z.string().refine((text) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)));
        case "sid":
            return z.string().regex(sidPattern(spec.prefixes));
        case "json":
            return z.union([z.string().refine(isJsonObjectText), z.record(z.string(), z.unknown()).transform((object) => JSON.stringify(object))]);
        case "pageUri":
            // already taken apart by expandPageUri; what is left here is one that did not match
            return z.never();
    }
}

/** JSON text of an object, e.g. '{"1": "pump 3"}'. */
function isJsonObjectText(text: string): boolean {
    try {
        const value: unknown = JSON.parse(text);
        return typeof value === "object" && value !== null && !Array.isArray(value);
    } catch {
        return false;
    }
}

/**
 * NextPageUri stands for the parameters of the page it names: the Sids of its path and the query (filters,
 * PageSize, Page, PageToken), which win over the same parameters given otherwise. Each is then validated like
 * any other; a URI of another operation is left for the validator to refuse.
 */
function expandPageUri(pageUri: ReturnType<typeof pageUriPattern> | undefined, input: OperationParams): OperationParams {
    const uri = input.NextPageUri;
    if (!pageUri || typeof uri !== "string") return input;
    const { pattern, names } = pageUri;
    const match = pattern.exec(uri);
    if (!match) return input;
    const expanded: OperationParams = Object.assign(Object.create(null), input);
    delete expanded.NextPageUri;
    names.forEach((name, i) => (expanded[name] = match[i + 1]));
    const query = new URLSearchParams(match[names.length + 1] ?? "");
    for (const name of new Set(query.keys())) {
        const values = query.getAll(name);
        expanded[name] = values.length > 1 ? values : values[0];
    }
    return expanded;
}

/** Builds the validator of one operation; call once per operation, not per message. */
export function buildValidator(op: OperationSpec): Validator {
    const specs = new Map(op.params.map((spec) => [spec.name, spec]));
    const names = [...specs.keys()];
    const shape: Record<string, ZodType> = {};
    for (const spec of op.params) shape[spec.name] = valueSchema(spec).optional();
    const schema = zod().z.object(shape);
    const pageUri = op.params.some((spec) => spec.kind === "pageUri") ? pageUriPattern(op) : undefined;

    return (given) => {
        const input = expandPageUri(pageUri, given);
        const issues: ValidationIssue[] = [];
        for (const name of Object.keys(input)) {
            if (!specs.has(name)) issues.push({ reason: "unknown", param: name, suggestion: nearestName(name, names) });
        }
        for (const spec of op.params) {
            if (spec.required && input[spec.name] === undefined) issues.push({ reason: "missing", param: spec.name, spec });
        }
        for (const group of op.requireOneOf ?? []) {
            if (group.every((name) => input[name] === undefined)) issues.push({ reason: "missingOneOf", names: group });
        }
        for (const [param, needed] of Object.entries(op.dependencies ?? {})) {
            if (input[param] !== undefined && needed.some((name) => input[name] === undefined)) {
                issues.push({ reason: "missingDependency", param, names: needed });
            }
        }
        if (input.AuthToken !== undefined && input.AccountSid === undefined) issues.push({ reason: "tokenWithoutAccount" });

        const parsed = schema.safeParse(input);
        if (!parsed.success) {
            const reported = new Set<string>();
            for (const issue of parsed.error.issues) {
                const param = String(issue.path[0]);
                if (reported.has(param)) continue;
                reported.add(param);
                const spec = specs.get(param)!;
                const got = input[param];
                if (spec.kind === "enum" && typeof got === "string" && spec.specOnlyValues?.includes(got)) {
                    issues.push({ reason: "specOnlyValue", param, spec, got });
                } else {
                    issues.push({ reason: "invalid", param, spec, got });
                }
            }
        }
        if (issues.length > 0 || !parsed.success) return { ok: false, issues };

        const params: OperationParams = {};
        for (const spec of op.params) {
            const value = parsed.data[spec.name] ?? spec.default;
            if (value !== undefined) params[spec.name] = value;
        }
        return { ok: true, params };
    };
}
