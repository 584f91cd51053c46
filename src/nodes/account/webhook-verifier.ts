/**
 * Checks Twilio's signature of webhook requests for the webhook nodes of an account. Twilio signs them with
 * the account's auth token, also when requests use an API key: without the token nothing can be checked.
 * The token never leaves this object.
 */
import { verifySignature, verifySignatureWithBody } from "../../rules/signature";

export class WebhookVerifier {
    /** Undefined when the account has no auth token. */
    private readonly token?: string;

    constructor(authToken: string | undefined) {
        if (typeof authToken === "string" && authToken !== "") this.token = authToken;
    }

    get canVerify(): boolean {
        return this.token !== undefined;
    }

    /** Whether X-Twilio-Signature `signature` is Twilio's for this URL and these parameters; false without a token. */
    verify(signature: string, url: string, params: Record<string, string | string[]>): boolean {
        return this.token !== undefined && verifySignature(this.token, signature, url, params);
    }

    /** The same for a JSON webhook: the URL (with its bodySHA256) signed, and the raw body that hash covers. */
    verifyWithBody(signature: string, url: string, body: string): boolean {
        return this.token !== undefined && verifySignatureWithBody(this.token, signature, url, body);
    }
}
