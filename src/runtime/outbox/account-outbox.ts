/**
 * The glue between a twilio-account node and its outbox: the settings, the file in Node-RED's user directory
 * (one per Node-RED, shared by its account nodes), and Node-RED's flow events. When no SQLite can open the file
 * the account says so (red status, the log) and its nodes send from memory as without the outbox.
 */
import path from "node:path";
import type { Node, NodeAPI } from "node-red";
import { numericSetting } from "../../rules/settings";
import type { TwilioAccount } from "../account";
import { Outbox, OUTBOX_DEFAULTS, OUTBOX_FILE } from "./outbox";
import { acquireStore } from "./store";

export interface OutboxConfig {
    /** The checkbox "Keep unsent messages on disk"; a flow saved before it existed has none: off. */
    outbox?: boolean | string;
    /** Hours; blank means the default. */
    outboxMaxAge?: number | string;
    outboxMaxEntries?: number | string;
}

/** The outbox file of this Node-RED, or undefined when it has no user directory. */
export function outboxFile(RED: NodeAPI): string | undefined {
    const userDir = (RED.settings as { userDir?: string }).userDir;
    return userDir ? path.join(userDir, OUTBOX_FILE) : undefined;
}

export interface AccountOutbox {
    outbox?: Outbox;
    close(): Promise<void>;
}

export function startOutbox(RED: NodeAPI, node: Node, account: TwilioAccount, config: OutboxConfig): AccountOutbox {
    if (config.outbox !== true && config.outbox !== "true") return { close: async () => {} };
    const t = (key: string, substitutions?: Record<string, string | number>) => RED._(key, substitutions);
    const file = outboxFile(RED);
    let handle: ReturnType<typeof acquireStore> | undefined;
    let outbox: Outbox | undefined;
    try {
        if (!file) throw new Error(t("twilio.outbox.noUserDir"));
        handle = acquireStore(file);
        outbox = new Outbox(
            node.id,
            account,
            handle.store,
            {
                maxAgeMs: numericSetting(config.outboxMaxAge, OUTBOX_DEFAULTS.maxAge, 0) * 3_600_000,
                maxEntries: Math.floor(numericSetting(config.outboxMaxEntries, OUTBOX_DEFAULTS.maxEntries, 1)),
            },
            t,
            { warn: (text) => node.warn(text), error: (text) => node.error(text) },
        );
    } catch (err) {
        handle?.release();
        const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
        node.status({ fill: "red", shape: "ring", text: t("twilio.outbox.unavailableStatus") });
        node.error(t("twilio.outbox.unavailable", { file: file ?? "-", reason }));
        return { close: async () => {} };
    }
    node.status({ fill: "green", shape: "dot", text: t("twilio.outbox.readyStatus", { n: outbox.size }) });
    const started = () => outbox!.flowsStart();
    const stopping = () => outbox!.flowsStop();
    RED.events.on("flows:started", started);
    RED.events.on("flows:stopping", stopping);
    return {
        outbox,
        async close() {
            RED.events.removeListener("flows:started", started);
            RED.events.removeListener("flows:stopping", stopping);
            await outbox!.close();
            handle!.release();
        },
    };
}
