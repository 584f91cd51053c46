/**
 * Webhook requests that wait for the flow's reply: each is answered exactly once, by the reply, by the
 * timeout (with the empty Response) or when the node closes.
 */
import { randomUUID } from "node:crypto";
import type { WebhookEvent } from "./events";

/** The msg property that ties a reply to its request; underscore properties pass through flows unchanged. */
export const REPLY_PROPERTY = "_twilioWebhook";

export interface RequestAwaitingReply {
    event: WebhookEvent;
    /** Sends the TwiML to Twilio; called once. */
    answer(twiml: string): void;
}

export class RequestsAwaitingReply {
    private readonly waiting = new Map<string, RequestAwaitingReply & { timer: NodeJS.Timeout }>();

    /**
     * @param onTimeout answers a request nobody replied to in time (the empty Response)
     */
    constructor(
        private readonly timeoutMs: number,
        private readonly onTimeout: (request: RequestAwaitingReply, id: string) => void,
    ) {}

    get size(): number {
        return this.waiting.size;
    }

    /** Registers a request and returns the id a reply must carry. */
    add(request: RequestAwaitingReply): string {
        const id = randomUUID();
        const timer = setTimeout(() => {
            this.waiting.delete(id);
            this.onTimeout(request, id);
        }, this.timeoutMs);
        this.waiting.set(id, { ...request, timer });
        return id;
    }

    /** The request with this id, removed from the waiting ones; undefined if it was answered or never existed. */
    take(id: string): RequestAwaitingReply | undefined {
        const request = this.waiting.get(id);
        if (!request) return undefined;
        clearTimeout(request.timer);
        this.waiting.delete(id);
        return request;
    }

    /** Answers every waiting request at once (the node is closing). */
    answerAll(twiml: string): void {
        for (const id of [...this.waiting.keys()]) this.take(id)?.answer(twiml);
    }
}
