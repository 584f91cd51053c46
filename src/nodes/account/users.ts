/**
 * The nodes that use an account, kept as core's MQTT broker node keeps its clients (10-mqtt.js: register on
 * start, deregister on close). Operation and webhook nodes register when they start. The account then ends
 * a closing node's requests that were not sent (waiting for the limits, or to be tried again), and tells its
 * nodes whether Twilio answers, for their status.
 */
import type { Ticket } from "../../sender/limiter";
import { registerOutboxNode, type OutboxNode } from "../../outbox/result-router";
import type { AttemptResult } from "../../sender/retry";

/** Ends a request of a node that deregistered (closed) before it was sent: it is safe to send again. */
export class NodeStopped extends Error {}

export interface AccountUser {
    readonly id: string;
    /**
     * Told when Twilio stops answering (since when, ms since epoch) and when it answers again (undefined);
     * at registration too, when it is unreachable then.
     */
    showReachability?(unreachableSince: number | undefined): void;
    /** An operation node whose account keeps an outbox: results of its entries come back here. */
    outbox?: OutboxNode;
}

interface Membership {
    /** Aborted when the node deregisters: ends its retry waits at once, and no attempt of it leaves after. */
    stop: AbortController;
    /** Its requests that wait for the account's limits. */
    queued: Set<Ticket>;
    /** The outbox finds nodes by id, also those of another account (outbox/registry.ts). */
    leaveOutbox?: () => void;
}

export class AccountUsers {
    private readonly members = new Map<AccountUser, Membership>();
    private lostSince?: number;

    register(user: AccountUser): void {
        if (this.members.has(user)) return;
        const leaveOutbox = user.outbox && registerOutboxNode(user.id, user.outbox);
        this.members.set(user, { stop: new AbortController(), queued: new Set(), leaveOutbox });
        if (this.lostSince !== undefined) user.showReachability?.(this.lostSince);
    }

    /** Ends what the node has not sent yet (NodeStopped); what is in flight goes on. Then done(). */
    deregister(user: AccountUser, done?: () => void): void {
        const member = this.members.get(user);
        if (member) {
            this.members.delete(user);
            member.leaveOutbox?.();
            for (const ticket of member.queued) ticket.cancel(new NodeStopped());
            member.stop.abort(new NodeStopped());
        }
        done?.();
    }

    /** The ids of the registered nodes. */
    get ids(): string[] {
        return [...this.members.keys()].map((user) => user.id);
    }

    /** Since when no attempt has had an answer; undefined while Twilio answers. */
    get unreachableSince(): number | undefined {
        return this.lostSince;
    }

    /** Aborted when the node deregisters; a node that is not registered gets one aborted already. */
    stopSignalOf(user: AccountUser): AbortSignal {
        return this.members.get(user)?.stop.signal ?? AbortSignal.abort(new NodeStopped());
    }

    /** Keeps a node's ticket, while it is queued, to cancel it when the node deregisters (at once if it is not registered). */
    holdWhileQueued(user: AccountUser, ticket: Ticket): Ticket {
        const member = this.members.get(user);
        if (!member) {
            ticket.cancel(new NodeStopped());
            return ticket;
        }
        member.queued.add(ticket);
        const forget = () => member.queued.delete(ticket);
        ticket.ready.then(forget, forget);
        return {
            ready: ticket.ready,
            release: () => {
                forget();
                ticket.release();
            },
            cancel: (reason) => ticket.cancel(reason),
        };
    }

    /** Any answer means Twilio is reached; none (refused, reset, DNS, timeout) means it is not. */
    attempted(result: AttemptResult): void {
        const lost = result.kind === "noAnswer";
        if (lost === (this.lostSince !== undefined)) return;
        this.lostSince = lost ? Date.now() : undefined;
        for (const user of this.members.keys()) user.showReachability?.(this.lostSince);
    }
}
