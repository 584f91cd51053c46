/**
 * A Twilio account as a config node holds it, and what every node using it shares: where requests go, who
 * they act as, the one SDK client, the limits, the retries, the webhook signature check and the nodes that
 * registered. Each of these has its own file; this class puts them together.
 */
import { recipientRules, type RecipientRules } from "../../rules/recipient-settings";
import type { ApiRequest } from "../../rules/request";
import type { Translate } from "../../rules/translate";
import { authFor, isSettingProblem, type AccountCredentials, type AuthChoice, type Auth, type ConfigProblem } from "../../sender/auth";
import { limitsOf, retryPolicyOf, timeoutMsOf, type AccountSettings } from "./settings";
import { AccountUsers, type AccountUser } from "./users";
import { resolveWhere } from "./where";
import { RequestLimiter, type Limiter, type Ticket } from "../../sender/limiter";
import { SharedRequestLimiter, type SharedLimitStore } from "../../sender/shared-limiter";
import { failure, type RequestFailure } from "../../sender/outcome";
import type { ChosenProxy } from "../../sender/proxy";
import type { RetryPolicy } from "../../sender/retry";
import { sendWithRetries, type SendOptions, type SendResult } from "../../sender/send-with-retries";
import { SharedApiClient } from "../../sender/shared-api-client";
import { WebhookVerifier } from "./webhook-verifier";

// index.ts (the config node) builds the account from these
export type { AccountCredentials, AccountSettings };

export class TwilioAccount {
    readonly baseUrl: string;
    readonly timeoutMs: number;
    readonly limiter: Limiter;
    readonly retryPolicy: RetryPolicy;
    /** Set when the base URL, region, edge or proxy cannot be used: every request then fails with it, nothing is sent. */
    readonly problem?: ConfigProblem;
    /** The setting a problem is about, for its message: the region, edge or the proxy's origin. */
    readonly problemValue?: string;
    /** The proxy requests go through, if any. */
    readonly proxy?: ChosenProxy;
    /** allowedDestinations and defaultCountry, for every node of the account. */
    readonly recipients: RecipientRules;
    readonly webhooks: WebhookVerifier;
    /** The operation and webhook nodes that use the account, while they run. */
    readonly users = new AccountUsers();
    private readonly client: SharedApiClient;

    constructor(
        settings: AccountSettings,
        private readonly credentials: AccountCredentials,
        /** The limits shared with other instances (Valkey/Redis), if the account keeps its outbox there. */
        shared?: { store: SharedLimitStore; onFailure: (reason: string | undefined) => void },
    ) {
        const where = resolveWhere(settings);
        this.baseUrl = where.baseUrl;
        this.proxy = where.proxy;
        this.problem = where.problem;
        this.problemValue = where.problemValue;
        this.recipients = recipientRules(settings);
        this.timeoutMs = timeoutMsOf(settings);
        this.limiter = shared ? new SharedRequestLimiter(limitsOf(settings), shared.store, shared.onFailure) : new RequestLimiter(limitsOf(settings));
        this.retryPolicy = retryPolicyOf(settings);
        this.webhooks = new WebhookVerifier(credentials.authToken);
        this.client = new SharedApiClient(this.baseUrl, this.timeoutMs, this.limiter.maxConcurrent, {
            proxy: this.proxy?.url,
            connectTo: settings.connectTo,
        });
    }

    /** A node starts using the account (as core's MQTT nodes register with their broker). */
    register(user: AccountUser): void {
        this.users.register(user);
    }

    /** A node stops: what it has not sent ends (NodeStopped), then done(). */
    deregister(user: AccountUser, done?: () => void): void {
        this.users.deregister(user, done);
    }

    /**
     * A place in the account's limits for one request: see RequestLimiter.take (throws QueueFull). A node's
     * place is cancelled while queued when the node deregisters.
     */
    take(user?: AccountUser): Ticket {
        const ticket = this.limiter.take();
        return user ? this.users.holdWhileQueued(user, ticket) : ticket;
    }

    /** The credentials for one request (sender/auth.ts), unless a setting of the account cannot be used. */
    authFor(messageAccountSid?: string, messageAuthToken?: string): AuthChoice {
        if (this.problem) return { ok: false, problem: this.problem };
        return authFor(this.credentials, messageAccountSid, messageAuthToken);
    }

    /** A problem authFor names, as the error object: ConfigError, 400 for a setting, 401 for the credentials. */
    problemFailure(problem: ConfigProblem, t: Translate): RequestFailure {
        const sentence = t(`twilio.errors.${problem}`, { url: this.baseUrl, value: this.problemValue ?? "" });
        return failure("ConfigError", sentence, isSettingProblem(problem) ? 400 : 401);
    }

    /**
     * The account's one way to send a request, for the operation nodes and the outbox alike: a place in its limits
     * (throws QueueFull when its queue is full), the wait for it, then the attempts with the retries the account
     * allows (send-with-retries.ts). A node's request ends with NodeStopped when the node deregisters while it
     * waits; any request ends with the reason of `options.stop` when that is aborted while it waits.
     */
    async send(request: ApiRequest, auth: Auth, options: SendOptions & { user?: AccountUser; onStart?: () => void } = {}): Promise<SendResult> {
        const { user, onStart } = options;
        const ticket = this.take(user);
        // a node's place is cancelled by its deregistration (take); the outbox's by its own stop signal
        const cancel = () => ticket.cancel(options.stop!.reason as Error);
        options.stop?.addEventListener("abort", cancel, { once: true });
        const stop = user ? this.users.stopSignalOf(user) : options.stop;
        try {
            await ticket.ready;
            onStart?.();
            const context = {
                policy: this.retryPolicy,
                attempt: (request: ApiRequest, auth: Auth) => this.client.send(request, auth),
                claimPace: () => this.limiter.claimPace(),
                attempted: this.users.attempted.bind(this.users),
            };
            return await sendWithRetries(context, request, auth, { stop, beforeRetry: options.beforeRetry });
        } finally {
            options.stop?.removeEventListener("abort", cancel);
            ticket.release();
        }
    }

    close(): void {
        this.limiter.close();
        this.client.close();
    }
}
