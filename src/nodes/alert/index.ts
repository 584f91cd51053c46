/**
 * The runtime of twilio-alert: an alarm per msg.topic, sent once however often it repeats, escalated by SMS and call
 * through the account (its limits, its outbox) until someone acknowledges it through the webhook node it names.
 * This file reads the settings and wires the node to its account, its webhook node and its alarm store; the
 * escalation is escalation.ts, acknowledgements ack.ts, sends sender.ts, output events.ts.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { ALERT_NODE_TYPE } from "../../catalog/node-types";
import { migrateConfig } from "../../rules/config-migrations";
import { toE164 } from "../../rules/phone-numbers";
import { recipientSettingsProblem } from "../../rules/recipient-settings";
import type { Translate } from "../../rules/translate";
import { MemoryAlarmStore, type AlarmStore } from "../../outbox/alarm-store";
import type { AccountNode } from "../account/account-node";
import type { AccountUser } from "../account/users";
import type { WebhookNode } from "../webhook/index";
import type { WebhookResponder } from "../webhook/responders";
import { AlarmBook } from "./escalation";
import { AlertSender } from "./sender";
import { readAlertSettings, type AlertConfig } from "../../rules/alert-settings";

type Done = (err?: Error) => void;

const e164 = (text: string, defaultCountry?: string) => {
    const number = toE164(text, defaultCountry);
    return number.ok ? number.value : undefined;
};

type AlertNodeConfig = NodeDef & AlertConfig;

export function registerAlertNode(RED: NodeAPI): void {
    const t: Translate = (key, substitutions) => RED._(key, substitutions);

    function TwilioAlertNode(this: Node, saved: AlertNodeConfig) {
        RED.nodes.createNode(this, saved);
        const config = migrateConfig(ALERT_NODE_TYPE, saved);
        const node = this;
        const accountNode = RED.nodes.getNode(config.account) as AccountNode | null;
        const account = accountNode?.account;
        const read = account && readAlertSettings(config, account.recipients, t, e164);
        const problem = !account ? t("twilio.errors.noAccount") : (recipientSettingsProblem(account.recipients, t) ?? (read && !read.ok ? read.problem : undefined));
        if (!account || !read?.ok || problem !== undefined) {
            node.status({ fill: "red", shape: "ring", text: t("twilio.status.notConfigured") });
            node.error(problem);
            node.on("input", (_msg: NodeMessageInFlow, _send: unknown, done: Done) => done(new Error(problem)));
            return;
        }
        const { settings } = read;

        const outbox = accountNode?.outbox?.outbox;
        // the alarms go where the account's messages wait: its outbox (the file, or Valkey/Redis) when it keeps one,
        // else this process's memory
        const store: AlarmStore = (outbox && accountNode?.outbox?.alarms) || new MemoryAlarmStore();
        const showOpen = (open: number) =>
            node.status(open > 0 ? { fill: "red", shape: "dot", text: t("twilio.alert.status.open", { n: open }) } : { fill: "green", shape: "dot", text: t("twilio.alert.status.quiet") });
        const user: AccountUser = {
            id: node.id,
            // results of this node's outbox entries that outlived the instance that stored them
            outbox: { resume: (outcome, msg) => book.delivered(msg as Parameters<AlarmBook["delivered"]>[0], outcome), showWaiting: () => {} },
        };
        const sender = new AlertSender(account, outbox, user, t);
        const book: AlarmBook = new AlarmBook({
            nodeId: node.id,
            settings,
            store,
            sender,
            t,
            emit: (msg) => node.send(msg),
            webhookUrl: () => (RED.nodes.getNode(config.webhook) as WebhookNode | null)?.publicUrl,
            log: { warn: (text) => node.warn(text), error: (text) => node.error(text) },
            showOpen,
        });
        account.register(user);

        // the webhook node may start after this one: looked up again once the flows have started
        const responder: WebhookResponder = { id: node.id, respond: (request) => book.respond(request) };
        let webhook: WebhookNode | undefined;
        const attach = () => {
            const found = RED.nodes.getNode(config.webhook) as WebhookNode | null;
            if (!found || found === webhook || typeof found.registerResponder !== "function") return;
            webhook?.deregisterResponder(responder);
            webhook = found;
            webhook.registerResponder(responder);
        };
        const onStarted = () => {
            attach();
            if (!webhook) node.warn(t("twilio.alert.errors.noWebhook"));
        };
        attach();
        RED.events.on("flows:started", onStarted);

        node.on("input", (msg: NodeMessageInFlow, _send: unknown, done: Done) => {
            const input = readInput(msg, t);
            if (typeof input === "string") return done(new Error(input));
            book.input(input.key, input.text, input.clear).then(() => done(), (err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
        });

        node.on("close", (removed: boolean, done: () => void) => {
            RED.events.removeListener("flows:started", onStarted);
            webhook?.deregisterResponder(responder);
            void book.stop(removed).then(() => {
                account.deregister(user);
                done();
            });
        });
    }

    RED.nodes.registerType(ALERT_NODE_TYPE, TwilioAlertNode);
}

/** msg.topic the key; msg.payload the text (or {text}); msg.clear = true or payload "clear" clears. */
function readInput(msg: NodeMessageInFlow, t: Translate): { key: string; text?: string; clear: boolean } | string {
    const topic = msg.topic;
    const key = typeof topic === "string" ? topic.trim() : typeof topic === "number" ? String(topic) : "";
    if (!key) return t("twilio.alert.errors.noTopic");
    const payload = msg.payload as unknown;
    const clear = (msg as { clear?: unknown }).clear === true || (typeof payload === "string" && payload.trim().toLowerCase() === "clear");
    if (clear) return { key, clear };
    let text: unknown = payload;
    if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) text = (payload as { text?: unknown }).text;
    if (typeof text === "number" || typeof text === "boolean") text = String(text);
    if (typeof text !== "string" || text.trim() === "") return t("twilio.alert.errors.noText", { key });
    return { key, text: text.trim(), clear };
}
