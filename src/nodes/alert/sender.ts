/**
 * How the alert node sends an SMS (postMessage) or a call (createCall): as the operation nodes do, through the
 * account's outbox when it keeps one (committed first, never sent twice, looked up after a crash) and otherwise
 * through the account's one sender; both under the account's limits and retries. Results of outbox entries that
 * outlive this node instance come back through the account (the node registers under its id) after a redeploy or
 * a restart, with the message saved beside the entry.
 */
import type { NodeMessage } from "node-red";
import { OPERATIONS } from "../../catalog/operations";
import type { OperationSpec } from "../../catalog/types";
import { buildRequest } from "../../rules/request";
import type { Translate } from "../../rules/translate";
import type { OperationParams } from "../../rules/validate";
import type { Outbox } from "../../outbox/outbox";
import type { LiveMessage, OutboxOutcome } from "../../outbox/result-router";
import { QueueFull } from "../../sender/limiter";
import { failure, fromFailure, fromResponse } from "../../sender/outcome";
import type { TwilioAccount } from "../account/account";
import { NodeStopped, type AccountUser } from "../account/users";

export type SendKind = "sms" | "call";

const OPERATION_OF: Record<SendKind, string> = { sms: "postMessage", call: "createCall" };

export class AlertSender {
    /** Messages whose outbox result this instance waits for: handed to the next instance when it closes. */
    private readonly live = new Set<LiveMessage>();

    constructor(
        private readonly account: TwilioAccount,
        private readonly outbox: Outbox | undefined,
        private readonly user: AccountUser,
        private readonly t: Translate,
    ) {}

    /** Sends one SMS or call; resolves with its outcome, never rejects. `msg` is saved with an outbox entry. */
    async send(kind: SendKind, params: OperationParams, msg: NodeMessage): Promise<OutboxOutcome> {
        const op = OPERATIONS[OPERATION_OF[kind]];
        try {
            return await this.sendOne(op, params, msg);
        } catch (err) {
            return failure("NetworkError", this.t("twilio.errors.unexpected", { reason: String(err) }), 502);
        }
    }

    private async sendOne(op: OperationSpec, params: OperationParams, msg: NodeMessage): Promise<OutboxOutcome> {
        const { account, outbox, t } = this;
        const credentials = account.authFor();
        if (!credentials.ok) return account.problemFailure(credentials.problem, t);
        if (outbox?.takes(op, params)) {
            let resolve: (outcome: OutboxOutcome) => void = () => {};
            const result = new Promise<OutboxOutcome>((settle) => (resolve = settle));
            const live: LiveMessage = { msg, detached: false, resolve: (outcome) => resolve(outcome) };
            this.live.add(live);
            const handed = await outbox.submit(this.user.id, op, params, live);
            if (handed.kind === "stored") return result.finally(() => this.live.delete(live));
            this.live.delete(live);
            if (handed.kind === "full" || handed.kind === "fullBytes") {
                return failure("QueueFullError", t("twilio.outbox.full", { operation: op.name, max: outbox.settings?.maxEntries ?? 0 }), 503);
            }
            // "memory" (the file cannot be written): sent as without the outbox; "tooLarge" cannot happen with these few parameters
        }
        const request = buildRequest(op, params, credentials.auth.accountSid);
        try {
            const sent = await account.send(request, credentials.auth, { user: this.user });
            const outcome = sent.response ? fromResponse(op, sent.response, t) : fromFailure(op, sent.error, account, t);
            if (!outcome.ok && sent.unknownOutcome) outcome.error.outcome = "unknown";
            return outcome;
        } catch (err) {
            if (err instanceof QueueFull) return failure("QueueFullError", t("twilio.errors.queueFull", { operation: op.name }), 503);
            if (err instanceof NodeStopped) return failure("StoppedError", t("twilio.errors.stoppedBeforeSending", { operation: op.name }), 503);
            throw err;
        }
    }

    /** The node closes: results still to come go to the node registered under its id (its next instance). */
    detach(): void {
        for (const live of this.live) live.detached = true;
        this.live.clear();
    }
}
