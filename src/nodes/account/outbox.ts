/**
 * The glue between a twilio-account config node and the outbox of its Twilio account: the settings, the file in
 * Node-RED's user directory (one per Node-RED, outboxes.ts), the config node's status, and Node-RED's flow events.
 *
 * - Outbox on, account usable: the config node attaches to its account's outbox (AccountSid@host), adopting what
 *   an earlier config node of the same account left, and its nodes store their creates there.
 * - Outbox on, credentials or a setting unusable: it attaches to the outboxes whose entries it stored, which then
 *   wait and say why (new messages end at once with ConfigError: nothing tells which account they belong to).
 * - Outbox off: if the file holds entries of its account, it sends them (and takes no new ones), and says so.
 * - No SQLite, no user directory, or the file held by another Node-RED: red status, the log, and the nodes send
 *   from memory as without the outbox; this process never touches another's entries.
 */
import fs from "node:fs";
import path from "node:path";
import type { Node, NodeAPI } from "node-red";
import { OUTBOX_DEFAULTS } from "../../catalog/account-defaults";
import { numericSetting } from "../../rules/settings";
import type { Translate } from "../../rules/translate";
import type { TwilioAccount } from "./account";
import type { Outbox, OutboxSender, OutboxSettings, SharedCounts } from "../../outbox/outbox";
import type { OpenRedisStore } from "../../outbox/redis-outboxes";
import { openStore, OutboxInUse, reportUnattended, type OpenStore } from "../../outbox/outboxes";
import { flowsStarted, flowsStopping, setOrphanLog, type HeldReason } from "../../outbox/result-router";
import type { SqliteOutboxStore } from "../../outbox/sqlite-store";
import type { AlarmStore } from "../../outbox/alarm-store";
import { RedisAlarmStore } from "../../outbox/redis-alarms";
import { accountKey } from "../../outbox/store";

export const OUTBOX_FILE = "twilio-outbox.sqlite";
const STATUS_INTERVAL_MS = 250;

export interface OutboxConfig {
    /** The checkbox "Keep unsent messages on disk"; a flow saved before it existed has none: off. */
    outbox?: boolean | string;
    /** Hours; blank means the default. */
    outboxMaxAge?: number | string;
    outboxMaxEntries?: number | string;
    /** Megabytes; blank means the default. */
    outboxMaxSize?: number | string;
    /** Where the outbox is: "sqlite" (the file in the user directory, the default) or "redis" (the credential redisUrl). */
    outboxStore?: string;
}

/** The outbox file of this Node-RED, or undefined when it has no user directory. */
export function outboxFile(RED: NodeAPI): string | undefined {
    const userDir = (RED.settings as { userDir?: string }).userDir;
    return userDir ? path.join(userDir, OUTBOX_FILE) : undefined;
}

export interface AccountOutbox {
    /** Where this account's nodes store their creates; undefined when they send from memory. */
    outbox?: Outbox;
    /** The store it uses, while it has one: the file is this process's alone, so the tests look into it here. */
    store?: SqliteOutboxStore;
    /** Where the twilio-alert nodes using this account keep their alarms: beside its outbox entries. */
    alarms?: AlarmStore;
    close(): Promise<void>;
}

export function outboxSettingsOf(config: OutboxConfig): OutboxSettings {
    return {
        maxAgeMs: numericSetting(config.outboxMaxAge, OUTBOX_DEFAULTS.maxAge, 0) * 3_600_000,
        maxEntries: Math.floor(numericSetting(config.outboxMaxEntries, OUTBOX_DEFAULTS.maxEntries, 1)),
        maxBytes: numericSetting(config.outboxMaxSize, OUTBOX_DEFAULTS.maxSize, 0.001) * 1024 * 1024,
    };
}

const watching = new WeakSet<object>();

/** Node-RED's flow events, once per runtime: results held over a redeploy, the report of unattended entries. */
function watchFlows(RED: NodeAPI, t: Translate): void {
    if (watching.has(RED.events)) return;
    watching.add(RED.events);
    RED.events.on("flows:started", () => {
        flowsStarted();
        reportUnattended();
    });
    RED.events.on("flows:stopping", flowsStopping);
    setOrphanLog((result) => RED.log.warn(t("twilio.outbox.orphanResult", { operation: result.operation, node: result.node, detail: result.describe() })));
}

/**
 * The config node's status: how many wait, and why when they are held; with Valkey/Redis, the account's open
 * entries and requests in flight of all instances. Drawn at most every STATUS_INTERVAL_MS.
 */
function accountStatus(node: Node, t: Translate, maxConcurrent: number): (waiting: number, held?: HeldReason, shared?: SharedCounts) => void {
    let latest: { waiting: number; held?: HeldReason; shared?: SharedCounts } = { waiting: 0 };
    let timer: NodeJS.Timeout | undefined;
    const draw = () => {
        timer = undefined;
        const { waiting, held, shared } = latest;
        if (held) {
            const since = new Date(held.since).toTimeString().slice(0, 5);
            node.status({ fill: held.reason === "busy" ? "yellow" : "red", shape: "ring", text: t(`twilio.outbox.held.${held.reason}`, { n: waiting, since }) });
        } else if (shared) {
            node.status({ fill: "green", shape: "dot", text: t("twilio.outbox.sharedStatus", { n: shared.open, active: shared.inFlight, max: maxConcurrent }) });
        } else {
            node.status({ fill: "green", shape: "dot", text: t("twilio.outbox.readyStatus", { n: waiting }) });
        }
    };
    return (waiting, held, shared) => {
        latest = { waiting, held, shared };
        timer ??= setTimeout(draw, STATUS_INTERVAL_MS);
    };
}

