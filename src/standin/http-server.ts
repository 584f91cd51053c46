/**
 * The stand-in's HTTP or HTTPS server: listening, closing, and numbering its connections (from 1) so that a
 * request's record shows which connection carried it: keep-alive at work.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export type Serve = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class HttpServer {
    private readonly server: http.Server;
    private readonly connectionIds = new WeakMap<object, number>();
    private connections = 0;

    /** @param tls serve https with this key and certificate (PEM) */
    constructor(serve: Serve, tls?: { key: string; cert: string }) {
        this.server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, serve) : http.createServer(serve);
        // over TLS a request's socket is the TLS socket, which "secureConnection" gives
        this.server.on(tls ? "secureConnection" : "connection", (socket: object) => this.connectionIds.set(socket, ++this.connections));
    }

    /** Resolves with the address it listens on; rejects if it cannot (e.g. the port is taken). */
    async listen(port: number, host: string): Promise<AddressInfo> {
        await new Promise<void>((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(port, host, () => {
                this.server.removeListener("error", reject);
                resolve();
            });
        });
        return this.server.address() as AddressInfo;
    }

    /** Stops listening and cuts every connection, a hanging request's included. */
    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    /** The number of the connection a request came on; 0 if unknown. */
    connectionOf(req: http.IncomingMessage): number {
        return this.connectionIds.get(req.socket) ?? 0;
    }
}
