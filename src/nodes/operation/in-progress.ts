/**
 * The messages an operation node is working on: each one being prepared, waiting for the account's limits,
 * with Twilio, or in the account's outbox. They are counted in the node's status and, when the node closes,
 * waited for or ended.
 */
import type { NodeStatus } from "./status";
import type { LiveMessage, OutboxOutcome } from "../../outbox/result-router";

/** A message being prepared, or one request of it (one per recipient). */
export interface MessageInProgress {
    state: "preparing" | "queued" | "sending" | "stored";
    /** In the account's outbox: its result comes back through this. */
    live?: LiveMessage;
    settled: boolean;
    /** Ends it with this outcome, delivered on an output. */
    settle(outcome: OutboxOutcome): void;
    /** Ends it without an output: its requests, each in progress on its own, take over. */
    handOver(): void;
}

export class MessagesInProgress {
    private readonly open = new Set<MessageInProgress>();
    private whenDrained?: () => void;

    constructor(private readonly status: NodeStatus) {}

    get size(): number {
        return this.open.size;
    }

    /** A new message (or request): `deliverOutcome` puts its outcome on an output. */
    track(deliverOutcome: (outcome: OutboxOutcome) => void): MessageInProgress {
        const { open, status } = this;
        const entry: MessageInProgress = {
            state: "preparing",
            settled: false,
            settle: (outcome) => {
                if (entry.settled) return;
                entry.settled = true;
                if (entry.state === "queued") status.queued--;
                open.delete(entry);
                status.pending = open.size;
                deliverOutcome(outcome);
                status.update(outcome);
                if (open.size === 0) this.whenDrained?.();
            },
            handOver: () => {
                entry.settled = true;
                open.delete(entry);
                status.pending = open.size;
            },
        };
        open.add(entry);
        status.pending = open.size;
        status.update();
        return entry;
    }

    setState(entry: MessageInProgress, state: MessageInProgress["state"]): void {
        if (entry.state === "queued") this.status.queued--;
        if (state === "queued") this.status.queued++;
        entry.state = state;
        this.status.update();
    }

    /** At close: what the outbox holds stays there; its result comes out of this node's next instance (same id). */
    leaveStoredToOutbox(): void {
        for (const entry of [...this.open]) {
            if (entry.state !== "stored" || !entry.live) continue;
            entry.live.detached = true;
            this.open.delete(entry);
        }
    }

    /** Calls `drained` once the last one has ended. */
    onDrained(drained: () => void): void {
        this.whenDrained = drained;
    }

    /** Ends every one still open with `outcome`. */
    endAll(outcome: OutboxOutcome): void {
        for (const entry of [...this.open]) entry.settle(outcome);
    }
}
