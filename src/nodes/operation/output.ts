/**
 * How an operation node puts a message's outcome out: the result on output 1, the error object on output 2
 * (with msg.operation and msg.parameters), or done(err) when output 2 is not wired; while the flow stops,
 * a result whose wired nodes are gone goes to the log instead of vanishing.
 */
import type { Node, NodeAPI, NodeMessage } from "node-red";
import type { OperationSpec } from "../../catalog/types";
import type { Translate } from "../../rules/translate";
import type { OperationParams } from "../../rules/validate";
import { resultDetail } from "../../rules/result-detail";
import type { OutboxOutcome } from "../../outbox/result-router";
import { costSmsText, noteCost, type CostNote, type CostSettings } from "./sms-cost";

/** What one output message came to before its outcome: the parameters used (msg.parameters on output 2), and its SMS text's cost. */
export interface Used {
    params: OperationParams;
    cost?: CostNote;
}

export type Send = (msg: Array<NodeMessage | null>) => void;
export type Done = (err?: Error) => void;

/** The parameters a flow may see again on output 2: the known ones, without secrets. */
function publicParameters(op: OperationSpec, params: OperationParams): OperationParams {
    const result: OperationParams = {};
    for (const spec of op.params) {
        if (params[spec.name] !== undefined && !(spec.kind === "text" && spec.secret)) result[spec.name] = params[spec.name];
    }
    return result;
}

export class NodeOutput {
    /** Set when the node starts closing. */
    closing = false;

    constructor(
        private readonly RED: NodeAPI,
        private readonly node: Node,
        private readonly t: Translate,
        /** The node's operation setting, as msg.operation on output 2. */
        private readonly operation: string,
        /** Undefined when the setting names no operation of the node's collection. */
        private readonly op: OperationSpec | undefined,
        private readonly costSettings: CostSettings,
    ) {}

    deliver(msg: NodeMessage, outcome: OutboxOutcome, used: Used, send: Send, done: Done): void {
        const { op, t } = this;
        // a message that ended before its text was counted (refused, not prepared) is counted here, as sent
        const cost = used.cost ?? (op?.smsText ? costSmsText(op, { ...used.params }, this.costSettings, t).note : undefined);
        noteCost(msg, op, cost);
        if (outcome.ok) {
            msg.payload = outcome.result;
            if (outcome.reconciled) (msg as NodeMessage & { reconciled?: boolean }).reconciled = true;
            if (op && this.unreachable(0)) {
                this.node.warn(t("twilio.warnings.resultWhileStopping", { operation: op.name, detail: resultDetail(op, outcome.result, t) }));
            } else {
                send([msg, null]);
            }
            done();
            return;
        }
        const out = msg as NodeMessage & { operation?: string; parameters?: OperationParams };
        out.payload = outcome.error;
        out.operation = this.operation;
        out.parameters = op ? publicParameters(op, used.params) : {};
        // with the error output unwired (or stopped) the error goes to done(err): Catch nodes and the log
        if (this.wiredTo(1).length > 0 && !this.unreachable(1)) {
            send([null, out]);
            done();
        } else {
            done(new Error(outcome.error.error));
        }
    }

    private wiredTo(port: number): string[] {
        return (this.node as Node & { wires?: string[][] }).wires?.[port] ?? [];
    }

    /** While the flow stops, nodes wired to an output may already be gone, and a message sent there vanishes. */
    private unreachable(port: number): boolean {
        return this.closing && this.wiredTo(port).some((id) => !this.RED.nodes.getNode(id));
    }
}
