/**
 * The sockets of one account: keep-alive http and https agents, through the account's proxy when it has one
 * (hpagent: the CONNECT agent core's http request node uses, itself an http(s).Agent, so sockets are pooled and
 * kept alive as without a proxy).
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { HttpProxyAgent, HttpsProxyAgent } from "hpagent";

/**
 * "host:port" → "address:port": where to open the connection for an origin while TLS (SNI, the certificate's
 * name) and the Host header keep the origin's own name, as curl's --connect-to does. From settings.js
 * (twilioConnectTo): for tests against a stand-in under Twilio's host names, or to pin an address.
 */
export type ConnectTo = Readonly<Record<string, string>>;

export interface AgentOptions {
    /** Sockets per host: as many as the account lets requests run at once. */
    maxSockets: number;
    timeout: number;
    proxy?: URL;
    connectTo?: ConnectTo;
}

export interface Agents {
    http: http.Agent;
    https: https.Agent;
}

/**
 * TWILIO_CA_BUNDLE is the SDK's documented variable for the certificates to trust (a TLS-inspecting proxy's CA,
 * say); the SDK reads it only for the agent it builds itself, so it is read here for these agents too.
 */
function caBundle(): Buffer | undefined {
    const file = process.env.TWILIO_CA_BUNDLE;
    return file ? fs.readFileSync(file) : undefined;
}

function redirect(connectTo: ConnectTo | undefined, options: { host?: string | null; port?: number | string | null }) {
    const target = connectTo?.[`${options.host}:${options.port}`];
    if (!target) return options;
    const at = target.lastIndexOf(":");
    return { ...options, host: target.slice(0, at), port: Number(target.slice(at + 1)) };
}

/** https.Agent that opens the connection where connectTo says (Node has set servername from the origin already). */
class HttpsConnectToAgent extends https.Agent {
    constructor(
        options: https.AgentOptions,
        private readonly connectTo?: ConnectTo,
    ) {
        super(options);
    }

    override createConnection(...[options, callback]: Parameters<https.Agent["createConnection"]>) {
        return super.createConnection(redirect(this.connectTo, options) as typeof options, callback);
    }
}

class HttpConnectToAgent extends http.Agent {
    constructor(
        options: http.AgentOptions,
        private readonly connectTo?: ConnectTo,
    ) {
        super(options);
    }

    override createConnection(...[options, callback]: Parameters<http.Agent["createConnection"]>) {
        return super.createConnection(redirect(this.connectTo, options) as typeof options, callback);
    }
}

export function createAgents({ maxSockets, timeout, proxy, connectTo }: AgentOptions): Agents {
    const common = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout };
    const ca = caBundle();
    if (proxy) {
        return {
            http: new HttpProxyAgent({ ...common, proxy }),
            https: new HttpsProxyAgent({ ...common, proxy, ...(ca ? { ca } : {}) }),
        };
    }
    return {
        http: new HttpConnectToAgent(common, connectTo),
        https: new HttpsConnectToAgent({ ...common, ...(ca ? { ca } : {}) }, connectTo),
    };
}
