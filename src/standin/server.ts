/**
 * A local, stateful stand-in for the part of Twilio's REST API this package calls (Calls, Messages, Media:
 * create, get, list with filters and paging, delete), with Basic auth and Twilio's error bodies and codes.
 * The tests, the example flows and `npm start` use it on 127.0.0.1; it records every request it receives.
 * Like Twilio it calls the application back: status callbacks of the messages and calls it creates, and
 * simulated incoming messages, each signed with the account's auth token (to loopback URLs only).
 * The routes of Twilio's API are in api-routes.ts, the stand-in's own route in incoming-message.ts.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { EventEmitter } from "node:events";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { ApiRoutes, type Reply } from "./api-routes";
import { CallbackSender, type CallbackRecord } from "./callbacks";
import { INCOMING_MESSAGE_PATH, incomingMessageRequest, type IncomingMessageOptions } from "./incoming-message";
import type { LifecycleOptions } from "./lifecycle";
import type { Form } from "./resources";
import { Store, type Account, type ApiKey } from "./store";
import { newSid, TwilioApiError } from "./twilio-format";
import { incomingMessageParams } from "./webhook-params";

export { INCOMING_MESSAGE_PATH, type IncomingMessageOptions } from "./incoming-message";

/** The account every stand-in starts with. Not a secret: it only opens this local server. */
export const STANDIN_ACCOUNT_SID = "AC00000000000000000000000000000001";
export const STANDIN_AUTH_TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00";

const DEFAULT_CALLBACK_DELAY_MS = 100;

const MAX_BODY_BYTES = 1 << 20;

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

/** A connection a client of this process tried to open to the stand-in's address, refused: nothing listened. */
export interface RefusedConnection {
    address: string;
    port: number;
    /** When the client saw the refusal (ms since epoch). */
    at: number;
}

/** Decides a fault for each request that has no queued one (failNext); undefined answers normally. */
export type FaultPolicy = (request: RecordedRequest) => Fault | undefined;

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

