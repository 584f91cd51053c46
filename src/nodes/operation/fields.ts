/**
 * The node's own parameter fields (typedInputs) and how they combine with msg.payload: a field set in the
 * node wins, a blank one leaves the parameter to msg.payload (the convention of Node-RED's core nodes).
 * When a field itself reads msg.payload (msg.payload.text, or a JSONata expression over payload), msg.payload
 * is the flow's data rather than a set of parameters, and its keys are left alone.
 */
import type { Node, NodeAPI, NodeMessage } from "node-red";
import type { OperationSpec, ParamSpec } from "../../catalog/types";
import type { Translate } from "../../rules/translate";
import type { OperationParams } from "../../rules/validate";

/** A node property holding a parameter: the value and its typedInput type, stored as <Name> and <Name>Type. */
export interface FieldConfig {
    [property: string]: unknown;
}

/** typedInput types whose value is fixed at deploy time. */
const LITERAL_TYPES = new Set(["str", "num", "bool", "json", "option"]);

/** A msg property path into msg.payload, or a JSONata expression that mentions payload. */
const READS_PAYLOAD: Readonly<Record<string, RegExp>> = { msg: /^payload(?:$|[.[])/, jsonata: /\bpayload\b/ };

/** A secret never sits in the flow file as plain text: only references to where it is kept. */
const SECRET_TYPES = new Set(["msg", "flow", "global", "env", "jsonata"]);

interface Field {
    spec: ParamSpec;
    type: string;
    value: string;
    /** The value when it is known at deploy time. */
    literal?: unknown;
    expression?: unknown;
}

export class FieldError extends Error {
    constructor(
        readonly param: string,
        readonly reason: string,
    ) {
        super(reason);
    }

    /** The sentence for the user: the field and its reason (a secret typed into the flow as text told as such). */
    describe(t: Translate): string {
        const reason = this.reason === "secretLiteral" ? t("twilio.errors.secretLiteral") : this.reason;
        return t("twilio.errors.field", { param: this.param, reason });
    }
}

/**
 * The parameters of one message. `fromMessage`, when given, receives the names whose value the message itself
 * supplied: keys of msg.payload, and fields that read msg (a msg property, or JSONata, which may read it).
 */
export type FieldResolver = (msg: NodeMessage, fromMessage?: Set<string>) => Promise<OperationParams>;

/** typedInput types whose value the message supplies. */
const MESSAGE_TYPES = new Set(["msg", "jsonata"]);

/** JSONata throws plain objects with a message, not Errors. */
function reasonOf(err: unknown): string {
    const message = (err as { message?: unknown } | null)?.message;
    return typeof message === "string" ? message : String(err);
}

function isBlank(value: unknown): boolean {
    return value === undefined || value === null || value === "";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value) || Buffer.isBuffer(value)) return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

/**
 * Prepares, once per deploy, the fields the node sets for its operation, and returns the per-message
 * resolver. Throws FieldError for a field that can never work (a literal secret, a broken expression).
 */
export function prepareFields(RED: NodeAPI, node: Node, op: OperationSpec, config: FieldConfig): FieldResolver {
    const fields: Field[] = [];
    for (const spec of op.params) {
        const value = config[spec.name];
        if (isBlank(value)) continue;
        const type = typeof config[`${spec.name}Type`] === "string" ? String(config[`${spec.name}Type`]) : "str";
        const field: Field = { spec, type, value: String(value) };
        if (spec.kind === "text" && spec.secret && !SECRET_TYPES.has(type)) {
            throw new FieldError(spec.name, "secretLiteral");
        }
        try {
            if (type === "jsonata") field.expression = RED.util.prepareJSONataExpression(field.value, node);
            else if (type === "option") field.literal = field.value;
            else if (LITERAL_TYPES.has(type)) field.literal = RED.util.evaluateNodeProperty(field.value, type, node, {});
        } catch (err) {
            throw new FieldError(spec.name, reasonOf(err));
        }
        fields.push(field);
    }

    const payloadIsData = fields.some((field) => READS_PAYLOAD[field.type]?.test(field.value));

    function evaluate(field: Field, msg: NodeMessage): Promise<unknown> {
        if (field.literal !== undefined) return Promise.resolve(field.literal);
        return new Promise((resolve, reject) => {
            const callback = (err: Error | null, result: unknown) => (err ? reject(err) : resolve(result));
            if (field.expression) RED.util.evaluateJSONataExpression(field.expression as never, msg, callback);
            else RED.util.evaluateNodeProperty(field.value, field.type, node, msg, callback);
        });
    }

    return async (msg, fromMessage) => {
        // a null prototype, so that a "__proto__" key in msg.payload is just another (unknown) name
        const params: OperationParams = Object.create(null);
        const payload: unknown = payloadIsData ? undefined : msg.payload;
        if (isPlainObject(payload)) {
            for (const [name, value] of Object.entries(payload)) {
                if (isBlank(value)) continue;
                params[name] = value;
                fromMessage?.add(name);
            }
        } else if (typeof payload === "string" && payload !== "" && op.stringPayload) {
            params[op.stringPayload] = payload;
        }
        for (const field of fields) {
            let value: unknown;
            try {
                value = await evaluate(field, msg);
            } catch (err) {
                throw new FieldError(field.spec.name, reasonOf(err));
            }
            if (!isBlank(value)) {
                params[field.spec.name] = value;
                if (MESSAGE_TYPES.has(field.type)) fromMessage?.add(field.spec.name);
            }
            // the token read from a msg property does not travel on down the flow with the message
            if (field.type === "msg" && field.spec.kind === "text" && field.spec.secret) {
                RED.util.setMessageProperty(msg, field.value, undefined);
            }
        }
        return params;
    };
}
