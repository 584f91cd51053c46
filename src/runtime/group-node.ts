/**
 * The runtime of the three operation nodes (twilio-calls, twilio-messages, twilio-media): one input message,
 * one output message, on output 1 with the result or on output 2 with the error object.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { OPERATIONS } from "../catalog/operations";
import type { GroupName, OperationSpec } from "../catalog/types";
import { migrateConfig } from "../rules/config-migrations";
import { buildRequest } from "../rules/request";
import type { Translate } from "../rules/translate";
import { buildValidator, type OperationParams, type Validator } from "../rules/validate";
import { describeIssue } from "../rules/validation-messages";
import { isSettingProblem } from "./account";
import type { AccountNode } from "./account-node";
import { FieldError, prepareFields, type FieldConfig, type FieldResolver } from "./fields";
import { QueueFull, type Ticket } from "./limiter";
import { NodeStatus, resultDetail } from "./node-status";
import type { LiveMessage } from "./outbox/outbox";
import { registerOutboxNode, type OutboxOutcome } from "./outbox/registry";
import { failure, fromFailure, fromResponse, type RequestFailure, type Outcome } from "./outcome";
import { planRecipients, recipientParts, refusedCredentials, refusedDestination, type RecipientPlan } from "./recipients";
import { costSettingsOf, costSmsText, noteCost, type CostNote, type CostSettings } from "./sms-cost";
import { fillStatusCallback, statusWebhookOf } from "./status-webhook";

interface GroupNodeDef extends NodeDef, FieldConfig {
    operation: string;
    account: string;
    /** A twilio-webhook node whose public URL is the StatusCallback when none is given (postMessage, createCall). */
    statusWebhook?: string;
    /** Whether a message may carry AccountSid or AuthToken; off unless ticked (also in flows saved before). */
    allowMessageCredentials?: boolean | string;
    /** postMessage: the most segments a Body may take (blank: no cap), and whether look-alikes are replaced. */
    maxSegments?: unknown;
    smartEncoding?: unknown;
}

