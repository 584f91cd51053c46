/**
 * The runtime of the three operation nodes (twilio-calls, twilio-messages, twilio-media): one input message,
 * one output message, on output 1 with the result or on output 2 with the error object. This file wires a
 * node to Node-RED and to its account; a message's path is pipeline.ts, its output output.ts.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from "node-red";
import type { CollectionName } from "../../catalog/types";
import { migrateConfig } from "../../rules/config-migrations";
import type { Translate } from "../../rules/translate";
import type { AccountUser } from "../account/users";
import { MessagePipeline } from "./pipeline";
import { MessagesInProgress } from "./in-progress";
import { NodeOutput, type Done, type Send } from "./output";
import { NodeStatus } from "./status";
import type { OutboxNode } from "../../outbox/result-router";
import { setUpOperationNode, type OperationNodeConfig } from "./setup";
import { failure } from "../../sender/outcome";

/** The longest a redeploy waits for answers in flight before ending them as unknown (Node-RED allows 15 s). */
const CLOSE_WAIT_LIMIT_MS = 10_000;

export function registerOperationNode(RED: NodeAPI, type: string, collection: CollectionName): void {
    const t: Translate = (key, substitutions) => RED._(key, substitutions);

    function TwilioOperationNode(this: Node, saved: OperationNodeConfig) {
        RED.nodes.createNode(this, saved);
        const config = migrateConfig(type, saved);
        const node = this;
        const setup = setUpOperationNode(RED, node, config, collection, t);
        const status = new NodeStatus(node, setup.op, t);
        const progress = new MessagesInProgress(status);
        const output = new NodeOutput(RED, node, t, config.operation, setup.op, setup.costSettings);

        /** How the node handles its messages, and how it leaves its account when it closes. */
        function start(): { handle: (msg: NodeMessageInFlow, send: Send, done: Done) => void; leave?: () => void; closeWaitMs: number } {
            if (!setup.ok) {
                const { problem } = setup;
                node.status({ fill: "red", shape: "ring", text: t("twilio.status.notConfigured") });
                node.error(problem.error.error);
                const handle = (msg: NodeMessageInFlow, send: Send, done: Done) => {
                    const used = { params: {} };
                    const entry = progress.track((outcome) => output.deliver(msg, outcome, used, send, done));
                    queueMicrotask(() => entry.settle(problem));
                };
                return { handle, closeWaitMs: CLOSE_WAIT_LIMIT_MS };
            }
            const { account, outbox } = setup;
            const user: AccountUser = { id: node.id, showReachability: (since) => status.showReachability(since) };
            // entries of this node (same id) that an outbox still holds, from before a restart or redeploy, come out
            // here, also when its account no longer stores new ones (the outbox unticked: what it holds is sent)
            user.outbox = outboxResults(node, output, status);
            account.register(user);
            if (outbox) {
                const { waiting, held } = outbox.waitingFor(node.id);
                status.waiting = waiting;
                status.held = held;
                if (waiting > 0) status.update();
            }
            const pipeline = new MessagePipeline(RED, t, node, user, setup, progress, output);
            return {
                handle: (msg, send, done) => pipeline.handle(msg, send, done),
                leave: () => account.deregister(user),
                closeWaitMs: Math.min(account.timeoutMs, CLOSE_WAIT_LIMIT_MS),
            };
        }
        const running = start();

        node.on("input", running.handle);

        node.on("close", (_removed: boolean, done: () => void) => {
            output.closing = true;
            status.close();
            progress.leaveStoredToOutbox();
            // what still waits for the account's limits, or to be tried again, was not processed by Twilio: the
            // account ends it now, as safe to send again, and nothing of this node is sent after this point
            running.leave?.();
            if (progress.size === 0) return done();
            const timer = setTimeout(() => {
                const stopped = failure("TimeoutError", t("twilio.errors.closed", { operation: config.operation }), 504);
                if (setup.op?.method === "POST") stopped.error.outcome = "unknown";
                progress.endAll(stopped);
            }, running.closeWaitMs);
            progress.onDrained(() => {
                clearTimeout(timer);
                done();
            });
        });
    }

    RED.nodes.registerType(type, TwilioOperationNode);
}

/** Where an outbox hands the results of this node's entries that outlived the node instance that sent them. */
function outboxResults(node: Node, output: NodeOutput, status: NodeStatus): OutboxNode {
    return {
        resume(outcome, msg, params) {
            const send: Send = (msgs) => node.send(msgs);
            const done: Done = (err) => err && node.error(err.message, msg);
            output.deliver(msg, outcome, { params }, send, done);
            status.update(outcome);
        },
        showWaiting(waiting, held) {
            status.waiting = waiting;
            status.held = held;
            status.update();
        },
    };
}
