/**
 * Nodes that answer some of a webhook's requests themselves (twilio-alert: an acknowledgement by SMS reply or by a
 * keypress during its call). They register with the webhook node they name, as core's MQTT nodes register with
 * their broker node, and deregister when they close. A request is offered to them only after its signature was
 * checked, and only when Twilio reads the answer (an incoming message, a call's request for TwiML, which a
 * <Gather>'s answer is). A request one of them answers is not emitted to the flow: its node emits what it did.
 */
import type { WebhookEvent } from "./events";

export interface OfferedRequest {
    event: WebhookEvent;
    /** Twilio's parameters (From, To, Body, Digits, CallSid ...). */
    params: Readonly<Record<string, string>>;
    /** The query of the URL Twilio called (a <Gather>'s action URL says what it is about there). */
    query: URLSearchParams;
}

/** What a responder made of a request: acknowledged something, or refused it; either way Twilio gets the TwiML. */
export interface ResponderAnswer {
    outcome: "acknowledged" | "refused";
    twiml: string;
}

export interface WebhookResponder {
    readonly id: string;
    /** Undefined: not this responder's business. */
    respond(request: OfferedRequest): Promise<ResponderAnswer | undefined>;
}

export class WebhookResponders {
    private readonly responders: WebhookResponder[] = [];

    add(responder: WebhookResponder): void {
        if (!this.responders.includes(responder)) this.responders.push(responder);
    }

    remove(responder: WebhookResponder): void {
        const index = this.responders.indexOf(responder);
        if (index >= 0) this.responders.splice(index, 1);
    }

    get size(): number {
        return this.responders.length;
    }

    /**
     * Each responder in turn: the first acknowledgement wins; otherwise the first refusal; otherwise undefined (the
     * flow gets the request as before). A responder that throws is passed over.
     */
    async answer(request: OfferedRequest, onError: (err: unknown) => void): Promise<ResponderAnswer | undefined> {
        let refusal: ResponderAnswer | undefined;
        for (const responder of [...this.responders]) {
            let answer: ResponderAnswer | undefined;
            try {
                answer = await responder.respond(request);
            } catch (err) {
                onError(err);
                continue;
            }
            if (answer?.outcome === "acknowledged") return answer;
            refusal ??= answer;
        }
        return refusal;
    }
}
