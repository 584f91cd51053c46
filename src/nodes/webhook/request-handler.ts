/**
 * A webhook request from its body to the flow: read the body, check the signature, answer a retried request
 * as its first was answered, and emit the rest as msg.payload with msg.event. Twilio is answered at once with
 * the empty <Response/>, or, for an event whose answer it reads, with the flow's reply (reply-input.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Node, NodeMessage } from "node-red";
import type { Translate } from "../../rules/translate";
import { REPLY_PROPERTY, type RequestsAwaitingReply } from "./awaiting-reply";
import { awaitsReply, classify, sidOf } from "./events";
import { payloadOf, readForm } from "./form";
import { answer, headerOf, originalUrlOf, PLAIN_TEXT } from "./http-exchange";
import { IDEMPOTENCY_HEADER, type StoredAnswer, type TokenStore } from "./idempotency";
import { isJson, readJson } from "./json-body";
import type { WebhookResponders } from "./responders";
import type { WebhookStatus } from "./status";
import type { Handler } from "./routes";
import { refusalOf, type Refused, type SignatureCheck } from "./signature-check";
import { EMPTY_TWIML, TWIML_CONTENT_TYPE } from "./twiml";

export interface WebhookRequestsSetup {
    node: Pick<Node, "warn" | "error" | "send">;
    t: Translate;
    path: string;
    /** Whether signatures are checked: a JSON body is then read raw. */
    validate: boolean;
    check: SignatureCheck;
    status: WebhookStatus;
    awaitingReply: RequestsAwaitingReply;
    /** The requests Twilio repeated, answered from here and not emitted again (idempotency.ts). */
    tokens: TokenStore;
    /** A new msg._msgid (RED.util.generateId). */
    newId: () => string;
    /** Nodes that answer some requests themselves (twilio-alert); asked after the signature check. */
    responders?: WebhookResponders;
}

/** Answers Twilio, once, and keeps the answer for a repeat of the request. */
type Reply = (status: number, contentType: string, text: string) => void;

/** The parameters events are told apart by: a JSON body that is not an object has none. */
function paramsOf(payload: unknown): Record<string, string> {
    return payload !== null && typeof payload === "object" && !Array.isArray(payload) ? (payload as Record<string, string>) : {};
}

export class WebhookRequests {
    constructor(private readonly setup: WebhookRequestsSetup) {}

    /** The route's handler: a failure of this code is logged and answered with 500. */
    readonly handler: Handler = (req, res) => {
        this.handle(req, res).catch((err: unknown) => {
            const { node, t } = this.setup;
            node.error(t("twilio.webhook.errors.unexpected", { reason: err instanceof Error ? err.message : String(err) }));
            answer(res, 500, PLAIN_TEXT, t("twilio.webhook.http.failed"));
        });
    };

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const { t, path, validate, check, tokens } = this.setup;
        const body = isJson(req) ? await readJson(req, validate) : await readForm(req);
        if (!body.ok) {
            this.setup.node.warn(t("twilio.webhook.warnings.refused", { path, status: body.status, reason: t(`twilio.webhook.body.${body.reason}`) }));
            answer(res, body.status, PLAIN_TEXT, t(`twilio.webhook.http.${body.reason}`));
            return;
        }
        const refused = refusalOf(check, req, body);
        if (refused) return this.refuse(res, refused);
        // only a request that passed the signature check may claim its token: no one else can use one up
        const token = headerOf(req, IDEMPOTENCY_HEADER);
        if (token) {
            const claim = await tokens.claim(token);
            if (claim.state !== "new") return this.answerRepeat(res, claim.state === "answered" ? claim.answer : undefined);
        }
        const reply: Reply = (status, contentType, text) => {
            answer(res, status, contentType, text);
            if (token) void tokens.settle(token, { status, contentType, body: text });
        };
        try {
            const payload = "text" in body ? body.value : payloadOf(body.entries);
            if (await this.answeredByResponder(req, payload, reply)) return;
            this.emit(payload, reply);
        } catch (err) {
            // not handled: a repeat of it is handled anew
            if (token) void tokens.release(token);
            throw err;
        }
    }

    private refuse(res: ServerResponse, refused: Refused): void {
        const { node, t, path, status } = this.setup;
        // the path and the reason only: never the token, never the signature
        const reason = t(`twilio.webhook.reasons.${refused.reason}`, { url: refused.url ?? "" });
        node.warn(t("twilio.webhook.warnings.refused", { path, status: 403, reason }));
        status.refused();
        answer(res, 403, PLAIN_TEXT, t("twilio.webhook.http.forbidden"));
    }

    /** A repeat of a request already handled: its answer again (the empty Response while the first waits). */
    private answerRepeat(res: ServerResponse, stored: StoredAnswer | undefined): void {
        if (stored) answer(res, stored.status, stored.contentType, stored.body);
        else answer(res, 200, TWIML_CONTENT_TYPE, EMPTY_TWIML);
        this.setup.status.retryAbsorbed();
    }

    /** Offers the request to the nodes registered to answer some (twilio-alert); true when one answered it. */
    private async answeredByResponder(req: IncomingMessage, payload: unknown, reply: Reply): Promise<boolean> {
        const { responders, node, t, status } = this.setup;
        if (!responders || responders.size === 0) return false;
        const params = paramsOf(payload);
        const event = classify(params);
        if (!awaitsReply(event)) return false;
        const query = new URL(originalUrlOf(req), "http://webhook.invalid").searchParams;
        const onError = (err: unknown) => node.error(t("twilio.webhook.errors.unexpected", { reason: err instanceof Error ? err.message : String(err) }));
        const answered = await responders.answer({ event, params, query }, onError);
        if (!answered) return false;
        reply(200, TWIML_CONTENT_TYPE, answered.twiml);
        status.event(event, sidOf(params));
        return true;
    }

    /** Sends the request's payload to the flow; Twilio waits for the flow's reply only where it reads one. */
    private emit(payload: unknown, reply: Reply): void {
        const { node, status, awaitingReply, newId } = this.setup;
        const params = paramsOf(payload);
        const event = classify(params);
        const sid = sidOf(params);
        const msg: NodeMessage & Record<string, unknown> = { _msgid: newId(), payload, event };
        if (sid) msg.topic = sid;
        if (awaitsReply(event)) {
            msg[REPLY_PROPERTY] = awaitingReply.add({ event, answer: (twiml) => reply(200, TWIML_CONTENT_TYPE, twiml) });
        } else {
            reply(200, TWIML_CONTENT_TYPE, EMPTY_TWIML);
        }
        status.event(event, sid);
        node.send(msg);
    }
}
