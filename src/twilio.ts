/**
 * The package's one node set (package.json node-red.nodes), as core's MQTT nodes are one: its five node types
 * share one editor file (twilio.html) and one message catalog and help file per language (locales/<lang>/
 * twilio.json and .html), which Node-RED only finds beside this file.
 */
import type { NodeAPI } from "node-red";
import { GROUP_NODE_TYPES } from "./catalog/node-types";
import type { GroupName } from "./catalog/types";
import { registerOperationNode } from "./runtime/operation-node";
import { registerSegmentsRoute } from "./runtime/segments-route";
import registerAccountNode from "./twilio-account";
import { registerWebhookNode } from "./webhook/webhook-node";

export default function (RED: NodeAPI): void {
    registerAccountNode(RED);
    for (const [group, type] of Object.entries(GROUP_NODE_TYPES)) registerOperationNode(RED, type, group as GroupName);
    registerWebhookNode(RED);
    registerSegmentsRoute(RED);
}
