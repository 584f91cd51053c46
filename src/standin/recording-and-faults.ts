/**
 * What the stand-in does to each request besides answering it, for tests to read and steer: it keeps a record
 * of it (TwilioStandin.requests: what came in, on which connection, how and when it was answered), and meets
 * it with the fault a test asked for (queued ones first, then a policy).
 */
import type http from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Form } from "./resources";
import { toForm } from "./request-parts";
import { TwilioApiError } from "./twilio-format";

export interface RecordedRequest {
    method: string;
    path: string;
    query: Form;
    form: Form;
    /** Request headers, without Authorization. */
    headers: Record<string, string>;
    /** The Basic auth user name (Account or API key Sid), if any. */
    username?: string;
    status: number;
    /** Which TCP connection carried it (numbered from 1): shows keep-alive at work. */
    connection: number;
    /** When it arrived and when it was answered (ms since epoch; 0: never answered). */
    receivedAt: number;
    answeredAt: number;
    /** The fault it met, if any. */
    fault?: Fault;
    /** Over TLS: the server name the client asked for (SNI). */
    servername?: string;
}

/** The record of a request as it arrives: its form, status and answer time are filled in later. */
export function recordOf(req: http.IncomingMessage, url: URL, connection: number): RecordedRequest {
    const { authorization: _authorization, ...headers } = req.headers;
    const record: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: toForm(url.searchParams),
        form: {},
        headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)])),
        status: 0,
        connection,
        receivedAt: Date.now(),
        answeredAt: 0,
    };
    const servername = (req.socket as Partial<TLSSocket>).servername;
    if (typeof servername === "string") record.servername = servername;
    return record;
}

/**
 * What the stand-in does with a request instead of answering it normally: answer an error status (with
 * headers such as Retry-After), never answer, reset the connection, or answer late. By default the fault
 * comes before the request is processed (nothing happened); with `after: true` the request is processed
 * first (a call or message is created) and then the answer is lost or replaced: Twilio acted, the client
 * cannot know.
 */
export type Fault = (
    | { status: number; code?: number; message?: string; body?: string; headers?: Record<string, string> }
    | { hang: true }
    | { reset: true }
    | { delayMs: number }
) & { after?: boolean };

/** Decides a fault for each request that has no queued one (failNext); undefined answers normally. */
export type FaultPolicy = (request: RecordedRequest) => Fault | undefined;

/** Writes an answer: a status, a JSON body (none for 204) and extra headers. */
export type Answer = (status: number, body: string | undefined, headers?: Record<string, string>) => void;

export class FaultSchedule {
    private readonly queued: Fault[] = [];
    private policy?: FaultPolicy;

    /** The next requests, one fault each, in order. */
    queue(faults: Fault[]): void {
        this.queued.push(...faults);
    }

    setPolicy(policy: FaultPolicy | undefined): void {
        this.policy = policy;
    }

    /** The fault this request meets, if any; takes a queued one. */
    next(request: RecordedRequest): Fault | undefined {
        return this.queued.shift() ?? this.policy?.(request);
    }

    clear(): void {
        this.queued.length = 0;
        this.policy = undefined;
    }
}

/** Whether the fault cuts the connection before the request is read; other faults read it first. */
export function resetsBeforeReading(fault: Fault): boolean {
    return !fault.after && "reset" in fault;
}

/** Applies a fault that ends the request; false for one that only delays it. */
export function interrupt(fault: Fault, socket: Socket, answer: Answer): boolean {
    if ("reset" in fault) socket.destroy();
    else if ("status" in fault) {
        const error = new TwilioApiError(fault.status, fault.code ?? 20500, fault.message ?? "Service unavailable");
        answer(fault.status, fault.body ?? JSON.stringify(error.body), fault.headers);
    }
    return !("delayMs" in fault); // a hang simply never answers: stop() closes the connection
}
