/**
 * The operation nodes that may receive a result from an outbox, by node id. A node is entered here when it
 * registers with its account (account-users.ts), so that entries it sent before a restart or a redeploy find
 * it (same id, whichever account it uses now) when their results come; its results then come out of it with
 * the saved message properties.
 */
import type { NodeMessage } from "node-red";
import type { Outcome } from "../outcome";
import type { OperationParams } from "../../rules/validate";

/** A result from the outbox: `reconciled` when found at Twilio after an attempt with an unknown outcome. */
export type OutboxOutcome = Outcome & { reconciled?: boolean };

export interface OutboxNode {
    /** Sends a result on (outputs, or done(err) / the log as the node does). */
    resume(outcome: OutboxOutcome, msg: NodeMessage, params: OperationParams): void;
    /** How many of its messages wait in the outbox, and since when Twilio has been unreachable, if it is. */
    showWaiting(waiting: number, unreachableSince?: number): void;
}

const nodes = new Map<string, OutboxNode>();

export function registerOutboxNode(id: string, node: OutboxNode): () => void {
    nodes.set(id, node);
    return () => {
        if (nodes.get(id) === node) nodes.delete(id);
    };
}

export function outboxNode(id: string): OutboxNode | undefined {
    return nodes.get(id);
}
