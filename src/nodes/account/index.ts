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
import { registerOutboxAdmin } from "./outbox-admin";
import { recipientSettingsProblem } from "../../rules/recipient-settings";

type AccountNodeDef = NodeDef & Omit<AccountSettings, "proxy" | "connectTo"> & { proxy?: string } & OutboxConfig;

export default function (RED: NodeAPI): void {
    function TwilioAccountNode(this: AccountNode, saved: AccountNodeDef) {
        RED.nodes.createNode(this, saved);
        const config = migrateConfig(ACCOUNT_NODE_TYPE, saved);
        const { apiBaseUrl, timeout, maxRetries, maxConcurrent, rate, queueSize, allowedDestinations, defaultCountry, region, edge } = config;
        const { proxyUsername, proxyPassword, ...credentials } = this.credentials ?? {};
        const proxy = resolveProxySetting(RED, config.proxy, { proxyUsername, proxyPassword });
        const connectTo = (RED.settings as { twilioConnectTo?: ConnectTo }).twilioConnectTo;
        const settings = { apiBaseUrl, timeout, maxRetries, maxConcurrent, rate, queueSize, allowedDestinations, defaultCountry, region, edge, proxy, connectTo };
        this.account = new TwilioAccount(settings, credentials);
        if (this.account.problem) {
            this.error(this.account.problemFailure(this.account.problem, RED._).error.error);
        } else if (this.account.proxy) {
            // the proxy's origin only: its user and password are credentials
            this.log(RED._(`twilio.where.log.proxy.${this.account.proxy.source}`, { url: this.account.baseUrl, proxy: this.account.proxy.shown }));
        }
        const recipientProblem = recipientSettingsProblem(this.account.recipients, RED._);
        if (recipientProblem) this.error(recipientProblem);
        const outbox = (this.outbox = startOutbox(RED, this, this.account, config));
        this.on("close", (done: () => void) => {
            // the outbox first: its requests in flight end before the account's sockets go
            void outbox.close().then(() => {
                this.account.close();
                done();
            });
        });
    }

    RED.nodes.registerType<AccountNode, AccountNodeDef, unknown, AccountCredentials & ProxyCredentials>(ACCOUNT_NODE_TYPE, TwilioAccountNode, {
        credentials: {
            accountSid: { type: "text" },
            authToken: { type: "password" },
            apiKeySid: { type: "text" },
            apiKeySecret: { type: "password" },
            proxyUsername: { type: "text" },
            proxyPassword: { type: "password" },
        },
    });
    registerOutboxAdmin(RED);
}
