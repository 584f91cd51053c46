/**
 * X-Twilio-Signature: Twilio signs each webhook request with HMAC-SHA1 over the URL it requested and the
 * sorted form parameters, keyed with the account's auth token. The SDK's validateRequest checks it (in constant
 * time, and with the URL's port written and left out, as Twilio may sign either).
 */
import { dependency } from "./dependency";

// the SDK's webhooks module alone, at the first request to check: the whole SDK takes ~100 ms to load
const webhooks = dependency<typeof import("twilio/lib/webhooks/webhooks")>("twilio/lib/webhooks/webhooks");

export function verifySignature(authToken: string, signature: string, url: string, params: Record<string, string | string[]>): boolean {
    try {
        return webhooks().validateRequest(authToken, signature, url, params);
    } catch {
        // the SDK parses the URL with new URL(): a URL it cannot parse was not what Twilio signed
        return false;
    }
}

/**
 * A JSON webhook: the signature covers the URL alone (with empty parameters), and the URL's bodySHA256 the body
 * (the SDK's validateRequestWithBody, constant-time comparisons both).
 */
export function verifySignatureWithBody(authToken: string, signature: string, url: string, body: string): boolean {
    try {
        return webhooks().validateRequestWithBody(authToken, signature, url, body);
    } catch {
        return false;
    }
}
