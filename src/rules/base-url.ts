/**
 * The account's API base URL: where requests go instead of Twilio. One rule for the runtime and the dialog.
 */
export const TWILIO_API_ORIGIN = "https://api.twilio.com";

/** The loopback hosts a plain-http base URL may name: nothing crosses a network from there. */
export const LOOPBACK_HOSTS = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export type BaseUrl = { ok: true; url: string } | { ok: false };

/**
 * Blank means Twilio itself. Otherwise an https URL, or http on a loopback host only: the Basic auth header
 * carries the credentials and must not travel in clear.
 */
export function parseBaseUrl(value: string | undefined): BaseUrl {
    const text = (value ?? "").trim();
    if (text === "") return { ok: true, url: TWILIO_API_ORIGIN };
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return { ok: false };
    }
    const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.test(url.hostname));
    if (!secure || url.username || url.password || url.search || url.hash) return { ok: false };
    return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}
