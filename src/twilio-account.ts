/**
 * twilio-account: the config node every Twilio node of this package points at. Its credentials live in
 * Node-RED's credential store only; it owns the one SDK client (and its sockets) the account's nodes share,
 * and the account's outbox when "Keep unsent messages on disk" is on.
 */
import type { Node, NodeAPI, NodeDef } from "node-red";
import { ACCOUNT_NODE_TYPE } from "./catalog/node-types";
import { TwilioAccount, type AccountCredentials, type AccountSettings } from "./runtime/account";
import { startOutbox, type AccountOutbox, type OutboxConfig } from "./runtime/outbox/account-outbox";
import { registerOutboxAdmin } from "./runtime/outbox/admin";

type AccountNodeDef = NodeDef & AccountSettings & OutboxConfig;

type AccountNode = Node<AccountCredentials> & { account: TwilioAccount; outbox: AccountOutbox };

export default function (RED: NodeAPI): void {
    function TwilioAccountNode(this: AccountNode, config: AccountNodeDef) {
        RED.nodes.createNode(this, config);
        const { apiBaseUrl, timeout, maxRetries, maxConcurrent, rate, queueSize } = config;
        this.account = new TwilioAccount({ apiBaseUrl, timeout, maxRetries, maxConcurrent, rate, queueSize }, { ...this.credentials });
        if (this.account.problem) this.error(RED._(`twilio.errors.${this.account.problem}`, { url: this.account.baseUrl }));
        this.outbox = startOutbox(RED, this, this.account, config);
        this.on("close", (done: () => void) => {
            // the outbox first: its requests in flight end before the account's sockets go
            void this.outbox.close().then(() => {
                this.account.close();
                done();
            });
        });
    }

    RED.nodes.registerType<AccountNode, AccountNodeDef, unknown, AccountCredentials>(ACCOUNT_NODE_TYPE, TwilioAccountNode, {
        credentials: {
            accountSid: { type: "text" },
            authToken: { type: "password" },
            apiKeySid: { type: "text" },
            apiKeySecret: { type: "password" },
        },
    });
    registerOutboxAdmin(RED);
}
