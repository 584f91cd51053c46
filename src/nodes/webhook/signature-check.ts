/**
 * Twilio's signature (X-Twilio-Signature) on webhook requests: how a node checks it, decided once at deploy,
 * and the check of each request. Form and JSON bodies are signed alike over the URL Twilio called; they differ
 * only in what else the signature covers: a form's parameters, or for JSON the URL's bodySHA256, the hash
 * of the raw body.
 */
import type { IncomingMessage } from "node:http";
import { signedUrl, type PublicBase } from "../../rules/public-url";
import type { WebhookVerifier } from "../account/webhook-verifier";
import { signedParams, type FormEntries } from "./form";
import { headerOf, originalUrlOf } from "./http-exchange";

/** Why a request is refused with 403: a key of twilio.webhook.reasons in the message catalog. */
export type Refusal = "noAccount" | "noToken" | "noBaseUrl" | "missing" | "mismatch" | "json.noBodyHash" | "json.mismatch";

/** A refusal, with the URL that was checked (without its query) when the signature did not match. */
export interface Refused {
    reason: Refusal;
    url?: string;
}

/** How a node checks signatures: not at all (validate off), against the account's token and its public URL, or it cannot. */
export type SignatureCheck =
    | { kind: "off" }
    | { kind: "refuseAll"; problem: Extract<Refusal, "noAccount" | "noToken" | "noBaseUrl"> }
    | { kind: "verify"; webhooks: WebhookVerifier; baseUrl: string };

/** What a request's signature covers besides the URL: a form's parameters, or a JSON body's text. */
export type SignedBody = { entries: FormEntries } | { text: string };

/**
 * What makes every request fail its check is known at deploy, to be said once rather than per request.
 * @param webhooks the account's verifier; undefined when the node has no account
 */
export function signatureCheckOf(validate: boolean, webhooks: WebhookVerifier | undefined, base: PublicBase): SignatureCheck {
    if (!validate) return { kind: "off" };
    if (!webhooks) return { kind: "refuseAll", problem: "noAccount" };
    if (!webhooks.canVerify) return { kind: "refuseAll", problem: "noToken" };
    if (!base.ok) return { kind: "refuseAll", problem: "noBaseUrl" };
    return { kind: "verify", webhooks, baseUrl: base.url };
}

/** Why this request is refused; undefined when its signature is Twilio's (or signatures are not checked). */
export function refusalOf(check: SignatureCheck, req: IncomingMessage, body: SignedBody): Refused | undefined {
    if (check.kind === "off") return undefined;
    if (check.kind === "refuseAll") return { reason: check.problem };
    const signature = headerOf(req, "x-twilio-signature");
    if (!signature) return { reason: "missing" };
    const url = signedUrl(check.baseUrl, originalUrlOf(req));
    if ("text" in body) {
        if (!new URL(url).searchParams.has("bodySHA256")) return { reason: "json.noBodyHash" };
        return check.webhooks.verifyWithBody(signature, url, body.text) ? undefined : mismatch("json.mismatch", url);
    }
    return check.webhooks.verify(signature, url, signedParams(body.entries)) ? undefined : mismatch("mismatch", url);
}

function mismatch(reason: Extract<Refusal, "mismatch" | "json.mismatch">, url: string): Refused {
    // the URL without its query: a query may carry what the user would rather not see in a log
    return { reason, url: url.split("?")[0] };
}
