/**
 * The tie between a send and its delivery receipts: postMessage and createCall may name a twilio-webhook node
 * (the node setting statusWebhook); when neither the node nor msg.payload sets StatusCallback, that webhook's
 * public URL becomes the StatusCallback, and is then validated like any other.
 */
import type { NodeAPI } from "node-red";
import { WEBHOOK_NODE_TYPE } from "../catalog/node-types";
import type { OperationSpec } from "../catalog/types";
import type { WebhookNode } from "../webhook/webhook-node";
import type { Params } from "./validate";

/** Message catalog keys (twilio.errors.<problem>) of a status webhook that cannot be used. */
export type StatusWebhookProblem = "statusWebhookMissing" | "statusWebhookNoUrl";

const STATUS_CALLBACK = "StatusCallback";

export function takesStatusCallback(op: OperationSpec): boolean {
    return op.params.some((spec) => spec.name === STATUS_CALLBACK);
}

/**
 * Fills in StatusCallback from the webhook node `webhookId` when the operation takes one and the parameters
 * have none. Returns the problem when the webhook node cannot give its URL; nothing is sent then.
 */
export function fillStatusCallback(RED: NodeAPI, op: OperationSpec, webhookId: unknown, params: Params): StatusWebhookProblem | undefined {
    if (typeof webhookId !== "string" || webhookId === "" || !takesStatusCallback(op) || params[STATUS_CALLBACK] !== undefined) {
        return undefined;
    }
    const webhook = RED.nodes.getNode(webhookId) as (WebhookNode & { type?: string }) | null;
    if (!webhook || webhook.type !== WEBHOOK_NODE_TYPE) return "statusWebhookMissing";
    if (!webhook.publicUrl) return "statusWebhookNoUrl";
    params[STATUS_CALLBACK] = webhook.publicUrl;
    return undefined;
}