/** Repeated keys become a list, as the SDK sends lists (MediaUrl=a&MediaUrl=b). */
function toForm(params: URLSearchParams): Form {
    const form: Form = {};
    for (const [name, value] of params) {
        const previous = form[name];
        form[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    return form;
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
    private readonly lifecycle: LifecycleOptions;
    private readonly server: http.Server;
    private readonly now: () => Date;
    private readonly routes: ApiRoutes;
    private address?: AddressInfo;
    private readonly faults: Fault[] = [];
    private faultPolicy?: FaultPolicy;
    private readonly connectionIds = new WeakMap<object, number>();
    private connections = 0;

    constructor(private readonly options: StandinOptions = {}) {
        super();
        this.now = options.now ?? (() => new Date());
        this.lifecycle = { sender: this.sender, delayMs: options.callbackDelayMs ?? DEFAULT_CALLBACK_DELAY_MS, now: this.now };
        this.store.addAccount(STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN);
        const serve = (req: http.IncomingMessage, res: http.ServerResponse) => void this.serve(req, res);
        this.server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, serve) : http.createServer(serve);
        // over TLS a request's socket is the TLS socket, which "secureConnection" gives
        this.server.on(options.tls ? "secureConnection" : "connection", (socket: object) => this.connectionIds.set(socket, ++this.connections));
        this.routes = new ApiRoutes(this.store, this.lifecycle);
    }

    /**
     * Starts listening (127.0.0.1 and a free port unless told otherwise); resolves with the base URL. Started
     * again after stop(), it comes back on the same port with what it had (Twilio back after an outage).
     */
    async start(): Promise<string> {
        await new Promise<void>((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(this.options.port ?? this.address?.port ?? 0, this.options.host ?? "127.0.0.1", () => {
                this.server.removeListener("error", reject);
                resolve();
            });
        });
        this.address = this.server.address() as AddressInfo;
        return this.url;
    }

    get url(): string {
        if (!this.address) throw new Error("the stand-in is not started");
        return `${this.options.tls ? "https" : "http"}://${this.address.address}:${this.address.port}`;
    }

    async stop(): Promise<void> {
        this.sender.stop();
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
        this.faults.length = 0;
        this.faultPolicy = undefined;
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
     * and that is refused (nothing listens there: not started yet, or stopped). A refused connection never reaches
     * a server, so the record comes from the client's side: Node reports every client socket on the
     * net.client.socket diagnostics channel. Needs the address before start() (the host and port options) or a
     * start() before; returns the function that stops recording.
     */
    recordRefusals(): () => void {
        const address = this.options.host ?? this.address?.address ?? "127.0.0.1";
        const port = this.options.port ?? this.address?.port;
        if (!port) throw new Error("recordRefusals needs the stand-in's port: the port option, or a start() before");
        const onSocket = (message: unknown) => {
            const { socket } = message as { socket: NodeJS.EventEmitter };
            socket.once("error", (error: NodeJS.ErrnoException & { address?: string; port?: number }) => {
                if (error.code !== "ECONNREFUSED" || error.address !== address || error.port !== port) return;
                const refusal = { address, port, at: Date.now() };
                this.refusals.push(refusal);
                this.emit("refused", refusal);
            });
        };
        diagnosticsChannel.subscribe("net.client.socket", onSocket);
        return () => diagnosticsChannel.unsubscribe("net.client.socket", onSocket);
    }

    /** The next requests, one fault each, in order. */
    failNext(...faults: Fault[]): void {
        this.faults.push(...faults);
    }

    /** A fault for every later request the policy picks (after those of failNext); undefined removes it. */
    setFaultPolicy(policy: FaultPolicy | undefined): void {
        this.faultPolicy = policy;
    }

    private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://standin.invalid");
        const { authorization, ...headers } = req.headers;
        const record: RecordedRequest = {
            method: req.method ?? "GET",
            path: url.pathname,
            query: toForm(url.searchParams),
            form: {},
            headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)])),
            status: 0,
            connection: this.connectionIds.get(req.socket) ?? 0,
            receivedAt: Date.now(),
            answeredAt: 0,
        };
        const servername = (req.socket as Partial<TLSSocket>).servername;
        if (typeof servername === "string") record.servername = servername;
        if (this.options.record !== false) this.requests.push(record);
        this.emit("received", record);
        const fault = this.faults.shift() ?? this.faultPolicy?.(record);
        record.fault = fault;
        const answer = (status: number, body: string | undefined, headers: Record<string, string> = {}) => {
            record.status = status;
            record.answeredAt = Date.now();
            res.writeHead(status, body === undefined ? headers : { "Content-Type": "application/json; charset=utf-8", ...headers }).end(body);
            this.emit("answered", record);
        };
        /** Applies a fault that ends the request; false for one that only delays it. */
        const interrupt = (f: Fault): boolean => {
            if ("reset" in f) req.socket.destroy();
            else if ("status" in f) {
                const error = new TwilioApiError(f.status, f.code ?? 20500, f.message ?? "Service unavailable");
                answer(f.status, f.body ?? JSON.stringify(error.body), f.headers);
            }
            return !("delayMs" in f); // a hang simply never answers: stop() closes the connection
        };
        // a reset "before" cuts the connection before the request is read; other faults read it first
        if (fault && !fault.after && "reset" in fault) return void interrupt(fault);
        let reply: Reply;
        try {
            const body = await readBody(req);
            if (String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
                record.form = toForm(new URLSearchParams(body));
            }
            const [username, password] = basicAuth(authorization);
            record.username = username;
            if (fault && !fault.after && interrupt(fault)) return;
            reply = url.pathname === INCOMING_MESSAGE_PATH
                ? await incomingMessageRequest(record.method, record.form, (options) => this.simulateIncomingMessage(options))
                : this.routes.route(record.method, url, username, password, record.form);
        } catch (err) {
            const failure = err instanceof TwilioApiError ? err : new TwilioApiError(500, 20500, "Internal Server Error");
            reply = { status: failure.status, body: { ...failure.body } };
        }
        if (fault && "delayMs" in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        if (fault?.after && interrupt(fault)) return;
        res.setHeader("Twilio-Request-Id", newSid("RQ"));
        // Twilio's clock, as its answers carry it (the outbox measures the offset from it)
        res.setHeader("Date", this.now().toUTCString());
        answer(reply.status, reply.body === undefined ? undefined : JSON.stringify(reply.body));
    }
}

function basicAuth(header: string | undefined): [string?, string?] {
    const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
    if (!match) return [];
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0 ? [] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new TwilioApiError(413, 20001, "Request body too large"));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}
