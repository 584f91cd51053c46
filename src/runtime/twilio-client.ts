/**
 * The twilio SDK client of one config node. The SDK always addresses https://api.twilio.com and has no
 * base-URL option, so requests go through a RequestClient subclass that moves them to the configured
 * base URL (the local stand-in, a test server, a corporate proxy).
 */
import http from "node:http";
import https from "node:https";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import { TWILIO_API_ORIGIN } from "../rules/base-url";

class BaseUrlRequestClient extends twilio.RequestClient {
    private readonly agents: { http: http.Agent; https: https.Agent };

    /** @param maxSockets as many as the account lets requests run at once: its limiter is the one cap */
    constructor(
        private readonly baseUrl: string,
        timeout: number,
        maxSockets: number,
    ) {
        super({ timeout, keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
        // the SDK only configures an https agent; loopback http gets the same keep-alive sockets
        this.agents = {
            http: new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout }),
            https: this.axios.defaults.httpsAgent as https.Agent,
        };
        this.axios.defaults.httpAgent = this.agents.http;
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
        this.agents.https.destroy?.();
    }
}

export interface ApiClient {
    client: twilio.Twilio;
    close(): void;
}

export function createApiClient(baseUrl: string, timeout: number, maxSockets: number): ApiClient {
    const httpClient = new BaseUrlRequestClient(baseUrl, timeout, maxSockets);
    // credentials go with each request (the config node's or a message's), never from process.env:
    // empty strings keep the SDK from falling back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN
    // TWILIO_LOG_LEVEL=debug is the SDK's documented switch for printing requests; twilio 6 reads it but does
    // not pass it on to requests, so it is handed over here (the SDK leaves the Authorization header out)
    const client = twilio("", "", { httpClient, logLevel: process.env.TWILIO_LOG_LEVEL });
    return { client, close: () => httpClient.destroy() };
}
