/**
 * The runtime of the three operation nodes (twilio-calls, twilio-messages, twilio-media): one input message,
 * one output message, on output 1 with the result or on output 2 with the error object.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";
import { OPERATIONS } from "../catalog/operations";
import type { GroupName, OperationSpec } from "../catalog/types";
import type { TwilioAccount } from "./account";
import { QueueFull, type Ticket } from "./limiter";
import { describeIssue, type Translate } from "./describe";
import { FieldError, prepareFields, type FieldConfig, type FieldResolver } from "./fields";
import { NodeStatus, resultDetail } from "./node-status";
import { failure, fromFailure, fromResponse, type Failure, type Outcome } from "./outcome";
import type { AccountOutbox } from "./outbox/account-outbox";
import { registerOutboxNode, type OutboxOutcome } from "./outbox/registry";
import type { LiveMessage } from "./outbox/outbox";
import { buildRequest } from "./request";
import { fillStatusCallback, statusWebhookOf } from "./status-webhook";
import { buildValidator, type Params, type Validator } from "./validate";

interface GroupNodeDef extends NodeDef, FieldConfig {
    operation: string;
    account: string;
    /** A twilio-webhook node whose public URL is the StatusCallback when none is given (postMessage, createCall). */
    statusWebhook?: string;
}

/** The config node as the operation nodes see it. */
export interface AccountNode extends Node {
    account: TwilioAccount;
    outbox?: AccountOutbox;
}

type Send = (msg: Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

interface Pending {
    /** Where the message is: being prepared, waiting for the account's limits, with Twilio, or in the outbox. */
    state: "preparing" | "queued" | "sending" | "stored";
    ticket?: Ticket;
    /** In the account's outbox: its result comes back through this. */
    live?: LiveMessage;
    settle(outcome: OutboxOutcome): void;
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
function publicParameters(op: OperationSpec, params: Params): Params {
    const result: Params = {};
    for (const spec of op.params) {
        if (params[spec.name] !== undefined && !(spec.kind === "text" && spec.secret)) result[spec.name] = params[spec.name];
    }
    return result;
}

export function registerGroupNode(RED: NodeAPI, type: string, group: GroupName): void {
    const t: Translate = (key, substitutions) => RED._(key, substitutions);

    function TwilioGroupNode(this: Node, config: GroupNodeDef) {
        RED.nodes.createNode(this, config);
        const node = this;
        const op: OperationSpec | undefined = OPERATIONS[config.operation];
        const accountNode = RED.nodes.getNode(config.account) as AccountNode | null;
        const account = accountNode?.account;
        const pending = new Set<Pending>();
        const status = new NodeStatus(node, op, t);
        const statusWebhook = op && statusWebhookOf(op, config.statusWebhook);
        let setupError: Failure | undefined;
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

        /** Everything from msg to outcome; never throws, never sends an invalid request. */
        async function execute(msg: NodeMessage, entry: Pending, used: { params: Params }): Promise<Outcome> {
            if (setupError) return setupError;
            const operation = op!;
            let input: Params;
            try {
                input = await resolveFields!(msg);
            } catch (err) {
                const { param, reason } = err as FieldError;
                return failure("ValidationError", t("twilio.errors.field", { param, reason: fieldReason(reason) }), 400);
            }
            // before validation, so that the webhook's URL is checked like any StatusCallback
            const webhookProblem = fillStatusCallback(RED, statusWebhook, input);
            used.params = input;
            if (webhookProblem) return failure("ConfigError", t(`twilio.errors.${webhookProblem}`, { id: String(config.statusWebhook) }), 400);
            const validation = validatorOf(operation)(input);
            if (!validation.ok) {
                const sentences = validation.issues.map((issue) => describeIssue(issue, operation, t));
                return failure("ValidationError", sentences.join(" "), 400);
            }
            const params = (used.params = validation.params);
            const credentials = account!.authFor(params.AccountSid as string, params.AuthToken as string);
            if (!credentials.ok) {
                const status = credentials.problem === "badBaseUrl" ? 400 : 401;
                return failure("ConfigError", t(`twilio.errors.${credentials.problem}`, { url: account!.baseUrl }), status);
            }
            const outbox = accountNode?.outbox?.outbox;
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
            try {
                setState(entry, "queued");
                await entry.ticket.ready;
                setState(entry, "sending");
                const exchange = await account!.exchange(request, credentials.auth);
                const outcome = exchange.response
                    ? fromResponse(operation, exchange.response, t)
                    : fromFailure(operation, exchange.error, account!, t);
                if (!outcome.ok && exchange.unknownOutcome) outcome.error.outcome = "unknown";
                return outcome;
            } catch (err) {
                if (!(err instanceof Stopped)) throw err;
                return failure("StoppedError", t("twilio.errors.stoppedBeforeSending", { operation: operation.name }), 503);
            } finally {
                entry.ticket.release();
            }
        }

        node.on("input", (msg: NodeMessageInFlow, send: Send, done: Done) => {
            const used: { params: Params } = { params: {} };
            let settled = false;
            const entry: Pending = {
                state: "preparing",
                settle(outcome) {
                    if (settled) return;
                    settled = true;
                    if (entry.state === "queued") status.queued--;
                    pending.delete(entry);
                    status.pending = pending.size;
                    deliver(msg, outcome, used.params, send, done);
                    status.update(outcome);
                    if (pending.size === 0) whenDrained?.();
                },
            };
            pending.add(entry);
            status.pending = pending.size;
            status.update();
            execute(msg, entry, used).then(entry.settle, (err: unknown) =>
                entry.settle(failure("NetworkError", t("twilio.errors.unexpected", { reason: String(err) }), 502)),
            );
        });

        function wiredTo(port: number): string[] {
            return (node as Node & { wires?: string[][] }).wires?.[port] ?? [];
        }

        /** While the flow stops, nodes wired to an output may already be gone, and a message sent there vanishes. */
        function unreachable(port: number): boolean {
            return closing && wiredTo(port).some((id) => !RED.nodes.getNode(id));
        }

        function deliver(msg: NodeMessage, outcome: OutboxOutcome, params: Params, send: Send, done: Done): void {
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
            const out = msg as NodeMessage & { operation?: string; parameters?: Params };
            out.payload = outcome.error;
            out.operation = config.operation;
            out.parameters = op ? publicParameters(op, params) : {};
            // with the error output unwired (or stopped) the error goes to done(err): Catch nodes and the log
            if (wiredTo(1).length > 0 && !unreachable(1)) {
                send([null, out]);
                done();
            } else {
                done(new Error(outcome.error.error));
            }
        }

        // entries of this node (same id) that an outbox still holds, from before a restart or redeploy, come out here
        const outbox = accountNode?.outbox?.outbox;
        const unregister = outbox
            ? registerOutboxNode(node.id, {
                  resume(outcome, msg, params) {
                      const send: Send = (msgs) => node.send(msgs);
                      const done: Done = (err) => err && node.error(err.message, msg);
                      deliver(msg, outcome, params, send, done);
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
            // what still waits for the account's limits was never sent: it ends now, as safe to send again
            for (const entry of pending) entry.ticket?.cancel(new Stopped());
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
