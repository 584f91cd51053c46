/**
 * Where an outbox entry's result goes: back the way it came while the message is still in its node (the live
 * message), else out of the operation node registered under the entry's node id (the node's next instance after
 * a redeploy or a restart, whichever account it uses now), with the saved message properties. Results that come
 * while the flows are stopped wait until they start (a redeploy); a node id that no running node has gets its
 * result in the log. The entry is forgotten only once its result is handed on, so a crash before then puts the
 * result out again (found at Twilio), never the create. A node is entered here when it registers with its account (nodes/account/users.ts).
 */
import type { NodeMessage } from "node-red";
import type { Outcome } from "../sender/outcome";
import type { OperationParams } from "../rules/validate";

/** A result from the outbox: `reconciled` when found at Twilio after an attempt with an unknown outcome. */
export type OutboxOutcome = Outcome & { reconciled?: boolean };

export interface OutboxNode {
    /** Sends a result on (outputs, or done(err) / the log as the node does). */
    resume(outcome: OutboxOutcome, msg: NodeMessage, params: OperationParams): void;
    /** How many of its messages wait in the outbox, and why they wait if they are held. */
    showWaiting(waiting: number, held?: HeldReason): void;
}

/** Why an account's entries wait: the account's status and its nodes' say it. */
export interface HeldReason {
    /** A catalog key under twilio.outbox.held: unreachable, credentials, setting. */
    reason: string;
    since: number;
}

/** The message of a create while it is in this process: its result goes back the way it came, while it can. */
export interface LiveMessage {
    msg: NodeMessage;
    /** Set when its node stopped: the result then goes to the node registered under its id. */
    detached: boolean;
    resolve(outcome: OutboxOutcome): void;
}

export interface RoutedResult {
    node: string;
    operation: string;
    outcome: OutboxOutcome;
    params: OperationParams;
    live?: LiveMessage;
    /** The saved message, read only when the live one is gone. */
    saved: () => Promise<NodeMessage>;
    /** The result in a few words, for the log. */
    describe: () => string;
    /** Called once the result is handed on (or logged): only then may the store forget the entry. */
    routed: () => void;
}

const nodes = new Map<string, OutboxNode>();
let flowsRunning = false;
let held: RoutedResult[] = [];
let logOrphan: (result: RoutedResult) => void = () => {};

export function registerOutboxNode(id: string, node: OutboxNode): () => void {
    nodes.set(id, node);
    return () => {
        if (nodes.get(id) === node) nodes.delete(id);
    };
}

export function outboxNode(id: string): OutboxNode | undefined {
    return nodes.get(id);
}

/** How a result no node takes is logged (set by the account glue, which has Node-RED's log). */
export function setOrphanLog(log: (result: RoutedResult) => void): void {
    logOrphan = log;
}

/** Hands a result on; never throws. */
export function routeResult(result: RoutedResult): void {
    const node = nodes.get(result.node);
    if (result.live && !result.live.detached) {
        result.live.resolve(result.outcome);
    } else if (node && result.live) {
        node.resume(result.outcome, result.live.msg, result.params);
    } else if (node) {
        // after a restart: the message as the store kept it
        void result.saved().then((msg) => {
            node.resume(result.outcome, msg, result.params);
            result.routed();
        });
        return;
    } else if (!flowsRunning) {
        // a redeploy: the node's next instance takes it when the flows have started
        held.push(result);
        return;
    } else {
        logOrphan(result);
    }
    result.routed();
}

export function flowsStarted(): void {
    flowsRunning = true;
    const waiting = held;
    held = [];
    for (const result of waiting) routeResult(result);
}

export function flowsStopping(): void {
    flowsRunning = false;
}
