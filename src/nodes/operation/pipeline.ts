/**
 * The per-message path of an operation node that is set up correctly: from msg to the requests it stands for
 * (one per recipient), each validated, checked against the account's allowed destinations, credentials and
 * limits, and sent with its retries or handed to the account's outbox. Never throws, never sends an invalid
 * request; each message or request ends with one outcome, put out by output.ts.
 */
import type { Node, NodeAPI, NodeMessage } from "node-red";
import { buildRequest } from "../../rules/request";
import type { Translate } from "../../rules/translate";
import type { OperationParams } from "../../rules/validate";
import { describeIssue } from "../../rules/validation-messages";
import { NodeStopped, type AccountUser } from "../account/users";
import { FieldError } from "./fields";
import { QueueFull } from "../../sender/limiter";
import type { MessageInProgress, MessagesInProgress } from "./in-progress";
import { MAX_ENTRY_BYTES } from "../../outbox/outbox";
import type { LiveMessage, OutboxOutcome } from "../../outbox/result-router";
import type { Ready } from "./setup";
import { failure, fromFailure, fromResponse, type Outcome } from "../../sender/outcome";
import { planRecipients, recipientParts, refusedCredentials, refusedDestination, type RecipientPlan } from "./recipient-check";
import type { Done, NodeOutput, Send, Used } from "./output";
import { costSmsText } from "./sms-cost";
import { fillStatusCallback } from "./status-webhook";

type Planned = RecipientPlan & { ok: true };

/** A message as the outbox holds it while it is in this process, and the result the outbox gives back for it. */
function liveMessage(msg: NodeMessage): { live: LiveMessage; result: Promise<OutboxOutcome> } {
    let resolveResult: (outcome: OutboxOutcome) => void = () => {};
    const result = new Promise<OutboxOutcome>((resolve) => (resolveResult = resolve));
    return { live: { msg, detached: false, resolve: (outcome) => resolveResult(outcome) }, result };
}

export class MessagePipeline {
    constructor(
        private readonly RED: NodeAPI,
        private readonly t: Translate,
        private readonly node: Node,
        /** The node, as its account knows it. */
        private readonly user: AccountUser,
        private readonly ready: Ready,
        private readonly progress: MessagesInProgress,
        private readonly output: NodeOutput,
    ) {}

    /** One input message; `done` is called once its last output is out. */
    handle(msg: NodeMessage, send: Send, done: Done): void {
        const used: Used = { params: {} };
        const preparing = this.progress.track((outcome) => this.output.deliver(msg, outcome, used, send, done));
        this.prepare(msg, used).then(
            (plan) => {
                if (preparing.settled) return; // ended while it was prepared (the node closed)
                if (!plan.ok) return preparing.settle(plan.failure);
                if (plan.list) return this.fanOut(msg, plan, preparing, send, done);
                used.params = plan.requests[0].params;
                this.sendRequest(msg, plan, 0, preparing, used);
            },
            (err: unknown) => preparing.settle(this.unexpected(err)),
        );
    }

    private unexpected(err: unknown): Outcome {
        return failure("NetworkError", this.t("twilio.errors.unexpected", { reason: String(err) }), 502);
    }

    /** From msg to the requests it stands for (one per recipient), or the one failure that ends it. */
    private async prepare(msg: NodeMessage, used: Used): Promise<RecipientPlan> {
        const { ready, t } = this;
        const fromMessage = new Set<string>();
        let input: OperationParams;
        try {
            input = await ready.resolveFields(msg, fromMessage);
        } catch (err) {
            if (!(err instanceof FieldError)) throw err;
            return { ok: false, failure: failure("ValidationError", err.describe(t), 400) };
        }
        // before validation, so that the webhook's URL is checked like any StatusCallback
        const webhookProblem = fillStatusCallback(this.RED, ready.statusWebhook, input);
        used.params = input;
        if (!ready.allowMessageCredentials) {
            // the account the node acts on: its own AccountSid field, else the config node's
            const own = ready.account.authFor(fromMessage.has("AccountSid") ? undefined : (input.AccountSid as string | undefined));
            const refused = refusedCredentials(fromMessage, input, own.ok ? own.auth.accountSid : undefined, t);
            if (refused) return { ok: false, failure: refused };
        }
        if (webhookProblem) {
            const sentence = t(`twilio.errors.${webhookProblem}`, { id: String(ready.statusWebhook) });
            return { ok: false, failure: failure("ConfigError", sentence, 400) };
        }
        return planRecipients(ready.op, input, ready.account.recipients, t);
    }

