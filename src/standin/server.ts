/**
 * A local, stateful stand-in for the part of Twilio's REST API this package calls (Calls, Messages, Media:
 * create, get, list with filters and paging, delete), with Basic auth and Twilio's error bodies and codes.
 * The tests, the example flows and `npm start` use it on 127.0.0.1; it records every request it receives.
 * Like Twilio it calls the application back: status callbacks of the messages and calls it creates, and
 * simulated incoming messages, each signed with the account's auth token (to loopback URLs only).
 * This file is its public face and takes each request through: the routes of Twilio's API are in
 * api-routes.ts, its own route in incoming-message.ts, records and faults in recording-and-faults.ts, refused
 * connections in refusals.ts, the HTTP parts in http-server.ts and request-parts.ts.
 */
import { EventEmitter } from "node:events";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { Answers, type CallAnswer, type MessageAnswer } from "./answers";
import { ApiRoutes, type Reply } from "./api-routes";
import { CallbackSender, type CallbackRecord } from "./callbacks";
import { HttpServer } from "./http-server";
import { INCOMING_MESSAGE_PATH, incomingMessageRequest, type IncomingMessageOptions } from "./incoming-message";
import type { LifecycleOptions } from "./lifecycle";
import { FaultSchedule, interrupt, recordOf, resetsBeforeReading, type Answer, type Fault, type FaultPolicy, type RecordedRequest } from "./recording-and-faults";
import { watchRefusals, type RefusedConnection } from "./refusals";
import { basicAuth, isForm, readBody, toForm } from "./request-parts";
import { Store, type Account, type ApiKey } from "./store";
import { newSid, TwilioApiError } from "./twilio-format";
import { incomingMessageParams } from "./webhook-params";

export { INCOMING_MESSAGE_PATH, type IncomingMessageOptions } from "./incoming-message";
export type { Fault, FaultPolicy, RecordedRequest } from "./recording-and-faults";
export type { CallAnswer, MessageAnswer } from "./answers";
export type { RefusedConnection } from "./refusals";

/** The account every stand-in starts with. Not a secret: it only opens this local server. */
export const STANDIN_ACCOUNT_SID = "AC00000000000000000000000000000001";
export const STANDIN_AUTH_TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00";

const DEFAULT_CALLBACK_DELAY_MS = 100;

export interface StandinOptions {
    /** Keep a record of every request in `requests` (default true; a benchmark turns it off). */
    record?: boolean;
    host?: string;
    port?: number;
    /** The clock resources are dated by. */
    now?: () => Date;
    /** The pause before each status step (and its callback) of a message or call; default 100 ms. */
    callbackDelayMs?: number;
    /** Serve https with this key and certificate (PEM), e.g. under Twilio's host names in a test. */
    tls?: { key: string; cert: string };
}

/**
 * Emits "received" and "answered" with a request's record as it comes in and as its answer goes out, and
 * "refused" with each refusal recorded (recordRefusals).
 */
export class TwilioStandin extends EventEmitter {
    readonly store = new Store();
    readonly requests: RecordedRequest[] = [];
    /** Connections refused at the stand-in's address while it did not listen, once recordRefusals() was called. */
    readonly refusals: RefusedConnection[] = [];
    private readonly sender = new CallbackSender();
    /** Every request the stand-in made to an application (status callbacks, incoming messages), in order. */
    readonly callbacks: CallbackRecord[] = this.sender.records;
    private readonly http: HttpServer;
    private readonly now: () => Date;
    private readonly routes: ApiRoutes;
    private readonly faults = new FaultSchedule();
    private readonly answers = new Answers();
    private address?: AddressInfo;
    /** Requests received and not yet answered (or cut), and the highest that number has been (reset() clears it). */
    inFlight = 0;
    maxInFlight = 0;

    constructor(private readonly options: StandinOptions = {}) {
        super();
        this.now = options.now ?? (() => new Date());
        const lifecycle: LifecycleOptions = { sender: this.sender, delayMs: options.callbackDelayMs ?? DEFAULT_CALLBACK_DELAY_MS, now: this.now, answers: this.answers };
        this.store.addAccount(STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN);
        this.http = new HttpServer((req, res) => void this.serve(req, res), options.tls);
        this.routes = new ApiRoutes(this.store, lifecycle);
    }

    /**
     * Starts listening (127.0.0.1 and a free port unless told otherwise); resolves with the base URL. Started
     * again after stop(), it comes back on the same port with what it had (Twilio back after an outage).
     */
    async start(): Promise<string> {
        this.address = await this.http.listen(this.options.port ?? this.address?.port ?? 0, this.options.host ?? "127.0.0.1");
        return this.url;
    }

    get url(): string {
        if (!this.address) throw new Error("the stand-in is not started");
        return `${this.options.tls ? "https" : "http"}://${this.address.address}:${this.address.port}`;
    }

    async stop(): Promise<void> {
        this.sender.stop();
        await this.http.close();
    }

    addAccount(parentSid?: string): Account {
        return this.store.addAccount(undefined, undefined, parentSid);
    }

