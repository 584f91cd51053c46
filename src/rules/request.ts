/**
 * Turns an operation and its validated parameters into the HTTP request Twilio receives.
 */
import type { OperationSpec } from "../catalog/types";
import { TWILIO_API_ORIGIN } from "./base-url";
import type { OperationParams } from "./validate";

export type FieldValue = string | string[];

export interface ApiRequest {
    method: "get" | "post" | "delete";
    uri: string;
    /** Query fields for GET and DELETE, form fields for POST; a list is sent as repeated keys. */
    fields: Record<string, FieldValue>;
}

function wireValue(value: unknown): FieldValue {
    return Array.isArray(value) ? value.map(String) : String(value);
}

/** An operation's path split at its {Name} placeholders once: odd indexes are names. */
const pathParts = new WeakMap<OperationSpec, string[]>();

function pathOf(op: OperationSpec, params: OperationParams, accountSid: string): string {
    let parts = pathParts.get(op);
    if (!parts) pathParts.set(op, (parts = op.path.split(/\{(\w+)\}/)));
    let path = parts[0];
    for (let i = 1; i < parts.length; i += 2) {
        const value = parts[i] === "AccountSid" ? accountSid : params[parts[i]];
        // path values are Sids that passed sidPattern (letters and digits only); encoding is a second guard
        path += encodeURIComponent(String(value)) + parts[i + 1];
    }
    return path;
}

export function buildRequest(op: OperationSpec, params: OperationParams, accountSid: string): ApiRequest {
    const path = pathOf(op, params, accountSid);
    const fields: Record<string, FieldValue> = {};
    for (const spec of op.params) {
        const value = params[spec.name];
        if (value === undefined || (spec.in !== "query" && spec.in !== "form")) continue;
        if (spec.mapsTo) {
            // a retired spec name: an explicit value for the new name wins
            fields[spec.mapsTo.name] ??= spec.mapsTo.value;
        } else {
            fields[spec.name] = wireValue(value);
        }
    }
    return { method: op.method.toLowerCase() as ApiRequest["method"], uri: TWILIO_API_ORIGIN + path, fields };
}
