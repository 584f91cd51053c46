/**
 * An operation node (twilio-calls, twilio-messages, twilio-media) as deployed: either set up correctly, with
 * everything a message needs (Ready), or the configuration problem every message then ends with.
 */
import type { Node, NodeAPI, NodeDef } from "node-red";
import { OPERATIONS } from "../../catalog/operations";
import type { CollectionName, OperationSpec } from "../../catalog/types";
import type { Translate } from "../../rules/translate";
import { buildValidator, type Validator } from "../../rules/validate";
import type { TwilioAccount } from "../account/account";
import type { AccountNode } from "../account/account-node";
import { FieldError, prepareFields, type FieldConfig, type FieldResolver } from "./fields";
import type { Outbox } from "../../outbox/outbox";
import { failure, type RequestFailure } from "../../sender/outcome";
import { costSettingsOf, type CostSettings } from "./sms-cost";
import { statusWebhookOf } from "./status-webhook";

/** An operation node's settings as the flow holds them (after migrateConfig). */
export interface OperationNodeConfig extends NodeDef, FieldConfig {
    operation: string;
    account: string;
    /** A twilio-webhook node whose public URL is the StatusCallback when none is given (postMessage, createCall). */
    statusWebhook?: string;
    /** Whether a message may carry AccountSid or AuthToken; off unless ticked (also in flows saved before). */
    allowMessageCredentials?: boolean | string;
    /** postMessage: the most segments a Body may take (blank: no cap), and whether look-alikes are replaced. */
    maxSegments?: unknown;
    smartEncoding?: unknown;
}

/** What every message of the node is counted and reported with, set up or not. */
interface Basics {
    /** Undefined when the node names no operation of its collection. */
    op?: OperationSpec;
    costSettings: CostSettings;
}

/** A node set up correctly: what its messages are prepared, checked and sent with. */
export interface Ready extends Basics {
    op: OperationSpec;
    account: TwilioAccount;
    /** The account's outbox, when it keeps one (and could open its file). */
    outbox?: Outbox;
    validator: Validator;
    resolveFields: FieldResolver;
    /** The webhook node whose URL is the StatusCallback when a message gives none. */
    statusWebhook?: string;
    allowMessageCredentials: boolean;
}

export type Setup = ({ ok: true } & Ready) | ({ ok: false; problem: RequestFailure } & Basics);

const NO_COST_SETTINGS: CostSettings = { maxSegments: undefined, smartEncoding: false };

/** Validators depend on the catalog only: built once per operation for the process. */
const validators = new Map<string, Validator>();
function validatorOf(op: OperationSpec): Validator {
    let validator = validators.get(op.name);
    if (!validator) validators.set(op.name, (validator = buildValidator(op)));
    return validator;
}

function fieldsOf(RED: NodeAPI, node: Node, op: OperationSpec, config: OperationNodeConfig, t: Translate): { ok: true; resolve: FieldResolver } | { ok: false; problem: RequestFailure } {
    try {
        return { ok: true, resolve: prepareFields(RED, node, op, config) };
    } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        return { ok: false, problem: failure("ConfigError", err.describe(t), 400) };
    }
}

export function setUpOperationNode(RED: NodeAPI, node: Node, config: OperationNodeConfig, collection: CollectionName, t: Translate): Setup {
    const op: OperationSpec | undefined = OPERATIONS[config.operation];
    if (!op || op.collection !== collection) {
        const problem = failure("ConfigError", t("twilio.errors.unknownOperation", { operation: config.operation }), 400);
        return { ok: false, problem, op: undefined, costSettings: NO_COST_SETTINGS };
    }
    const accountNode = RED.nodes.getNode(config.account) as AccountNode | null;
    if (!accountNode?.account) {
        return { ok: false, problem: failure("ConfigError", t("twilio.errors.noAccount"), 401), op, costSettings: NO_COST_SETTINGS };
    }
    const fields = fieldsOf(RED, node, op, config, t);
    const settings = op.smsText ? costSettingsOf(config, t) : NO_COST_SETTINGS;
    const costSettings = typeof settings === "string" ? NO_COST_SETTINGS : settings;
    // a field's problem is the one told when both are wrong
    if (!fields.ok) return { ok: false, problem: fields.problem, op, costSettings };
    if (typeof settings === "string") return { ok: false, problem: failure("ConfigError", settings, 400), op, costSettings };
    return {
        ok: true,
        op,
        costSettings,
        account: accountNode.account,
        outbox: accountNode.outbox?.outbox,
        validator: validatorOf(op),
        resolveFields: fields.resolve,
        statusWebhook: statusWebhookOf(op, config.statusWebhook),
        allowMessageCredentials: config.allowMessageCredentials === true || config.allowMessageCredentials === "true",
    };
}
