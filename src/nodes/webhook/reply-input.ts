/**
 * The webhook node's input: a flow's reply to a request that awaits one, found by the msg property the
 * node's message carried, and sent to Twilio as TwiML. A reply Twilio cannot use is warned about and
 * Twilio gets the empty <Response/> instead.
 */
import type { Node, NodeMessageInFlow } from "node-red";
import type { Translate } from "../../rules/translate";
import { REPLY_PROPERTY, type RequestsAwaitingReply } from "./awaiting-reply";
import { EMPTY_TWIML, replyTwiml } from "./twiml";

export type InputListener = (msg: NodeMessageInFlow, send: unknown, done: (err?: Error) => void) => void;

/** @param path and timeoutMs only for the warnings */
export function replyInput(node: Pick<Node, "warn">, t: Translate, awaitingReply: RequestsAwaitingReply, path: string, timeoutMs: number): InputListener {
    return (msg, _send, done) => {
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
    };
}
