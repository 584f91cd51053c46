/**
 * A result in a few words, for a node's status and the log: "queued SM...", "20 listed", "deleted".
 */
import { LISTS } from "../catalog/result-shapes";
import type { OperationSpec } from "../catalog/types";
import type { Translate } from "./translate";

export function resultDetail(op: OperationSpec, result: Record<string, unknown> | null, t: Translate): string {
    if (result === null) return t("twilio.status.deleted");
    const list = LISTS[op.result];
    if (list) return t("twilio.status.listed", { n: (result[list.key] as unknown[] | undefined)?.length ?? 0 });
    return [result.status, result.sid].filter((part) => typeof part === "string").join(" ");
}

