/**
 * twilio-account: the config node every Twilio node of this package points at. Its credentials live in
 * Node-RED's credential store only; it owns the one SDK client (and its sockets) the account's nodes share,
 * and the account's outbox when "Keep unsent messages on disk" is on.
 */
import type { NodeAPI, NodeDef } from "node-red";
import { ACCOUNT_NODE_TYPE } from "../../catalog/node-types";
import { migrateConfig } from "../../rules/config-migrations";
import { TwilioAccount, type AccountCredentials, type AccountSettings } from "./account";
import type { AccountNode } from "./account-node";
import { resolveProxySetting, type ProxyCredentials } from "./account-proxy";
import type { ConnectTo } from "../../sender/connection";
import { startOutbox, type OutboxConfig } from "./outbox";
import { openRedisStore, type OpenRedisStore } from "../../outbox/redis-outboxes";
import { isRedisUrl, redisWhere } from "../../outbox/redis";
import { accountKey } from "../../outbox/store";
import { resolveWhere } from "./where";
import { registerOutboxAdmin } from "./outbox-admin";
import { recipientSettingsProblem } from "../../rules/recipient-settings";

type RedisCredentials = { redisUrl?: string };

type AccountNodeDef = NodeDef & Omit<AccountSettings, "proxy" | "connectTo"> & { proxy?: string } & OutboxConfig;

export default function (RED: NodeAPI): void {
    function TwilioAccountNode(this: AccountNode, saved: AccountNodeDef) {
        RED.nodes.createNode(this, saved);
        const config = migrateConfig(ACCOUNT_NODE_TYPE, saved);
        const { apiBaseUrl, timeout, maxRetries, maxConcurrent, rate, queueSize, allowedDestinations, defaultCountry, region, edge } = config;
        const { proxyUsername, proxyPassword, redisUrl, ...credentials } = (this.credentials ?? {}) as AccountCredentials & ProxyCredentials & RedisCredentials;
        const proxy = resolveProxySetting(RED, config.proxy, { proxyUsername, proxyPassword });
        const connectTo = (RED.settings as { twilioConnectTo?: ConnectTo }).twilioConnectTo;
        const settings = { apiBaseUrl, timeout, maxRetries, maxConcurrent, rate, queueSize, allowedDestinations, defaultCountry, region, edge, proxy, connectTo };
        const redis = config.outboxStore === "redis" ? openRedisFor(this, redisUrl) : undefined;
        // the limits are shared with the other instances on the same Redis, under the same account key as the outbox
        const shared = redis && {
            store: redis.limitsOf(accountKey(credentials.accountSid ?? "", resolveWhere(settings).baseUrl)),
            onFailure: (reason: string | undefined) => {
                if (reason !== undefined) this.warn(RED._("twilio.outbox.limitsLocal", { where: redisWhere(redisUrl ?? ""), reason: reason.replace(redisUrl ?? "\0", "") }));
            },
        };
        this.account = new TwilioAccount(settings, credentials, shared);
        if (this.account.problem) {
            this.error(this.account.problemFailure(this.account.problem, RED._).error.error);
        } else if (this.account.proxy) {
            // the proxy's origin only: its user and password are credentials
            this.log(RED._(`twilio.where.log.proxy.${this.account.proxy.source}`, { url: this.account.baseUrl, proxy: this.account.proxy.shown }));
        }
        const recipientProblem = recipientSettingsProblem(this.account.recipients, RED._);
        if (recipientProblem) this.error(recipientProblem);
        // Redis chosen without a usable URL: from memory (as said), not the file, whose entries other instances never see
        const noStore = config.outboxStore === "redis" && !redis;
        const outbox = (this.outbox = noStore ? { close: async () => {} } : startOutbox(RED, this, this.account, config, redis));
        this.on("close", (done: () => void) => {
            // the outbox first: its requests in flight end before the account's sockets go
            void outbox.close().then(() => {
                this.account.close();
                done();
            });
        });
    }

    /** The account's Valkey/Redis store, or undefined (said: red status, the log) when its URL cannot be used. */
    function openRedisFor(node: AccountNode, url: string | undefined): OpenRedisStore | undefined {
        if (!isRedisUrl(url)) {
            node.status({ fill: "red", shape: "ring", text: RED._("twilio.outbox.unavailableStatus") });
            node.error(RED._("twilio.outbox.badRedisUrl"));
            return undefined;
        }
        return openRedisStore(url, RED._, { warn: (text) => node.warn(text), error: (text) => node.error(text) });
    }

    RED.nodes.registerType<AccountNode, AccountNodeDef, unknown, AccountCredentials & ProxyCredentials & RedisCredentials>(ACCOUNT_NODE_TYPE, TwilioAccountNode, {
        credentials: {
            accountSid: { type: "text" },
            authToken: { type: "password" },
            apiKeySid: { type: "text" },
            apiKeySecret: { type: "password" },
            proxyUsername: { type: "text" },
            proxyPassword: { type: "password" },
            // may carry a password: a credential, never shown (host:port only)
            redisUrl: { type: "password" },
        },
    });
    registerOutboxAdmin(RED);
}
