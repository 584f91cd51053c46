import type { NodeAPI } from "node-red";
import { GROUP_NODE_TYPES } from "./catalog/node-types";
import { registerGroupNode } from "./runtime/group-node";

export default function (RED: NodeAPI): void {
    registerGroupNode(RED, GROUP_NODE_TYPES.calls, "calls");
}
