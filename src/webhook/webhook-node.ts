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
import { payloadOf, readForm, signedParams, type FormEntries } from "./form";
import { PendingReplies } from "./pending";
import { nodeRootPrefix, parsePublicBaseUrl, signedUrl, WEBHOOK_PATH_PATTERN, webhookUrl } from "./public-url";
import { addRoute, isServed, middlewareOf, removeRoute, type Handler } from "./routes";
import { EMPTY_TWIML, replyTwiml, TWIML_CONTENT_TYPE } from "./twiml";

/** The msg property that ties a reply to its request; underscore properties pass through flows unchanged. */
export const REPLY_PROPERTY = "_twilioWebhook";

/** Seconds to wait for the flow's reply: the default, and the bound it must stay below (Twilio waits 15 s). */
export const REPLY_TIMEOUT = { default: 5, below: 15 } as const;

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

/** Why a request is refused with 403: a key of twilio.webhook.reasons in the message catalog. */
type Refusal = "noAccount" | "noToken" | "noBaseUrl" | "missing" | "mismatch";

export function replyTimeoutMs(value: unknown): number {
    const seconds = value === "" || value === undefined || value === null ? NaN : Number(value);
    return (Number.isFinite(seconds) && seconds > 0 && seconds < REPLY_TIMEOUT.below ? seconds : REPLY_TIMEOUT.default) * 1000;
}

function originalUrlOf(req: IncomingMessage): string {
    return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
}

/** Answers once; a client that has gone away gets nothing. */
function answer(res: ServerResponse, status: number, contentType: string, body: string): void {
    if (res.headersSent || res.writableEnded || res.destroyed) return;
    res.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-store" }).end(body);
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

        // what makes every request fail its signature check, said once at deploy rather than per request
        const setupProblem: Refusal | undefined = !validate ? undefined : !account ? "noAccount" : !account.canVerifyWebhooks ? "noToken" : !base.ok ? "noBaseUrl" : undefined;
        if (!validate) {
            node.warn(t("twilio.webhook.warnings.validationOff", { path }));
            node.status({ fill: "yellow", shape: "ring", text: t("twilio.webhook.status.unchecked", { path }) });
        } else if (setupProblem) {
            node.error(t("twilio.webhook.errors.refusesAll", { path, reason: t(`twilio.webhook.reasons.${setupProblem}`, { url: "" }) }));
            node.status({ fill: "red", shape: "ring", text: t(`twilio.webhook.status.${setupProblem}`) });
        }

        const pending = new PendingReplies(timeoutMs, (request) => request.answer(EMPTY_TWIML));

        function refusal(req: IncomingMessage, entries: FormEntries): { reason: Refusal; url?: string } | undefined {
            if (setupProblem) return { reason: setupProblem };
            const signature = headerOf(req, "x-twilio-signature");
            if (!signature) return { reason: "missing" };
            const url = signedUrl((base as { url: string }).url, originalUrlOf(req));
            if (account!.verifyWebhook(signature, url, signedParams(entries))) return undefined;
            // the URL without its query: a query may carry what the user would rather not see in a log
            return { reason: "mismatch", url: url.split("?")[0] };
        }

        function showEvent(event: WebhookEvent, sid: string | undefined): void {
            const text = t("twilio.webhook.status.event", { event, sid: sid ?? "" }).trim();
            node.status({ fill: validate ? "green" : "yellow", shape: "dot", text });
        }

        async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
            const form = await readForm(req);
            if (!form.ok) {
                node.warn(t("twilio.webhook.warnings.refused", { path, status: form.status, reason: t(`twilio.webhook.body.${form.reason}`) }));
                answer(res, form.status, "text/plain; charset=utf-8", t(`twilio.webhook.http.${form.reason}`));
                return;
            }
            const refused = validate ? refusal(req, form.entries) : undefined;
            if (refused) {
                // the path and the reason only: never the token, never the signature
                const reason = t(`twilio.webhook.reasons.${refused.reason}`, { url: refused.url ?? "" });
                node.warn(t("twilio.webhook.warnings.refused", { path, status: 403, reason }));
                node.status({ fill: "red", shape: "ring", text: t("twilio.webhook.status.refused") });
                answer(res, 403, "text/plain; charset=utf-8", t("twilio.webhook.http.forbidden"));
                return;
            }
            const payload = payloadOf(form.entries);
            const event = classify(payload);
            const sid = sidOf(payload);
            const msg: NodeMessage & Record<string, unknown> = { _msgid: RED.util.generateId(), payload, event };
            if (sid) msg.topic = sid;
            if (awaitsReply(event)) {
                msg[REPLY_PROPERTY] = pending.add({ event, answer: (twiml) => answer(res, 200, TWIML_CONTENT_TYPE, twiml) });
            } else {
                answer(res, 200, TWIML_CONTENT_TYPE, EMPTY_TWIML);
            }
            showEvent(event, sid);
            node.send(msg);
        }

        const handler: Handler = (req, res) => {
            handle(req, res).catch((err: unknown) => {
                node.error(t("twilio.webhook.errors.unexpected", { reason: err instanceof Error ? err.message : String(err) }));
                answer(res, 500, "text/plain; charset=utf-8", t("twilio.webhook.http.failed"));
            });
        };
        addRoute(routeApp, path, handler, middlewareOf(RED.settings.httpNodeMiddleware));

        node.on("input", (msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
            const id = (msg as NodeMessageInFlow & Record<string, unknown>)[REPLY_PROPERTY];
            if (typeof id !== "string" || id === "") {
                node.warn(t("twilio.webhook.warnings.noRequest", { property: REPLY_PROPERTY }));
                return done();
            }
            const request = pending.take(id);
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
            pending.answerAll(EMPTY_TWIML);
            removeRoute(routeApp, path, handler);
            done();
        });
    }

    RED.nodes.registerType(WEBHOOK_NODE_TYPE, TwilioWebhookNode);
}
