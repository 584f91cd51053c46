/**
 * The node status of an operation node: waiting in the outbox / Twilio unreachable / requesting / in flight and
 * queued / the last result or error. It
 * changes with every message, and each status travels to every open editor, so it is drawn at most every
 * INTERVAL_MS: the first change at once, the last one at most that late.
 */
import type { Node } from "node-red";
import type { OperationSpec } from "../../catalog/types";
import type { Translate } from "../../rules/translate";
import type { Outcome } from "../../sender/outcome";
import { resultDetail } from "../../rules/result-detail";
import type { HeldReason } from "../../outbox/result-router";

const INTERVAL_MS = 250;

export class NodeStatus {
    /** Messages the node is working on, and how many of them wait for the account's limits. */
    pending = 0;
    queued = 0;
    /** The node's messages in the account's outbox, and why they wait when the account is held (outbox.ts). */
    waiting = 0;
    held?: HeldReason;
    /** Since when the account's requests have had no answer (nodes/account/users.ts); undefined while Twilio answers. */
    private accountUnreachableSince?: number;
    /** Whether the status drawn last is the account's "Twilio unreachable": cleared when there is nothing else to show. */
    private showsUnreachable = false;
    private last?: Outcome;
    private shownAt = 0;
    private timer?: NodeJS.Timeout;

    constructor(
        private readonly node: Node,
        /** Undefined when the node has no valid operation: it then only ever shows errors. */
        private readonly op: OperationSpec | undefined,
        private readonly t: Translate,
    ) {}

    /** Asks for a redraw, with the outcome of a message that just ended if there is one. */
    update(outcome?: Outcome): void {
        if (outcome) this.last = outcome;
        if (this.timer) return;
        const wait = INTERVAL_MS - (Date.now() - this.shownAt);
        if (wait > 0) {
            this.timer = setTimeout(() => {
                this.timer = undefined;
                this.update();
            }, wait);
            return;
        }
        this.shownAt = Date.now();
        this.draw();
    }

    /** The account's state, as it tells its nodes. */
    showReachability(unreachableSince: number | undefined): void {
        this.accountUnreachableSince = unreachableSince;
        this.update();
    }

    close(): void {
        clearTimeout(this.timer);
        this.timer = undefined;
    }

    private draw(): void {
        const { node, op, t } = this;
        const wasUnreachable = this.showsUnreachable;
        this.showsUnreachable = false;
        if (this.waiting > 0 && (this.held !== undefined || this.pending === 0)) {
            const { held } = this;
            const since = held ? new Date(held.since).toTimeString().slice(0, 5) : "";
            const text = held ? t(`twilio.outbox.held.${held.reason}`, { n: this.waiting, since }) : t("twilio.outbox.waiting", { n: this.waiting });
            node.status({ fill: held ? (held.reason === "busy" || held.reason === "unreachable" ? "yellow" : "red") : "blue", shape: "ring", text });
        } else if (this.accountUnreachableSince !== undefined) {
            const since = new Date(this.accountUnreachableSince).toTimeString().slice(0, 5);
            node.status({ fill: "yellow", shape: "ring", text: t("twilio.status.unreachable", { since }) });
            this.showsUnreachable = true;
        } else if (this.pending > 0) {
            const text = this.queued > 0
                ? t("twilio.status.queued", { inFlight: this.pending - this.queued, queued: this.queued })
                : t("twilio.status.requesting", { n: this.pending });
            node.status({ fill: "blue", shape: this.queued > 0 ? "ring" : "dot", text });
        } else if (this.last?.ok && op) {
            node.status({ fill: "green", shape: "dot", text: `${op.name}: ${resultDetail(op, this.last.result, t)}` });
        } else if (this.last && !this.last.ok) {
            const { type, status, code } = this.last.error;
            node.status({ fill: "red", shape: "ring", text: `${type} ${code ?? status}` });
        } else if (wasUnreachable) {
            node.status({});
        }
    }
}
