/**
 * The package's one node set (package.json node-red.nodes), as core's MQTT nodes are one: its six node types
 * share one editor file (twilio.html) and one message catalog and help file per language (locales/<lang>/
 * twilio.json and .html), which Node-RED only finds beside this file.
 */
import type { NodeAPI } from "node-red";
import { COLLECTION_NODE_TYPES } from "./catalog/node-types";
import type { CollectionName } from "./catalog/types";
import { registerOperationNode } from "./nodes/operation/index";
import { registerSegmentsRoute } from "./nodes/operation/segments-route";
import registerAccountNode from "./nodes/account/index";
import { registerWebhookNode } from "./nodes/webhook/index";
import { registerAlertNode } from "./nodes/alert/index";

export default function (RED: NodeAPI): void {
    registerAccountNode(RED);
    for (const [collection, type] of Object.entries(COLLECTION_NODE_TYPES)) registerOperationNode(RED, type, collection as CollectionName);
    registerWebhookNode(RED);
    registerAlertNode(RED);
    registerSegmentsRoute(RED);
}