    addApiKey(accountSid: string = STANDIN_ACCOUNT_SID): ApiKey {
        return this.store.addApiKey(accountSid);
    }

    /** Forgets every resource, recorded request and fault. */
    reset(): void {
        this.sender.stop();
        this.callbacks.length = 0;
        this.store.clear();
        this.requests.length = 0;
        this.refusals.length = 0;
        this.maxInFlight = this.inFlight;
        this.faults.clear();
        this.answers.clear();
    }

    /**
     * From now on, calls whose TwiML holds a <Gather> are answered with these digits, posted (signed) to its
     * action URL as Twilio does (answers.ts); undefined stops it. `to` limits it to calls to one number.
     */
    answerCalls(answer: CallAnswer | undefined): void {
        this.answers.calls = answer;
    }

    /** From now on, messages the account sends are answered by SMS from their recipient, sent (signed) to `answer.url`. */
    answerMessages(answer: MessageAnswer | undefined): void {
        this.answers.messages = answer;
    }

    /** Resolves when every status sequence under way (and its callbacks) has ended. */
    whenCallbacksSettled(): Promise<void> {
        return this.sender.settled();
    }

    /**
     * Sends `url` an incoming message as Twilio does when someone texts the account's number: a signed POST with
     * Twilio's parameters. Resolves with the record of the exchange, whose body is the application's TwiML.
     */
    async simulateIncomingMessage(options: IncomingMessageOptions): Promise<CallbackRecord> {
        const account = this.store.accounts.get(options.accountSid ?? STANDIN_ACCOUNT_SID);
        if (!account) throw new TwilioApiError(404, 20404, `The account ${options.accountSid} does not exist`);
        return this.sender.post("incoming-message", options.url, incomingMessageParams(account.sid, options), account.token);
    }

    /**
     * Records in `refusals` each connection that a client in this process tries to open to the stand-in's address
     * and that is refused (refusals.ts). Needs the address before start() (the host and port options) or a start()
     * before; returns the function that stops recording.
     */
    recordRefusals(): () => void {
        const address = this.options.host ?? this.address?.address ?? "127.0.0.1";
        const port = this.options.port ?? this.address?.port;
        if (!port) throw new Error("recordRefusals needs the stand-in's port: the port option, or a start() before");
        return watchRefusals(address, port, (refusal) => {
            this.refusals.push(refusal);
            this.emit("refused", refusal);
        });
    }

    /** The next requests, one fault each, in order. */
    failNext(...faults: Fault[]): void {
        this.faults.queue(faults);
    }

    /** A fault for every later request the policy picks (after those of failNext); undefined removes it. */
    setFaultPolicy(policy: FaultPolicy | undefined): void {
        this.faults.setPolicy(policy);
    }

    /** One request: recorded, met with its fault if any, answered. */
    private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://standin.invalid");
        const record = recordOf(req, url, this.http.connectionOf(req));
        // the account's concurrency as Twilio would see it: from arrival until the answer is written or the connection cut
        this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
        res.once("close", () => this.inFlight--);
        if (this.options.record !== false) this.requests.push(record);
        this.emit("received", record);
        const fault = this.faults.next(record);
        record.fault = fault;
        const answer: Answer = (status, body, headers = {}) => {
            record.status = status;
            record.answeredAt = Date.now();
            res.writeHead(status, body === undefined ? headers : { "Content-Type": "application/json; charset=utf-8", ...headers }).end(body);
            this.emit("answered", record);
        };
        if (fault && resetsBeforeReading(fault)) return void interrupt(fault, req.socket, answer);
        const before = fault && !fault.after ? () => interrupt(fault, req.socket, answer) : undefined;
        const reply = await this.replyTo(req, url, record, before);
        if (!reply) return;
        if (fault && "delayMs" in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        if (fault?.after && interrupt(fault, req.socket, answer)) return;
        res.setHeader("Twilio-Request-Id", newSid("RQ"));
        // Twilio's clock, as its answers carry it (the outbox measures the offset from it)
        res.setHeader("Date", this.now().toUTCString());
        answer(reply.status, reply.body === undefined ? undefined : JSON.stringify(reply.body));
    }

    /**
     * Reads the request and works out its answer, a Twilio error included.
     * @param interruptBefore applies a fault that comes before processing; true when it ended the request
     * @returns undefined when that fault ended it
     */
    private async replyTo(req: http.IncomingMessage, url: URL, record: RecordedRequest, interruptBefore?: () => boolean): Promise<Reply | undefined> {
        try {
            const body = await readBody(req);
            if (isForm(req)) record.form = toForm(new URLSearchParams(body));
            const [username, password] = basicAuth(req.headers.authorization);
            record.username = username;
            if (interruptBefore?.()) return undefined;
            return url.pathname === INCOMING_MESSAGE_PATH
                ? await incomingMessageRequest(record.method, record.form, (options) => this.simulateIncomingMessage(options))
                : this.routes.route(record.method, url, username, password, record.form);
        } catch (err) {
            const failure = err instanceof TwilioApiError ? err : new TwilioApiError(500, 20500, "Internal Server Error");
            return { status: failure.status, body: { ...failure.body } };
        }
    }
}
