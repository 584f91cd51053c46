/**
 * The runtime of twilio-webhook: a POST route on RED.httpNode that checks Twilio's signature, emits the
 * request's parameters as msg.payload with msg.event, and answers Twilio with TwiML: the flow's reply when a
 * message carrying the request's msg._twilioWebhook comes back to the node's input in time, else the empty
 * <Response/>.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { WEBHOOK_NODE_TYPE } from "../catalog/node-types";
import { migrateConfig } from "../rules/config-migrations";
import type { Translate } from "../rules/translate";
import type { AccountNode } from "../runtime/account-node";
import { awaitsReply, classify, sidOf, type WebhookEvent } from "./events";
import { payloadOf, readForm } from "./form";
import { answer, headerOf } from "./http-exchange";
import { IDEMPOTENCY_HEADER, MemoryTokenStore, type StoredAnswer, type TokenStore } from "./idempotency";
import { isJson, readJson } from "./json-body";
import { RequestsAwaitingReply } from "./awaiting-reply";
import { nodeRootPrefix, parsePublicBaseUrl, replyTimeoutMs, WEBHOOK_PATH_PATTERN, webhookUrl } from "../rules/public-url";
import { addRoute, isServed, middlewareOf, removeRoute, type Handler } from "./routes";
import { refusalOf, signatureCheckOf, type SignatureCheck } from "./signature-check";
import { EMPTY_TWIML, replyTwiml, TWIML_CONTENT_TYPE } from "./twiml";

/** The msg property that ties a reply to its request; underscore properties pass through flows unchanged. */
export const REPLY_PROPERTY = "_twilioWebhook";


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
}

/** The parameters events are told apart by: a JSON body that is not an object has none. */
function paramsOf(payload: unknown): Record<string, string> {
    return payload !== null && typeof payload === "object" && !Array.isArray(payload) ? (payload as Record<string, string>) : {};
}

