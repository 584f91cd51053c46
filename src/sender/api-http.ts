/**
 * The HTTP client of one account: keep-alive connections to its API origin with undici (a Pool of as many
 * sockets as the account lets requests run at once; undici's ProxyAgent when a proxy applies), sending what
 * the twilio SDK sends — the same method, path, Basic authorization, form or query encoding and headers — at a
 * fraction of the SDK's cost per request (its axios stack) and of its load time. Loaded at an account's first
 * request, not when Node-RED loads the package.
 */
import os from "node:os";
import type { Dispatcher } from "undici";
import type { Auth } from "./auth";
import type { ApiRequest, FieldValue } from "../rules/request";
import { TWILIO_API_ORIGIN } from "../rules/base-url";
import { caBundle, redirected, type Connection } from "./connection";

/** Any HTTP answer, whatever its status. */
export interface HttpAnswer {
    statusCode: number;
    body: unknown;
    headers?: Record<string, unknown>;
}

export interface ApiHttp {
    /** One attempt: resolves with any HTTP answer, rejects (with a socket error `code`) only when there was none. */
    request(request: ApiRequest, auth: Auth): Promise<HttpAnswer>;
    /** Closes the idle sockets; requests in flight finish first. */
    close(): void;
}

/** The SDK's User-Agent, so that Twilio's logs and support see requests as they saw them before. */
function userAgent(): string {
    const version = (require("twilio/package.json") as { version: string }).version;
    return `twilio-node/${version} (${os.platform()} ${os.arch()}) node/${process.version}`;
}

/** qs' RFC 3986 encoding (the SDK's): encodeURIComponent plus !'()* */
function encode(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** key=value&…, a list as repeated keys (the SDK's arrayFormat "repeat"). */
export function formEncode(fields: Readonly<Record<string, FieldValue>>): string {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        const name = encode(key);
        if (Array.isArray(value)) for (const one of value) parts.push(`${name}=${encode(one)}`);
        else parts.push(`${name}=${encode(value)}`);
    }
    return parts.join("&");
}

/** undici's own codes for "no answer in time" and "connection lost", as Node's sockets name them. */
const SOCKET_CODES: Readonly<Record<string, string>> = {
    UND_ERR_CONNECT_TIMEOUT: "ETIMEDOUT",
    UND_ERR_HEADERS_TIMEOUT: "ETIMEDOUT",
    UND_ERR_BODY_TIMEOUT: "ETIMEDOUT",
};

/**
 * A failure as outcome.ts and retry.ts read it: a socket error's code (ECONNREFUSED, ECONNRESET, ETIMEDOUT…).
 * A new error, so that nothing of the request (its Authorization header) travels with it.
 */
function noAnswer(err: unknown): Error & { code: string } {
    const raw = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
    let code = typeof raw?.code === "string" ? raw.code : "";
    if (SOCKET_CODES[code]) code = SOCKET_CODES[code];
    // "other side closed" and the like: the socket's own code when undici kept it
    else if (code === "UND_ERR_SOCKET") code = typeof raw?.cause?.code === "string" ? raw.cause.code : "ECONNRESET";
    else if (code.startsWith("UND_ERR")) code = "";
    const message = typeof raw?.message === "string" ? raw.message.split("\n")[0] : String(err);
    return Object.assign(new Error(message), { code });
}

/** JSON when it is JSON, else the text (axios' lenient parsing, which the SDK used): outcome.ts judges it. */
function parseBody(text: string): unknown {
    if (text === "") return text;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** TWILIO_LOG_LEVEL=debug prints each request as the SDK did, the Authorization header left out. */
function logRequest(method: string, url: string, fields: Readonly<Record<string, FieldValue>>, headers: Readonly<Record<string, string>>): void {
    console.log("-- BEGIN Twilio API Request --");
    console.log(`${method} ${url}`);
    if (method !== "post") console.log("Querystring:", fields);
    console.log("Headers:");
    for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== "authorization") console.log(`${name}: ${value}`);
    console.log("-- END Twilio API Request --");
}

export function createApiHttp(baseUrl: string, timeoutMs: number, maxSockets: number, connection: Connection = {}): ApiHttp {
    const undici = require("undici") as typeof import("undici");
    const origin = new URL(baseUrl);
    const basePath = origin.pathname.replace(/\/$/, "");
    const ca = caBundle();
    const tls = ca ? { ca } : {};
    const timeouts = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs };
    let dispatcher: Dispatcher;
    if (connection.proxy) {
        dispatcher = new undici.ProxyAgent({
            uri: connection.proxy.href,
            connections: maxSockets,
            ...timeouts,
            requestTls: tls,
            proxyTls: tls,
            // http targets are forwarded (absolute-form), https ones tunnelled with CONNECT: as core's http request node
            proxyTunnel: origin.protocol === "https:",
        });
    } else {
        const connect = undici.buildConnector({ ...tls, timeout: timeoutMs });
        dispatcher = new undici.Pool(origin.origin, {
            connections: maxSockets,
            ...timeouts,
            connect: (options, callback) => {
                const port = Number(options.port) || (options.protocol === "https:" ? 443 : 80);
                const target = redirected(connection.connectTo, options.hostname, port);
                // TLS's server name and the Host header keep the origin's name: only the address changes
                connect(target ? { ...options, hostname: target.host, port: String(target.port), servername: options.servername || options.hostname } : options, callback);
            },
        });
    }
    const agent = userAgent();
    // an account sends as one user nearly always: its Basic header is made once, not per request
    let lastAuth: Auth | undefined;
    let authorization = "";
    const authorizationOf = (auth: Auth) => {
        if (auth.username !== lastAuth?.username || auth.password !== lastAuth.password) {
            authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
            lastAuth = auth;
        }
        return authorization;
    };
    const debug = process.env.TWILIO_LOG_LEVEL === "debug";

    return {
        async request(request, auth) {
            const path = basePath + (request.uri.startsWith(TWILIO_API_ORIGIN) ? request.uri.slice(TWILIO_API_ORIGIN.length) : request.uri);
            const encoded = formEncode(request.fields);
            const headers: Record<string, string> = {
                "user-agent": agent,
                "accept-charset": "utf-8",
                authorization: authorizationOf(auth),
            };
            // the SDK sets Accept for all but DELETE, which went out with axios' default
            headers.accept = request.method === "delete" ? "application/json, text/plain, */*" : "application/json";
            if (request.method === "post") headers["content-type"] = "application/x-www-form-urlencoded";
            const withQuery = request.method !== "post" && encoded !== "" ? `${path}?${encoded}` : path;
            if (debug) logRequest(request.method, origin.origin + withQuery, request.fields, headers);
            let answer: Dispatcher.ResponseData;
            try {
                answer = await dispatcher.request({
                    origin: origin.origin,
                    path: withQuery,
                    method: request.method.toUpperCase() as Dispatcher.HttpMethod,
                    headers,
                    body: request.method === "post" ? encoded : undefined,
                });
            } catch (err) {
                throw noAnswer(err);
            }
            let text: string;
            try {
                text = await answer.body.text();
            } catch (err) {
                throw noAnswer(err);
            }
            if (debug) console.log(`response.statusCode: ${answer.statusCode}`);
            return { statusCode: answer.statusCode, body: parseBody(text), headers: answer.headers };
        },
        close() {
            dispatcher.close().catch(() => undefined);
        },
    };
}
