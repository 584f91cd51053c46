/**
 * The one SDK client of an account, shared by its nodes: made at the first request, and its keep-alive
 * sockets released when the account closes and the last request in flight has its answer.
 */
import type { Auth } from "./auth";
import type { ApiRequest } from "../rules/request";
import { createApiClient, type ApiClient, type Connection } from "./twilio-client";

/** Any HTTP answer, whatever its status. */
export interface HttpAnswer {
    statusCode: number;
    body: unknown;
    headers?: Record<string, unknown>;
}

export class SharedApiClient {
    private api?: ApiClient;
    private active = 0;
    private closing = false;

    constructor(
        private readonly baseUrl: string,
        private readonly timeoutMs: number,
        /** As many sockets as the account lets requests run at once: its limiter is the one cap. */
        private readonly maxSockets: number,
        private readonly connection: Connection,
    ) {}

    /** One attempt; resolves with any HTTP answer, rejects only when there was none. */
    async send(request: ApiRequest, auth: Auth): Promise<HttpAnswer> {
        this.api ??= createApiClient(this.baseUrl, this.timeoutMs, this.maxSockets, this.connection);
        const fields = request.method === "post" ? { data: request.fields } : { params: request.fields };
        this.active++;
        try {
            return await this.api.client.request({
                method: request.method,
                uri: request.uri,
                username: auth.username,
                password: auth.password,
                timeout: this.timeoutMs,
                ...fields,
            });
        } finally {
            this.active--;
            if (this.closing && this.active === 0) this.releaseSockets();
        }
    }

    /**
     * Node-RED stops flow nodes and config nodes side by side, so requests may still be in flight here:
     * their sockets are released when the last one has its answer, not cut.
     */
    close(): void {
        this.closing = true;
        if (this.active === 0) this.releaseSockets();
    }

    private releaseSockets(): void {
        this.api?.close();
        this.api = undefined;
    }
}
