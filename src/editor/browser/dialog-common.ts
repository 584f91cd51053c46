/**
 * What the dialogs of several node types share (named so, not "shared": CI refuses any path that reads like the
 * shared folder beside a development checkout). The rules they show are the runtime's own, imported from
 * src/rules and src/catalog by each node's editor code, never copied.
 */
import { migrateConfig } from "../../rules/config-migrations";

/** A ${ENV_VAR} reference, resolved by Node-RED at deploy time: always accepted in the dialogs. */
export const ENV_REFERENCE = /^\$\{\w+\}$/;

/**
 * Brings every node of `type` that the editor loads (the deployed flows, an import, a paste) to the current
 * configuration version before Node-RED validates it, so a flow saved by an older version shows no invalid
 * marker and keeps its meaning. The node is not marked changed: the runtime migrates the deployed one alike.
 */
export function migrateOnLoad(type: string): void {
    RED.events.on("nodes:add", (node) => {
        if (node.type !== type) return;
        const migrated = migrateConfig(type, node);
        if (migrated === node) return;
        for (const [name, value] of Object.entries(migrated)) if (node[name] !== value) node[name] = value;
    });
}
