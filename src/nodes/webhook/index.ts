/**
 * The runtime of twilio-webhook: a POST route on RED.httpNode that checks Twilio's signature, emits the
 * request's parameters as msg.payload with msg.event, and answers Twilio with TwiML: the flow's reply when a
 * message carrying the request's msg._twilioWebhook comes back to the node's input in time, else the empty
 * <Response/>. This file reads the node's settings and wires the pieces: deploy-checks.ts, request-handler.ts
 * (with signature-check.ts and idempotency.ts), reply-input.ts and status.ts.
 */
import type { Node, NodeAPI, NodeDef } from "node-red";
import { WEBHOOK_NODE_TYPE } from "../../catalog/node-types";
import { migrateConfig } from "../../rules/config-migrations";
import { nodeRootPrefix, parsePublicBaseUrl, replyTimeoutMs, webhookUrl } from "../../rules/public-url";
import type { Translate } from "../../rules/translate";
import type { AccountNode } from "../account/account-node";
import { RequestsAwaitingReply } from "./awaiting-reply";
import { reportSignatureCheck, servingOf } from "./deploy-checks";
import { MemoryTokenStore } from "./idempotency";
import { WebhookStatus } from "./status";
import { replyInput } from "./reply-input";
import { WebhookRequests } from "./request-handler";
import { WebhookResponders, type WebhookResponder } from "./responders";
import { addRoute, middlewareOf, removeRoute, type ExpressApp } from "./routes";
import { signatureCheckOf } from "./signature-check";
import { EMPTY_TWIML } from "./twiml";

interface WebhookNodeDef extends NodeDef {
    account: string;
    path: string;
    publicBaseUrl?: string;
    validate?: boolean | string;
    replyTimeout?: number | string;
}

/** A deployed webhook node as other nodes see it: postMessage and createCall take its URL as StatusCallback. */
export interface WebhookNode extends Node {
    /** The URL Twilio reaches this node at; undefined when the public base URL is not set or not usable. */
    publicUrl?: string;
    /** A node that answers some requests itself (twilio-alert) starts and stops listening; see responders.ts. */
    registerResponder(responder: WebhookResponder): void;
    deregisterResponder(responder: WebhookResponder): void;
}

export function registerWebhookNode(RED: NodeAPI): void {
    const t: Translate = (key, substitutions) => RED._(key, substitutions);

    function TwilioWebhookNode(this: WebhookNode & { responders: WebhookResponders }, saved: WebhookNodeDef) {
        RED.nodes.createNode(this, saved);
        const responders = (this.responders = new WebhookResponders());
        this.registerResponder = (responder) => responders.add(responder);
        this.deregisterResponder = (responder) => responders.remove(responder);
        startWebhook(RED, t, this, migrateConfig(WEBHOOK_NODE_TYPE, saved));
    }

    RED.nodes.registerType(WEBHOOK_NODE_TYPE, TwilioWebhookNode);
}

/** Serves the node's route until the node closes, or says at deploy why it cannot. */
function startWebhook(RED: NodeAPI, t: Translate, node: WebhookNode & { responders: WebhookResponders }, config: WebhookNodeDef): void {
    const account = (RED.nodes.getNode(config.account) as AccountNode | null)?.account;
    const path = typeof config.path === "string" ? config.path.trim() : "";
    const validate = config.validate !== false && config.validate !== "false";
    const timeoutMs = replyTimeoutMs(config.replyTimeout);
    const base = parsePublicBaseUrl(config.publicBaseUrl);
    const status = new WebhookStatus(node, t, validate);

    const serving = servingOf(t, path, nodeRootPrefix(RED.settings.httpNodeRoot), RED.httpNode as unknown as ExpressApp | undefined);
    if (!serving.ok) {
        node.error(serving.problem);
        status.notServing();
        return;
    }
    if (base.ok) node.publicUrl = webhookUrl(base.url, serving.root, path);
    const check = signatureCheckOf(validate, account?.webhooks, base);
    reportSignatureCheck(node, t, status, check, path);

    const awaitingReply = new RequestsAwaitingReply(timeoutMs, (request) => request.answer(EMPTY_TWIML));
    const tokens = new MemoryTokenStore();
    const { handler } = new WebhookRequests({ node, t, path, validate, check, status, awaitingReply, tokens, newId: () => RED.util.generateId(), responders: node.responders });
    addRoute(serving.app, path, handler, middlewareOf(RED.settings.httpNodeMiddleware));
    // known to its account while it serves; its status is its own: Twilio reaching this route says
    // nothing about this side reaching Twilio, so the account's reachability is not shown here
    const user = { id: node.id };
    account?.register(user);

    node.on("input", replyInput(node, t, awaitingReply, path, timeoutMs));
    node.on("close", (_removed: boolean, done: () => void) => {
        // Twilio is not left waiting for a flow that is gone
        awaitingReply.answerAll(EMPTY_TWIML);
        removeRoute(serving.app, path, handler);
        account?.deregister(user);
        done();
    });
}