    /**
     * A list of recipients: one output message per recipient, each with msg.parts as the split node sets it,
     * so that a join node can collect them; done() once the last is out.
     */
    private fanOut(msg: NodeMessage, plan: Planned, preparing: MessageInProgress, send: Send, done: Done): void {
        const count = plan.requests.length;
        const id = String(msg._msgid ?? this.RED.util.generateId());
        const outer = (msg as NodeMessage & { parts?: unknown }).parts;
        let left = count;
        const parts = plan.requests.map((request, index) => {
            const part = this.RED.util.cloneMessage(msg) as NodeMessage & { parts?: unknown };
            part.parts = recipientParts(id, index, count, outer);
            const used: Used = { params: request.params };
            const finish: Done = (err) => {
                if (err) this.node.error(err, part);
                if (--left === 0) done();
            };
            return { part, used, entry: this.progress.track((outcome) => this.output.deliver(part, outcome, used, send, finish)) };
        });
        preparing.handOver();
        parts.forEach(({ part, entry, used }, index) => this.sendRequest(part, plan, index, entry, used));
    }

    /** Settles the entry with what the request comes to; never throws. */
    private sendRequest(msg: NodeMessage, plan: Planned, index: number, entry: MessageInProgress, used: Used): void {
        const one = plan.requests[index];
        const task = one.refused ? Promise.resolve(one.refused) : this.sendOne(msg, one.params, entry, used);
        task.then(entry.settle, (err: unknown) => entry.settle(this.unexpected(err)));
    }

    /**
     * One recipient, one request, one outcome: validation, the account's allowed destinations, credentials
     * and limits, the request with its retries.
     */
    private async sendOne(msg: NodeMessage, input: OperationParams, entry: MessageInProgress, used: Used): Promise<OutboxOutcome> {
        const { ready, t } = this;
        const { op, account, outbox } = ready;
        // before validation: smart encoding replaces look-alikes in the Body, and what is sent is validated
        const costing = costSmsText(op, input, ready.costSettings, t);
        used.cost = costing.note;
        const validation = ready.validator(input);
        if (!validation.ok || costing.overCap) {
            const sentences = validation.ok ? [] : validation.issues.map((issue) => describeIssue(issue, op, t));
            if (costing.overCap) sentences.push(costing.overCap);
            return failure("ValidationError", sentences.join(" "), 400);
        }
        const params = (used.params = validation.params);
        const refused = refusedDestination(op, params, account.recipients, t);
        if (refused) return refused;
        const credentials = account.authFor(params.AccountSid as string, params.AuthToken as string);
        if (!credentials.ok) return account.problemFailure(credentials.problem, t);
        if (outbox?.takes(op, params)) {
            // committed to disk before anything else happens to it; the result comes when the outbox has one
            const { live, result } = liveMessage(msg);
            entry.live = live;
            this.progress.setState(entry, "stored");
            const handed = await outbox.submit(this.user.id, op, params, live);
            if (handed.kind === "stored") return result;
            entry.live = undefined;
            this.progress.setState(entry, "preparing");
            if (handed.kind === "full") return failure("QueueFullError", t("twilio.outbox.full", { operation: op.name, max: outbox.settings?.maxEntries ?? 0 }), 503);
            if (handed.kind === "fullBytes") {
                return failure("QueueFullError", t("twilio.outbox.fullBytes", { operation: op.name, max: Math.round((outbox.settings?.maxBytes ?? 0) / 104_857.6) / 10 }), 503);
            }
            if (handed.kind === "tooLarge") {
                const sentence = t("twilio.outbox.tooLarge", { operation: op.name, property: handed.property, size: Math.round(handed.bytes / 1024), max: MAX_ENTRY_BYTES / 1024 });
                return failure("ValidationError", sentence, 400);
            }
            // "memory": the file cannot be written; sent as without the outbox
        }
        const request = buildRequest(op, params, credentials.auth.accountSid);
        let started = false;
        try {
            this.progress.setState(entry, "queued");
            const onStart = () => {
                this.progress.setState(entry, "sending");
                started = true;
            };
            const sent = await account.send(request, credentials.auth, { user: this.user, onStart });
            const outcome = sent.response ? fromResponse(op, sent.response, t) : fromFailure(op, sent.error, account, t);
            if (!outcome.ok && sent.unknownOutcome) outcome.error.outcome = "unknown";
            return outcome;
        } catch (err) {
            if (err instanceof QueueFull) return failure("QueueFullError", t("twilio.errors.queueFull", { operation: op.name }), 503);
            if (!(err instanceof NodeStopped)) throw err;
            const key = started ? "twilio.errors.stoppedBeforeRetry" : "twilio.errors.stoppedBeforeSending";
            return failure("StoppedError", t(key, { operation: op.name }), 503);
        }
    }
}
