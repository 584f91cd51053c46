/**
 * The tie between a send and its delivery receipts: postMessage and createCall may name a twilio-webhook node
 * (the node setting statusWebhook); when neither the node nor msg.payload sets StatusCallback, that webhook's
 * public URL becomes the StatusCallback, and is then validated like any other.
 */
import type { NodeAPI } from "node-red";
import { WEBHOOK_NODE_TYPE } from "../../catalog/node-types";
import type { OperationSpec } from "../../catalog/types";
import { STATUS_CALLBACK, takesStatusCallback } from "../../catalog/status-callback";
import type { OperationParams } from "../../rules/validate";

/** What a deployed twilio-webhook node offers a send: the URL Twilio reaches it at, when it has a usable one. */
interface StatusWebhookNode {
    type?: string;
    publicUrl?: string;
}

/** Message catalog keys (twilio.errors.<problem>) of a status webhook that cannot be used. */
export type StatusWebhookProblem = "statusWebhookMissing" | "statusWebhookNoUrl";


/** The webhook node id of a node's statusWebhook setting, when its operation takes a StatusCallback (at deploy). */
export function statusWebhookOf(op: OperationSpec, setting: unknown): string | undefined {
    return typeof setting === "string" && setting !== "" && takesStatusCallback(op) ? setting : undefined;
}

/**
 * Fills in StatusCallback from the webhook node `webhookId` (see statusWebhookOf) when the parameters have
 * none. Returns the problem when the webhook node cannot give its URL; nothing is sent then. The node is
 * looked up per message: it may be redeployed on its own.
 */
export function fillStatusCallback(RED: NodeAPI, webhookId: string | undefined, params: OperationParams): StatusWebhookProblem | undefined {
    if (webhookId === undefined || params[STATUS_CALLBACK] !== undefined) return undefined;
    const webhook = RED.nodes.getNode(webhookId) as StatusWebhookNode | null;
    if (!webhook || webhook.type !== WEBHOOK_NODE_TYPE) return "statusWebhookMissing";
    if (!webhook.publicUrl) return "statusWebhookNoUrl";
    params[STATUS_CALLBACK] = webhook.publicUrl;
    return undefined;
}
