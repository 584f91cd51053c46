/**
 * What the dialogs run of the runtime's own code (bundled into twilioShared, see editor.ts): the editor uses
 * these, never copies of them.
 */
import { migrateConfig, type NodeConfig } from "../../rules/config-migrations";

export { ACCOUNT_DEFAULTS, OUTBOX_DEFAULTS } from "../../catalog/account-settings";
export { CATALOG_NAMESPACE } from "../../catalog/node-types";
export { ACCOUNT_SID_PATTERN, API_KEY_SID_PATTERN } from "../../rules/account-rules";
export { parseBaseUrl } from "../../rules/base-url";
export { nodeRootPrefix, parsePublicBaseUrl, REPLY_TIMEOUT, WEBHOOK_PATH_PATTERN, webhookUrl } from "../../rules/public-url";
export { parseDestinations } from "../../rules/recipients";
export { HTTP_PROXY_NODE_TYPE, validProxySetting } from "../../rules/proxy-setting";
export { apiHost, EDGES, HOME_EDGE, hostSettingRefused, REGIONS } from "../../rules/twilio-host";
export { CONFIG_VERSIONS } from "../../rules/config-migrations";

/** The part of the editor's RED this file uses. */
interface EditorRED {
    events: { on(event: string, handler: (node: NodeConfig & { type: string }) => void): void };
}

/**
 * Brings every node of `type` that the editor loads (the deployed flows, an import, a paste) to the current
 * configuration version before Node-RED validates it, so a flow saved by an older version shows no invalid
 * marker and keeps its meaning. The node is not marked changed: the runtime migrates the deployed one alike.
 */
export function migrateOnLoad(RED: EditorRED, type: string): void {
    RED.events.on("nodes:add", (node) => {
        if (node.type !== type) return;
        const migrated = migrateConfig(type, node);
        if (migrated === node) return;
        for (const [name, value] of Object.entries(migrated)) if (node[name] !== value) node[name] = value;
    });
}
