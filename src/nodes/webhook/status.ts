/**
 * The webhook node's status under it in the editor: whether it serves and checks signatures (at deploy), then
 * the last event, refusal or absorbed retry. Green while signatures are checked, yellow while they are not.
 */
import type { Node } from "node-red";
import type { Translate } from "../../rules/translate";
import type { WebhookEvent } from "./events";
import type { SignatureCheck } from "./signature-check";

export class WebhookStatus {
    /** Repeats of requests answered again without emitting them (idempotency.ts), since deploy. */
    private retriesAbsorbed = 0;

    constructor(
        private readonly node: Pick<Node, "status">,
        private readonly t: Translate,
        private readonly validate: boolean,
    ) {}

    notServing(): void {
        this.node.status({ fill: "red", shape: "ring", text: this.t("twilio.webhook.status.notServing") });
    }

    /** Shown at deploy when signatures are not checked, or every request will be refused; nothing otherwise. */
    signatureCheck(check: SignatureCheck, path: string): void {
        if (check.kind === "off") this.node.status({ fill: "yellow", shape: "ring", text: this.t("twilio.webhook.status.unchecked", { path }) });
        else if (check.kind === "refuseAll") this.node.status({ fill: "red", shape: "ring", text: this.t(`twilio.webhook.status.${check.problem}`) });
    }

    refused(): void {
        this.node.status({ fill: "red", shape: "ring", text: this.t("twilio.webhook.status.refused") });
    }

    event(event: WebhookEvent, sid: string | undefined): void {
        const shown = this.t("twilio.webhook.status.event", { event, sid: sid ?? "" }).trim();
        const text = this.retriesAbsorbed > 0 ? this.t("twilio.webhook.retries.status", { text: shown, count: this.retriesAbsorbed }) : shown;
        this.node.status({ fill: this.fill, shape: "dot", text });
    }

    retryAbsorbed(): void {
        this.retriesAbsorbed++;
        this.node.status({ fill: this.fill, shape: "ring", text: this.t("twilio.webhook.retries.absorbed", { count: this.retriesAbsorbed }) });
    }

    private get fill(): "green" | "yellow" {
        return this.validate ? "green" : "yellow";
    }
}
