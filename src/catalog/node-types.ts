import type { CollectionName } from "./types";

/** Node type names: fixed, and distinct from the generic Twilio names other packages register. */
export const ACCOUNT_NODE_TYPE = "twilio-account";

/**
 * The package's one node set (package.json node-red.nodes): nodes/twilio.js, beside which Node-RED finds
 * twilio.html and locales/<lang>/twilio.json and .html.
 */
export const NODE_SET = "twilio";

/** The set as Node-RED names it (<package>/<set>): the editor looks up its message catalog by this name. */
export const CATALOG_NAMESPACE = `@gatewire/node-red-twilio/${NODE_SET}`;

/** Every node of the package sits in this palette category, in this colour. */
export const PALETTE_CATEGORY = "Twilio";
export const NODE_COLOR = "#F58A96";

/** The node that receives Twilio's webhooks (inbound messages and calls, status callbacks). */
export const WEBHOOK_NODE_TYPE = "twilio-webhook";

/** The node that sends an alarm until someone acknowledges it (de-duplication, escalation, acknowledgement). */
export const ALERT_NODE_TYPE = "twilio-alert";

/** The operation nodes: one per collection of operations (calls, messages, media), each offering that collection's operations. */
export const COLLECTION_NODE_TYPES: Readonly<Record<CollectionName, string>> = {
    calls: "twilio-calls",
    messages: "twilio-messages",
    media: "twilio-media",
};

/**
 * The admin route (under httpAdminRoot) where the editor's SMS counter has a text counted by the runtime, and the
 * permission it needs, named as core's routes name theirs (<type>.read).
 */
export const SEGMENTS_ROUTE = "gatewire-twilio/segments";
export const SEGMENTS_PERMISSION = `${COLLECTION_NODE_TYPES.messages}.read`;