/**
 * @param redis the account's Valkey/Redis store, when it chose one (index.ts opens it, for the shared limits too):
 *   the outbox is there instead of the file; unticked, nothing is kept (entries left there go to the other instances)
 */
export function startOutbox(RED: NodeAPI, node: Node, account: TwilioAccount, config: OutboxConfig, redis?: OpenRedisStore): AccountOutbox {
    const t: Translate = (key, substitutions) => RED._(key, substitutions);
    const enabled = config.outbox === true || config.outbox === "true";
    if (redis) return enabled ? startShared(RED, node, account, config, redis, t) : { close: async () => redis.release() };
    const file = outboxFile(RED);
    const none: AccountOutbox = { close: async () => {} };
    // an unticked outbox whose file is not there has nothing to send: the file is not made
    if (!enabled && (!file || !fs.existsSync(file))) return none;
    watchFlows(RED, t);
    let opened: OpenStore;
    try {
        if (!file) throw new Error(t("twilio.outbox.noUserDir"));
        opened = openStore(file, t, { warn: (text) => node.warn(text), error: (text) => node.error(text) }, maxPageCountFor(RED));
    } catch (err) {
        if (!enabled) {
            node.warn(t("twilio.outbox.offUnchecked", { file: file ?? "-", reason: reasonOf(err, t) }));
            return none;
        }
        node.status({ fill: "red", shape: "ring", text: t(err instanceof OutboxInUse ? "twilio.outbox.inUseStatus" : "twilio.outbox.unavailableStatus") });
        node.error(t(err instanceof OutboxInUse ? "twilio.outbox.inUse" : "twilio.outbox.unavailable", { file: file ?? "-", reason: reasonOf(err, t) }));
        return none;
    }
    const sender: OutboxSender = {
        id: node.id,
        accepting: enabled,
        timeoutMs: account.timeoutMs,
        maxConcurrent: account.limiter.maxConcurrent,
        settings: outboxSettingsOf(config),
        authFor: (accountSid) => account.authFor(accountSid),
        problemFailure: (problem, translate) => account.problemFailure(problem, translate),
        send: (request, auth, options) => account.send(request, auth, options),
        showOutbox: accountStatus(node, t, account.limiter.maxConcurrent),
    };
    const credentials = account.authFor();
    // a usable account sends its own account's entries; one that cannot be used holds those it stored, saying why
    const keys = credentials.ok ? [accountKey(credentials.auth.accountSid, account.baseUrl)] : opened.accountsOf(node.id);
    const outboxes = keys.map((key) => opened.outboxOf(key, node.id));
    const attached: Outbox[] = [];
    for (const outbox of outboxes) {
        outbox.attach(sender);
        attached.push(outbox);
    }
    if (!enabled) {
        // unticked: what the file still holds for this account goes out first, and the log says what
        void Promise.all(outboxes.map((outbox) => outbox.load(node.id))).then(() => {
            const held = outboxes.reduce((n, outbox) => n + outbox.size, 0);
            if (held > 0) node.warn(t("twilio.outbox.offDraining", { n: held, file }));
        });
    } else {
        sender.showOutbox(outboxes[0]?.size ?? 0);
    }
    return {
        outbox: enabled && credentials.ok ? outboxes[0] : undefined,
        store: opened.store,
        alarms: opened.store,
        async close() {
            await Promise.all(attached.map((outbox) => outbox.detach(sender)));
            opened.release();
        },
    };
}

/** The outbox on Valkey/Redis: the account's entries there, sent by whichever instance stored them (or took them over). */
function startShared(RED: NodeAPI, node: Node, account: TwilioAccount, config: OutboxConfig, redis: OpenRedisStore, t: Translate): AccountOutbox {
    watchFlows(RED, t);
    const credentials = account.authFor();
    if (!credentials.ok) {
        // nothing tells which account's entries these are: new messages end with the problem, as without the outbox
        return { close: async () => redis.release() };
    }
    const sender: OutboxSender = {
        id: node.id,
        accepting: true,
        timeoutMs: account.timeoutMs,
        maxConcurrent: account.limiter.maxConcurrent,
        settings: outboxSettingsOf(config),
        authFor: (accountSid) => account.authFor(accountSid),
        problemFailure: (problem, translate) => account.problemFailure(problem, translate),
        send: (request, auth, options) => account.send(request, auth, options),
        showOutbox: accountStatus(node, t, account.limiter.maxConcurrent),
    };
    const outbox = redis.outboxOf(accountKey(credentials.auth.accountSid, account.baseUrl), node.id);
    outbox.attach(sender);
    sender.showOutbox(outbox.size);
    redis.connected.catch(() => node.status({ fill: "red", shape: "ring", text: t("twilio.outbox.unavailableStatus") }));
    return {
        outbox,
        alarms: new RedisAlarmStore(redis.connected),
        async close() {
            await outbox.detach(sender);
            redis.release();
        },
    };
}

/** settings.js twilioOutboxMaxPageCount: a cap on the file's pages, for the tests' full disk. */
function maxPageCountFor(RED: NodeAPI): number | undefined {
    const value = (RED.settings as { twilioOutboxMaxPageCount?: unknown }).twilioOutboxMaxPageCount;
    return typeof value === "number" && value > 0 ? value : undefined;
}

function reasonOf(err: unknown, t: Translate): string {
    if (err instanceof OutboxInUse) return t("twilio.outbox.inUseReason");
    return err instanceof Error ? err.message.split("\n")[0] : String(err);
}