export function registerWebhookNode(RED: NodeAPI): void {
    const t: Translate = (key, substitutions) => RED._(key, substitutions);

    function TwilioWebhookNode(this: WebhookNode, saved: WebhookNodeDef) {
        RED.nodes.createNode(this, saved);
        const config = migrateConfig(WEBHOOK_NODE_TYPE, saved);
        const node = this;
        const account = (RED.nodes.getNode(config.account) as AccountNode | null)?.account;
        const path = typeof config.path === "string" ? config.path.trim() : "";
        const validate = config.validate !== false && config.validate !== "false";
        const timeoutMs = replyTimeoutMs(config.replyTimeout);
        const base = parsePublicBaseUrl(config.publicBaseUrl);
        const root = nodeRootPrefix(RED.settings.httpNodeRoot);
        const app = RED.httpNode as unknown as Parameters<typeof addRoute>[0] | undefined;

        const notServing = !WEBHOOK_PATH_PATTERN.test(path)
            ? t("twilio.webhook.errors.badPath", { path })
            : root === undefined || !app
              ? t("twilio.webhook.errors.noNodeRoot")
              : isServed(app, path)
                ? t("twilio.webhook.errors.pathInUse", { path })
                : undefined;
        if (notServing) {
            node.error(notServing);
            node.status({ fill: "red", shape: "ring", text: t("twilio.webhook.status.notServing") });
            return;
        }
        const routeApp = app!;
        if (base.ok) node.publicUrl = webhookUrl(base.url, root!, path);

        const check: SignatureCheck = signatureCheckOf(validate, account?.webhooks, base);
        if (check.kind === "off") {
            node.warn(t("twilio.webhook.warnings.validationOff", { path }));
            node.status({ fill: "yellow", shape: "ring", text: t("twilio.webhook.status.unchecked", { path }) });
        } else if (check.kind === "refuseAll") {
            node.error(t("twilio.webhook.errors.refusesAll", { path, reason: t(`twilio.webhook.reasons.${check.problem}`, { url: "" }) }));
            node.status({ fill: "red", shape: "ring", text: t(`twilio.webhook.status.${check.problem}`) });
        }

        const awaitingReply = new RequestsAwaitingReply(timeoutMs, (request) => request.answer(EMPTY_TWIML));
        // the requests Twilio repeated, answered from here and not emitted again (idempotency.ts)
        const tokens: TokenStore = new MemoryTokenStore();
        let retriesAbsorbed = 0;

        function showEvent(event: WebhookEvent, sid: string | undefined): void {
            const shown = t("twilio.webhook.status.event", { event, sid: sid ?? "" }).trim();
            const text = retriesAbsorbed > 0 ? t("twilio.webhook.retries.status", { text: shown, count: retriesAbsorbed }) : shown;
            node.status({ fill: validate ? "green" : "yellow", shape: "dot", text });
        }

        /** A repeat of a request already handled: its answer again (the empty Response while the first waits). */
        function answerRepeat(res: ServerResponse, stored: StoredAnswer | undefined): void {
            retriesAbsorbed++;
            if (stored) answer(res, stored.status, stored.contentType, stored.body);
            else answer(res, 200, TWIML_CONTENT_TYPE, EMPTY_TWIML);
            node.status({ fill: validate ? "green" : "yellow", shape: "ring", text: t("twilio.webhook.retries.absorbed", { count: retriesAbsorbed }) });
        }

        async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
            const json = isJson(req);
            const body = json ? await readJson(req, validate) : await readForm(req);
            if (!body.ok) {
                node.warn(t("twilio.webhook.warnings.refused", { path, status: body.status, reason: t(`twilio.webhook.body.${body.reason}`) }));
                answer(res, body.status, "text/plain; charset=utf-8", t(`twilio.webhook.http.${body.reason}`));
                return;
            }
            const refused = refusalOf(check, req, body);
            if (refused) {
                // the path and the reason only: never the token, never the signature
                const reason = t(`twilio.webhook.reasons.${refused.reason}`, { url: refused.url ?? "" });
                node.warn(t("twilio.webhook.warnings.refused", { path, status: 403, reason }));
                node.status({ fill: "red", shape: "ring", text: t("twilio.webhook.status.refused") });
                answer(res, 403, "text/plain; charset=utf-8", t("twilio.webhook.http.forbidden"));
                return;
            }
            // only a request that passed the signature check may claim its token: no one else can use one up
            const token = headerOf(req, IDEMPOTENCY_HEADER);
            if (token) {
                const claim = await tokens.claim(token);
                if (claim.state !== "new") return answerRepeat(res, claim.state === "answered" ? claim.answer : undefined);
            }
            const reply = (status: number, contentType: string, text: string) => {
                answer(res, status, contentType, text);
                if (token) void tokens.settle(token, { status, contentType, body: text });
            };
            try {
                const payload = "text" in body ? body.value : payloadOf(body.entries);
                const params = paramsOf(payload);
                const event = classify(params);
                const sid = sidOf(params);
                const msg: NodeMessage & Record<string, unknown> = { _msgid: RED.util.generateId(), payload, event };
                if (sid) msg.topic = sid;
                if (awaitsReply(event)) {
                    msg[REPLY_PROPERTY] = awaitingReply.add({ event, answer: (twiml) => reply(200, TWIML_CONTENT_TYPE, twiml) });
                } else {
                    reply(200, TWIML_CONTENT_TYPE, EMPTY_TWIML);
                }
                showEvent(event, sid);
                node.send(msg);
            } catch (err) {
                // not handled: a repeat of it is handled anew
                if (token) void tokens.release(token);
                throw err;
            }
        }

        const handler: Handler = (req, res) => {
            handle(req, res).catch((err: unknown) => {
                node.error(t("twilio.webhook.errors.unexpected", { reason: err instanceof Error ? err.message : String(err) }));
                answer(res, 500, "text/plain; charset=utf-8", t("twilio.webhook.http.failed"));
            });
        };
        addRoute(routeApp, path, handler, middlewareOf(RED.settings.httpNodeMiddleware));
        // known to its account while it serves; its status is its own: Twilio reaching this route says
        // nothing about this side reaching Twilio, so the account's reachability is not shown here
        const user = { id: node.id };
        account?.register(user);

        node.on("input", (msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
            const id = (msg as NodeMessageInFlow & Record<string, unknown>)[REPLY_PROPERTY];
            if (typeof id !== "string" || id === "") {
                node.warn(t("twilio.webhook.warnings.noRequest", { property: REPLY_PROPERTY }));
                return done();
            }
            const request = awaitingReply.take(id);
            if (!request) {
                node.warn(t("twilio.webhook.warnings.late", { path, seconds: timeoutMs / 1000 }));
                return done();
            }
            const reply = replyTwiml(request.event, msg.payload);
            if (reply.ok) {
                request.answer(reply.twiml);
            } else {
                const detail = reply.xml ? t(`twilio.webhook.xml.${reply.xml.problem}`, { name: reply.xml.name ?? "" }) : "";
                node.warn(t(`twilio.webhook.reply.${reply.problem}`, { path, detail }));
                request.answer(EMPTY_TWIML);
            }
            done();
        });

        node.on("close", (_removed: boolean, done: () => void) => {
            // Twilio is not left waiting for a flow that is gone
            awaitingReply.answerAll(EMPTY_TWIML);
            removeRoute(routeApp, path, handler);
            account?.deregister(user);
            done();
        });
    }

    RED.nodes.registerType(WEBHOOK_NODE_TYPE, TwilioWebhookNode);
}
