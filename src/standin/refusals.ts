/**
 * Connections refused at the stand-in's address while nothing listened there (not started yet, or stopped),
 * as the clients in this process saw them. A refused connection never reaches a server, so the record comes
 * from the client's side: Node reports every client socket on the net.client.socket diagnostics channel.
 */
import diagnosticsChannel from "node:diagnostics_channel";

/** A connection a client of this process tried to open to the stand-in's address, refused: nothing listened. */
export interface RefusedConnection {
    address: string;
    port: number;
    /** When the client saw the refusal (ms since epoch). */
    at: number;
}

/** Calls onRefusal for each connection to address:port refused from now on; returns the function that stops. */
export function watchRefusals(address: string, port: number, onRefusal: (refusal: RefusedConnection) => void): () => void {
    const onSocket = (message: unknown) => {
        const { socket } = message as { socket: NodeJS.EventEmitter };
        socket.once("error", (error: NodeJS.ErrnoException & { address?: string; port?: number }) => {
            if (error.code !== "ECONNREFUSED" || error.address !== address || error.port !== port) return;
            onRefusal({ address, port, at: Date.now() });
        });
    };
    diagnosticsChannel.subscribe("net.client.socket", onSocket);
    return () => diagnosticsChannel.unsubscribe("net.client.socket", onSocket);
}
