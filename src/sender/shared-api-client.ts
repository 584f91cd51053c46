/**
 * The one HTTP client of an account, shared by its nodes: made at the first request, and its keep-alive
 * sockets released when the account closes and the last request in flight has its answer.
 */
import type { Auth } from "./auth";
import type { ApiRequest } from "../rules/request";
import { createApiHttp, type ApiHttp, type HttpAnswer } from "./api-http";
import type { Connection } from "./connection";

export class SharedApiClient {
    private api?: ApiHttp;
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
        this.api ??= createApiHttp(this.baseUrl, this.timeoutMs, this.maxSockets, this.connection);
        this.active++;
        try {
            return await this.api.request(request, auth);
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
