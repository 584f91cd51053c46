/**
 * What the webhook node checks once at deploy: whether it can serve its path at all, and what its signature
 * check will do. Each problem is said once here rather than on every request.
 */
import type { Node } from "node-red";
import { WEBHOOK_PATH_PATTERN } from "../../rules/public-url";
import type { Translate } from "../../rules/translate";
import type { WebhookStatus } from "./status";
import { isServed, type ExpressApp } from "./routes";
import type { SignatureCheck } from "./signature-check";

/** Where the node serves its route, or why it cannot (the message to log). */
export type Serving = { ok: true; app: ExpressApp; root: string } | { ok: false; problem: string };

/**
 * @param root the node root prefix; undefined when Node-RED serves no node routes (httpNodeRoot false)
 * @param app RED.httpNode
 */
export function servingOf(t: Translate, path: string, root: string | undefined, app: ExpressApp | undefined): Serving {
    if (!WEBHOOK_PATH_PATTERN.test(path)) return { ok: false, problem: t("twilio.webhook.errors.badPath", { path }) };
    if (root === undefined || !app) return { ok: false, problem: t("twilio.webhook.errors.noNodeRoot") };
    if (isServed(app, path)) return { ok: false, problem: t("twilio.webhook.errors.pathInUse", { path }) };
    return { ok: true, app, root };
}

/** Warns when signatures are not checked, and says why when every request will be refused. */
export function reportSignatureCheck(node: Pick<Node, "warn" | "error">, t: Translate, status: WebhookStatus, check: SignatureCheck, path: string): void {
    if (check.kind === "off") {
        node.warn(t("twilio.webhook.warnings.validationOff", { path }));
    } else if (check.kind === "refuseAll") {
        node.error(t("twilio.webhook.errors.refusesAll", { path, reason: t(`twilio.webhook.reasons.${check.problem}`, { url: "" }) }));
    }
    status.signatureCheck(check, path);
}
