import type { OperationSpec } from "./types";

/** The parameter a status webhook fills in: the operations that have it can send delivery receipts. */
export const STATUS_CALLBACK = "StatusCallback";

export function takesStatusCallback(op: OperationSpec): boolean {
    return op.params.some((spec) => spec.name === STATUS_CALLBACK);
}
