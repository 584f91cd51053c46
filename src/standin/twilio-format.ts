/**
 * How Twilio writes things: Sids, RFC 2822 dates, formatted numbers, and its error body.
 */
import { randomBytes } from "node:crypto";

export const API_VERSION = "2010-04-01";

export function newSid(prefix: string): string {
    return prefix + newToken();
}

/** 32 hexadecimal digits, the form of an auth token or API key secret. */
export function newToken(): string {
    return randomBytes(16).toString("hex");
}

/** "Thu, 26 Nov 2026 15:05:00 +0000", as Twilio dates its resources. */
export function rfc2822(date: Date): string {
    return date.toUTCString().replace("GMT", "+0000");
}

/** The YYYY-MM-DD (GMT) day of an RFC 2822 date, for the date filters of list operations. */
export function dayOf(rfcDate: string | null): string | null {
    return rfcDate === null ? null : new Date(rfcDate).toISOString().slice(0, 10);
}

/** Twilio's display form of a North American number, e.g. (617) 555-1212; other values as they are. */
export function formatNumber(value: string): string {
    const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(value);
    return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : value;
}

export interface TwilioErrorBody {
    code: number;
    message: string;
    more_info: string;
    status: number;
}

export class TwilioApiError extends Error {
    constructor(
        readonly status: number,
        readonly code: number,
        message: string,
    ) {
        super(message);
    }

    get body(): TwilioErrorBody {
        return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
    }
}
