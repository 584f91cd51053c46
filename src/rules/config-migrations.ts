/**
 * Each node type's configuration version, and the steps that bring a node saved by an older version of this
 * package to the current shape with the same meaning. The runtime applies them to every node it starts and
 * the editor to every node it loads (the same code, bundled for the browser), so an old flow neither changes
 * behaviour nor shows Node-RED's "invalid" marker. A node without `configVersion` was saved before versions
 * existed: version 0, the shape of the first release.
 *
 * To change a node's settings: add a step with the next `to`; never edit a released step.
 */
import { ACCOUNT_DEFAULTS, OUTBOX_DEFAULTS } from "../catalog/account-defaults";
import { ACCOUNT_NODE_TYPE, ALERT_NODE_TYPE, COLLECTION_NODE_TYPES, WEBHOOK_NODE_TYPE } from "../catalog/node-types";

export const CONFIG_VERSION_PROPERTY = "configVersion";

export type NodeConfig = Record<string, unknown>;

interface Migration {
    /** The version this step produces. */
    to: number;
    apply(config: NodeConfig): void;
}

const blank = (value: unknown) => value === undefined || value === null || value === "";

/** Fills properties the saved node does not have (a blank one already means its default). */
function fillMissing(config: NodeConfig, values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) if (config[name] === undefined) config[name] = value;
}

/**
 * Operation nodes 2: per-message credentials became opt-in (allowMessageCredentials). A flow saved before has
 * it off like a new node: a message's AccountSid or AuthToken is refused until the user ticks it.
 */
const MESSAGE_CREDENTIALS_OPT_IN: Migration = {
    to: 2,
    apply(config) {
        fillMissing(config, { allowMessageCredentials: false });
    },
};

const MIGRATIONS: Readonly<Record<string, readonly Migration[]>> = {
    [ACCOUNT_NODE_TYPE]: [
        {
            // 1: retries and limits (the first release had the base URL and the timeout only); their defaults
            // are what a flow without them always got
            to: 1,
            apply(config) {
                const { timeout, maxRetries, maxConcurrent, queueSize } = ACCOUNT_DEFAULTS;
                // a blank rate is "no limit", as the dialog writes it
                fillMissing(config, { apiBaseUrl: "", timeout, maxRetries, maxConcurrent, rate: "", queueSize });
            },
        },
        {
            // 2: allowed destinations, a default country, region, edge, proxy and the outbox; what a flow without
            // them always had: any destination, numbers only with their country code, US1, the environment's
            // proxy, and unsent messages in memory (a new account has the outbox on; an old one keeps it off)
            to: 2,
            apply(config) {
                const { maxAge, maxEntries } = OUTBOX_DEFAULTS;
                fillMissing(config, { allowedDestinations: "", defaultCountry: "", region: "", edge: "", proxy: "" });
                fillMissing(config, { outbox: false, outboxMaxAge: maxAge, outboxMaxEntries: maxEntries });
            },
        },
    ],
    [COLLECTION_NODE_TYPES.calls]: [
        {
            // 1: Twilio retired IfMachine; both of its values have always been sent as MachineDetection=Enable,
            // which the dialog now offers by name
            to: 1,
            apply(config) {
                const literal = config.IfMachineType === undefined || config.IfMachineType === "option" || config.IfMachineType === "str";
                if (literal && (config.IfMachine === "Continue" || config.IfMachine === "Hangup") && blank(config.MachineDetection)) {
                    config.MachineDetection = "Enable";
                    config.MachineDetectionType = "option";
                    config.IfMachine = "";
                }
            },
        },
        MESSAGE_CREDENTIALS_OPT_IN,
    ],
    [COLLECTION_NODE_TYPES.messages]: [{ to: 1, apply() {} }, MESSAGE_CREDENTIALS_OPT_IN],
    [COLLECTION_NODE_TYPES.media]: [{ to: 1, apply() {} }, MESSAGE_CREDENTIALS_OPT_IN],
    [WEBHOOK_NODE_TYPE]: [{ to: 1, apply() {} }],
    [ALERT_NODE_TYPE]: [{ to: 1, apply() {} }],
};

/** The current configuration version of each node type of this package. */
export const CONFIG_VERSIONS: Readonly<Record<string, number>> = Object.fromEntries(
    Object.entries(MIGRATIONS).map(([type, steps]) => [type, steps[steps.length - 1].to]),
);

/** The version a saved node declares: 0 when it has none (or an unreadable one). */
export function versionOf(config: NodeConfig): number {
    const version = Number(config[CONFIG_VERSION_PROPERTY] ?? 0);
    return Number.isInteger(version) && version >= 0 ? version : 0;
}

/**
 * The node's configuration at the current version of its type: a shallow copy with each missing step applied
 * in order. A node of a newer version (a downgrade) or of another type comes back unchanged.
 */
export function migrateConfig<T extends object>(type: string, config: T): T {
    const steps = MIGRATIONS[type];
    const from = versionOf(config as NodeConfig);
    if (!steps || from >= CONFIG_VERSIONS[type]) return config;
    const migrated = { ...config } as NodeConfig;
    for (const step of steps) {
        if (step.to <= from) continue;
        step.apply(migrated);
        migrated[CONFIG_VERSION_PROPERTY] = step.to;
    }
    return migrated as T;
}
