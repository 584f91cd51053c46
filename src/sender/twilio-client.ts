/**
 * The twilio SDK client of one config node. The SDK always addresses https://api.twilio.com and has no
 * base-URL option, so requests go through a RequestClient subclass that moves them to the configured
 * base URL (the local stand-in, a test server, a corporate proxy).
 */
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import { TWILIO_API_ORIGIN } from "../rules/base-url";
import { createAgents, type Agents, type ConnectTo } from "./agents";

/** How an account's connections are made: see agents.ts and proxy.ts. */
export interface Connection {
    proxy?: URL;
    connectTo?: ConnectTo;
}

class BaseUrlRequestClient extends twilio.RequestClient {
    private readonly agents: Agents;

    /** @param maxSockets as many as the account lets requests run at once: its limiter is the one cap */
    constructor(
        private readonly baseUrl: string,
        timeout: number,
        maxSockets: number,
        connection: Connection,
    ) {
        super({ timeout, keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
        // the account's own agents replace the SDK's: it only builds an https one, and takes HTTP_PROXY alone
        // into account (without NO_PROXY or the account's proxy); it has opened no socket yet
        (this.axios.defaults.httpsAgent as { destroy?: () => void } | undefined)?.destroy?.();
        this.agents = createAgents({ maxSockets, timeout, ...connection });
        this.axios.defaults.httpAgent = this.agents.http;
        this.axios.defaults.httpsAgent = this.agents.https;
    }

    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
        const uri = opts.uri.startsWith(TWILIO_API_ORIGIN)
            ? this.baseUrl + opts.uri.slice(TWILIO_API_ORIGIN.length)
            : opts.uri;
        return super.request<TData>({ ...opts, uri });
    }

    /** Closes the idle keep-alive sockets. */
    destroy(): void {
        this.agents.http.destroy();
        this.agents.https.destroy();
    }
}

export interface ApiClient {
    client: twilio.Twilio;
    close(): void;
}

export function createApiClient(baseUrl: string, timeout: number, maxSockets: number, connection: Connection = {}): ApiClient {
    const httpClient = new BaseUrlRequestClient(baseUrl, timeout, maxSockets, connection);
    // credentials go with each request (the config node's or a message's), never from process.env:
    // empty strings keep the SDK from falling back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN
    // TWILIO_LOG_LEVEL=debug is the SDK's documented switch for printing requests; twilio 6 reads it but does
    // not pass it on to requests, so it is handed over here (the SDK leaves the Authorization header out)
    // edge and region: "" keeps the SDK from reading TWILIO_EDGE / TWILIO_REGION and rewriting the host behind
    // the account's back; the account's region and edge are already in baseUrl (rules/twilio-host.ts)
    const client = twilio("", "", { httpClient, logLevel: process.env.TWILIO_LOG_LEVEL, edge: "", region: "" });
    return { client, close: () => httpClient.destroy() };
}
