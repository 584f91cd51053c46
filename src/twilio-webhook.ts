import type { NodeAPI } from "node-red";
import { registerWebhookNode } from "./webhook/webhook-node";

export default function (RED: NodeAPI): void {
    registerWebhookNode(RED);
}
