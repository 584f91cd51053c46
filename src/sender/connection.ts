/**
 * How an account's connections are made: straight to its origin (where settings.js' twilioConnectTo says), or
 * through its proxy; with the certificates TWILIO_CA_BUNDLE names trusted. Decided once, when the account is
 * deployed (proxy.ts chooses the proxy).
 */
import fs from "node:fs";

/**
 * "host:port" → "address:port": where to open the connection for an origin while TLS (SNI, the certificate's
 * name) and the Host header keep the origin's own name, as curl's --connect-to does. From settings.js
 * (twilioConnectTo): for tests against a stand-in under Twilio's host names, or to pin an address.
 */
export type ConnectTo = Readonly<Record<string, string>>;

export interface Connection {
    /** With the proxy's user and password, if any: for the dispatcher only. */
    proxy?: URL;
    connectTo?: ConnectTo;
}

/**
 * TWILIO_CA_BUNDLE is the SDK's documented variable for the certificates to trust (a TLS-inspecting proxy's CA,
 * say): it is honoured for the account's own connections as the SDK honours it for its own.
 */
export function caBundle(): Buffer | undefined {
    const file = process.env.TWILIO_CA_BUNDLE;
    return file ? fs.readFileSync(file) : undefined;
}

/** The address connectTo gives `hostname:port`, if any. */
export function redirected(connectTo: ConnectTo | undefined, hostname: string, port: number): { host: string; port: number } | undefined {
    const target = connectTo?.[`${hostname}:${port}`];
    if (!target) return undefined;
    const at = target.lastIndexOf(":");
    return { host: target.slice(0, at), port: Number(target.slice(at + 1)) };
}
