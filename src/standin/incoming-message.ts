/**
 * The stand-in's own route, not part of Twilio's API: POST INCOMING_MESSAGE_PATH (form Url, From, To, Body,
 * MediaUrl, optional AccountSid) has the stand-in send Url an incoming message, as Twilio does when someone
 * texts the account's number; the answer describes the exchange with the application.
 */
import { methodNotAllowed, type Reply } from "./api-routes";
import type { CallbackRecord } from "./callbacks";
import type { Form } from "./resources";
import { TwilioApiError } from "./twilio-format";
import type { InboundMessage } from "./webhook-params";

export const INCOMING_MESSAGE_PATH = "/standin/incoming-message";

export interface IncomingMessageOptions extends InboundMessage {
    /** The application's URL, e.g. a twilio-webhook node's: loopback only. */
    url: string;
    /** The account the message is to (its token signs the request); default the stand-in's own. */
    accountSid?: string;
}

/** @param simulate sends the message (TwilioStandin.simulateIncomingMessage) */
export async function incomingMessageRequest(method: string, form: Form, simulate: (options: IncomingMessageOptions) => Promise<CallbackRecord>): Promise<Reply> {
    if (method !== "POST") methodNotAllowed();
    const value = (name: string) => {
        const field = form[name];
        return Array.isArray(field) ? field[field.length - 1] : field;
    };
    const [url, from, to] = [value("Url"), value("From"), value("To")];
    if (!url || !from || !to) throw new TwilioApiError(400, 21604, "Url, From and To are required.");
    const mediaUrl = form.MediaUrl;
    const record = await simulate({
        url,
        from,
        to,
        body: value("Body"),
        mediaUrls: mediaUrl === undefined ? undefined : Array.isArray(mediaUrl) ? mediaUrl : [mediaUrl],
        accountSid: value("AccountSid"),
    });
    if (record.error === "not loopback") throw new TwilioApiError(400, 21609, `Url must be on this machine (loopback): ${url}`);
    return {
        status: 200,
        body: {
            message_sid: record.params.MessageSid,
            status: record.status,
            content_type: record.contentType ?? null,
            body: record.body ?? null,
            error: record.error ?? null,
        },
    };
}