type Send = (msg: Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

/** A message being prepared, or one request of it (one per recipient). */
interface Pending {
    /** Where it is: being prepared, waiting for the account's limits, with Twilio, or in the account's outbox. */
    state: "preparing" | "queued" | "sending" | "stored";
    ticket?: Ticket;
    /** In the account's outbox: its result comes back through this. */
    live?: LiveMessage;
    settled: boolean;
    /** Ends it with this outcome, delivered on an output. */
    settle(outcome: OutboxOutcome): void;
    /** Ends it without an output: its requests, each pending on its own, take over. */
    handOver(): void;
}

/** What one output message came to before its outcome: the parameters used (msg.parameters on output 2), and its SMS text's cost. */
interface Used {
    params: OperationParams;
    cost?: CostNote;
}

/** Ends a queued request when its node stops: it was never sent. */
class Stopped extends Error {}

/** The longest a redeploy waits for answers in flight before ending them as unknown (Node-RED allows 15 s). */
const CLOSE_WAIT_LIMIT_MS = 10_000;

/** Validators depend on the catalog only: built once per operation for the process. */
const validators = new Map<string, Validator>();
function validatorOf(op: OperationSpec): Validator {
    let validator = validators.get(op.name);
    if (!validator) validators.set(op.name, (validator = buildValidator(op)));
    return validator;
}

/** The parameters a flow may see again on output 2: the known ones, without secrets. */
function publicParameters(op: OperationSpec, params: OperationParams): OperationParams {
    const result: OperationParams = {};
    for (const spec of op.params) {
        if (params[spec.name] !== undefined && !(spec.kind === "text" && spec.secret)) result[spec.name] = params[spec.name];
    }
    return result;
}

export function registerGroupNode(RED: NodeAPI, type: string, group: GroupName): void {
    const t: Translate = (key, substitutions) => RED._(key, substitutions);

    function TwilioGroupNode(this: Node, saved: GroupNodeDef) {
        RED.nodes.createNode(this, saved);
        const config = migrateConfig(type, saved);
        const node = this;
        const op: OperationSpec | undefined = OPERATIONS[config.operation];
        const accountNode = RED.nodes.getNode(config.account) as AccountNode | null;
        const account = accountNode?.account;
        const outbox = accountNode?.outbox?.outbox;
        const pending = new Set<Pending>();
        // aborted on close: ends every retry wait of this node at once, and no attempt leaves after it
        const stopping = new AbortController();
        const status = new NodeStatus(node, op, t);
        const statusWebhook = op && statusWebhookOf(op, config.statusWebhook);
        const allowMessageCredentials = config.allowMessageCredentials === true || config.allowMessageCredentials === "true";
        let setupError: RequestFailure | undefined;
        let costSettings: CostSettings = { maxSegments: undefined, smartEncoding: false };
        let resolveFields: FieldResolver | undefined;
        let whenDrained: (() => void) | undefined;
        let closing = false;

        if (!op || op.group !== group) {
            setupError = failure("ConfigError", t("twilio.errors.unknownOperation", { operation: config.operation }), 400);
        } else if (!account) {
            setupError = failure("ConfigError", t("twilio.errors.noAccount"), 401);
        } else {
            try {
                resolveFields = prepareFields(RED, node, op, config);
            } catch (err) {
                const { param, reason } = err as FieldError;
                setupError = failure("ConfigError", t(`twilio.errors.field`, { param, reason: fieldReason(reason) }), 400);
            }
            const settings = op.smsText ? costSettingsOf(config, t) : costSettings;
            if (typeof settings === "string") setupError ??= failure("ConfigError", settings, 400);
            else costSettings = settings;
        }
        if (setupError) {
            node.status({ fill: "red", shape: "ring", text: t("twilio.status.notConfigured") });
            node.error(setupError.error.error);
        }

        function fieldReason(reason: string): string {
            return reason === "secretLiteral" ? t("twilio.errors.secretLiteral") : reason;
        }

        function setState(entry: Pending, state: Pending["state"]): void {
            if (entry.state === "queued") status.queued--;
            if (state === "queued") status.queued++;
            entry.state = state;
            status.update();
        }

        /** Pending work, counted in the node's status and waited for (or ended) when the node closes. */
        function track(deliverOutcome: (outcome: OutboxOutcome) => void): Pending {
            const entry: Pending = {
                state: "preparing",
                settled: false,
                settle(outcome) {
                    if (entry.settled) return;
                    entry.settled = true;
                    if (entry.state === "queued") status.queued--;
                    pending.delete(entry);
                    status.pending = pending.size;
                    deliverOutcome(outcome);
                    status.update(outcome);
                    if (pending.size === 0) whenDrained?.();
                },
                handOver() {
                    entry.settled = true;
                    pending.delete(entry);
                    status.pending = pending.size;
                },
            };
            pending.add(entry);
            status.pending = pending.size;
            status.update();
            return entry;
        }

        /** Settles the entry with what `task` comes to; never throws. */
        function run(entry: Pending, task: () => Promise<Outcome>): void {
            task().then(entry.settle, (err: unknown) =>
                entry.settle(failure("NetworkError", t("twilio.errors.unexpected", { reason: String(err) }), 502)),
            );
        }

        /** From msg to the requests it stands for (one per recipient), or the one failure that ends it. */
        async function prepare(msg: NodeMessage, used: Used): Promise<RecipientPlan> {
            if (setupError) return { ok: false, failure: setupError };
            const fromMessage = new Set<string>();
            let input: OperationParams;
            try {
                input = await resolveFields!(msg, fromMessage);
            } catch (err) {
                const { param, reason } = err as FieldError;
                return { ok: false, failure: failure("ValidationError", t("twilio.errors.field", { param, reason: fieldReason(reason) }), 400) };
            }
            // before validation, so that the webhook's URL is checked like any StatusCallback
            const webhookProblem = fillStatusCallback(RED, statusWebhook, input);
            used.params = input;
            if (!allowMessageCredentials) {
                // the account the node acts on: its own AccountSid field, else the config node's
                const own = account!.authFor(fromMessage.has("AccountSid") ? undefined : (input.AccountSid as string | undefined));
                const refused = refusedCredentials(fromMessage, input, own.ok ? own.auth.accountSid : undefined, t);
                if (refused) return { ok: false, failure: refused };
            }
            if (webhookProblem) {
                const sentence = t(`twilio.errors.${webhookProblem}`, { id: String(config.statusWebhook) });
                return { ok: false, failure: failure("ConfigError", sentence, 400) };
            }
            return planRecipients(op!, input, account!.recipients, t);
        }

        /**
         * One recipient, one request, one outcome: validation, the account's allowed destinations, credentials
         * and limits, the exchange with its retries. Never throws, never sends an invalid request.
         */
        async function sendOne(msg: NodeMessage, input: OperationParams, entry: Pending, used: Used): Promise<OutboxOutcome> {
            const operation = op!;
            // before validation: smart encoding replaces look-alikes in the Body, and what is sent is validated
            const costing = costSmsText(operation, input, costSettings, t);
            used.cost = costing.note;
            const validation = validatorOf(operation)(input);
            if (!validation.ok || costing.overCap) {
                const sentences = validation.ok ? [] : validation.issues.map((issue) => describeIssue(issue, operation, t));
                if (costing.overCap) sentences.push(costing.overCap);
                return failure("ValidationError", sentences.join(" "), 400);
            }
            const params = (used.params = validation.params);
            const refused = refusedDestination(operation, params, account!.recipients, t);
            if (refused) return refused;
            const credentials = account!.authFor(params.AccountSid as string, params.AuthToken as string);
            if (!credentials.ok) {
                const status = isSettingProblem(credentials.problem) ? 400 : 401;
                return failure("ConfigError", t(`twilio.errors.${credentials.problem}`, { url: account!.baseUrl, value: account!.problemValue ?? "" }), status);
            }
            if (outbox?.takes(operation, params)) {
                // committed to disk before anything else happens to it; the result comes when the outbox has one
                const result = new Promise<OutboxOutcome>((resolve) => (entry.live = { msg, detached: false, resolve }));
                setState(entry, "stored");
                const handed = await outbox.submit(node.id, operation, params, entry.live!);
                if (handed === "stored") return result;
                entry.live = undefined;
                setState(entry, "preparing");
                if (handed === "full") return failure("QueueFullError", t("twilio.outbox.full", { operation: operation.name, max: outbox.maxEntries }), 503);
                // "memory": the file cannot be written; sent as without the outbox
            }
            const request = buildRequest(operation, params, credentials.auth.accountSid);
            try {
                entry.ticket = account!.take();
            } catch (err) {
                if (!(err instanceof QueueFull)) throw err;
                return failure("QueueFullError", t("twilio.errors.queueFull", { operation: operation.name }), 503);
            }
            let started = false;
            try {
                setState(entry, "queued");
                await entry.ticket.ready;
                setState(entry, "sending");
                started = true;
                const exchange = await account!.exchange(request, credentials.auth, stopping.signal);
                const outcome = exchange.response
                    ? fromResponse(operation, exchange.response, t)
                    : fromFailure(operation, exchange.error, account!, t);
                if (!outcome.ok && exchange.unknownOutcome) outcome.error.outcome = "unknown";
                return outcome;
            } catch (err) {
                if (!(err instanceof Stopped)) throw err;
                const key = started ? "twilio.errors.stoppedBeforeRetry" : "twilio.errors.stoppedBeforeSending";
                return failure("StoppedError", t(key, { operation: operation.name }), 503);
            } finally {
                entry.ticket.release();
            }
        }

        function sendRequest(msg: NodeMessage, request: RecipientPlan & { ok: true }, index: number, entry: Pending, used: Used): void {
            const one = request.requests[index];
            run(entry, () => (one.refused ? Promise.resolve(one.refused) : sendOne(msg, one.params, entry, used)));
        }

        /**
         * A list of recipients: one output message per recipient, each with msg.parts as the split node sets it,
         * so that a join node can collect them; done() once the last is out.
         */
        function fanOut(msg: NodeMessage, plan: RecipientPlan & { ok: true }, preparing: Pending, send: Send, done: Done): void {
            const count = plan.requests.length;
            const id = String(msg._msgid ?? RED.util.generateId());
            const outer = (msg as NodeMessage & { parts?: unknown }).parts;
            let left = count;
            const parts = plan.requests.map((request, index) => {
                const part = RED.util.cloneMessage(msg) as NodeMessage & { parts?: unknown };
                part.parts = recipientParts(id, index, count, outer);
                const used: Used = { params: request.params };
                const finish: Done = (err) => {
                    if (err) node.error(err, part);
                    if (--left === 0) done();
                };
                return { part, used, entry: track((outcome) => deliver(part, outcome, used, send, finish)) };
            });
            preparing.handOver();
            parts.forEach(({ part, entry, used }, index) => sendRequest(part, plan, index, entry, used));
        }

        node.on("input", (msg: NodeMessageInFlow, send: Send, done: Done) => {
            const used: Used = { params: {} };
            const preparing = track((outcome) => deliver(msg, outcome, used, send, done));
            prepare(msg, used).then(
                (plan) => {
                    if (preparing.settled) return; // ended while it was prepared (the node closed)
                    if (!plan.ok) return preparing.settle(plan.failure);
                    if (plan.list) return fanOut(msg, plan, preparing, send, done);
                    used.params = plan.requests[0].params;
                    sendRequest(msg, plan, 0, preparing, used);
                },
                (err: unknown) => preparing.settle(failure("NetworkError", t("twilio.errors.unexpected", { reason: String(err) }), 502)),
            );
        });

        function wiredTo(port: number): string[] {
            return (node as Node & { wires?: string[][] }).wires?.[port] ?? [];
        }

        /** While the flow stops, nodes wired to an output may already be gone, and a message sent there vanishes. */
        function unreachable(port: number): boolean {
            return closing && wiredTo(port).some((id) => !RED.nodes.getNode(id));
        }

        function deliver(msg: NodeMessage, outcome: OutboxOutcome, used: Used, send: Send, done: Done): void {
            // a message that ended before its text was counted (refused, not prepared) is counted here, as sent
            const cost = used.cost ?? (op?.smsText ? costSmsText(op, { ...used.params }, costSettings, t).note : undefined);
            noteCost(msg, op, cost);
            if (outcome.ok) {
                msg.payload = outcome.result;
                if (outcome.reconciled) (msg as NodeMessage & { reconciled?: boolean }).reconciled = true;
                if (unreachable(0)) {
                    node.warn(t("twilio.warnings.resultWhileStopping", { operation: op!.name, detail: resultDetail(op!, outcome.result, t) }));
                } else {
                    send([msg, null]);
                }
                done();
                return;
            }
            const out = msg as NodeMessage & { operation?: string; parameters?: OperationParams };
            out.payload = outcome.error;
            out.operation = config.operation;
            out.parameters = op ? publicParameters(op, used.params) : {};
            // with the error output unwired (or stopped) the error goes to done(err): Catch nodes and the log
            if (wiredTo(1).length > 0 && !unreachable(1)) {
                send([null, out]);
                done();
            } else {
                done(new Error(outcome.error.error));
            }
        }

        // entries of this node (same id) that an outbox still holds, from before a restart or redeploy, come out here
        const unregister = outbox
            ? registerOutboxNode(node.id, {
                  resume(outcome, msg, params) {
                      const send: Send = (msgs) => node.send(msgs);
                      const done: Done = (err) => err && node.error(err.message, msg);
                      deliver(msg, outcome, { params }, send, done);
                      status.update(outcome);
                  },
                  showWaiting(waiting, unreachableSince) {
                      status.waiting = waiting;
                      status.unreachableSince = unreachableSince;
                      status.update();
                  },
              })
            : undefined;
        if (outbox) {
            const { waiting, unreachableSince } = outbox.waitingFor(node.id);
            status.waiting = waiting;
            status.unreachableSince = unreachableSince;
            if (waiting > 0) status.update();
        }

        node.on("close", (_removed: boolean, done: () => void) => {
            closing = true;
            unregister?.();
            status.close();
            // what is in the outbox stays there: its result comes out of this node's next instance (same id)
            for (const entry of [...pending]) {
                if (entry.state !== "stored" || !entry.live) continue;
                entry.live.detached = true;
                pending.delete(entry);
            }
            // what still waits for the account's limits, or to be tried again, was not processed by Twilio: it
            // ends now, as safe to send again, and nothing of this node is sent after this point
            for (const entry of pending) entry.ticket?.cancel(new Stopped());
            stopping.abort(new Stopped());
            if (pending.size === 0) return done();
            const waitMs = Math.min(account?.timeoutMs ?? CLOSE_WAIT_LIMIT_MS, CLOSE_WAIT_LIMIT_MS);
            const timer = setTimeout(() => {
                const stopped = failure("TimeoutError", t("twilio.errors.closed", { operation: config.operation }), 504);
                if (op?.method === "POST") stopped.error.outcome = "unknown";
                for (const entry of [...pending]) entry.settle(stopped);
            }, waitMs);
            whenDrained = () => {
                clearTimeout(timer);
                done();
            };
        });
    }

    RED.nodes.registerType(type, TwilioGroupNode);
}
