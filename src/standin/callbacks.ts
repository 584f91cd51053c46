/**
 * The stand-in's requests to the application, as Twilio makes them: an x-www-form-urlencoded POST with
 * X-Twilio-Signature computed by the Twilio SDK's own signing code with the account's auth token. Only to
 * loopback URLs: the stand-in never sends traffic off the machine. A target that is down or slow is recorded,
 * never thrown: it does not block or crash the stand-in.
 */
import { setTimeout as sleep } from "node:timers/promises";
import twilio from "twilio";
import { LOOPBACK_HOSTS } from "../rules/base-url";

export type CallbackKind = "message-status" | "call-status" | "incoming-message" | "gather";

export interface CallbackRecord {
    kind: CallbackKind;
    url: string;
    params: Record<string, string>;
    /** The HTTP status of the answer; 0 when there was none (refused URL, no connection, timeout). */
    status: number;
    contentType?: string;
    /** The answer's body, e.g. the TwiML of an incoming message's reply. */
    body?: string;
    /** Why there is no answer: "not loopback", or the network error's code. */
    error?: string;
    sentAt: number;
    answeredAt: number;
}

/** Twilio gives an application 15 s to answer. */
const ANSWER_TIMEOUT_MS = 15_000;

export function isLoopbackUrl(url: string): boolean {
    try {
        const parsed = new URL(url);
        return (parsed.protocol === "http:" || parsed.protocol === "https:") && LOOPBACK_HOSTS.test(parsed.hostname);
    } catch {
        return false;
    }
}

export class CallbackSender {
    readonly records: CallbackRecord[] = [];
    private controller = new AbortController();
    private readonly running = new Set<Promise<void>>();

    /**
     * POSTs one signed request and resolves with its record (also kept in `records`) once it is answered or
     * has failed; never rejects.
     */
    async post(kind: CallbackKind, url: string, params: Record<string, string>, authToken: string): Promise<CallbackRecord> {
        const record: CallbackRecord = { kind, url, params, status: 0, sentAt: Date.now(), answeredAt: 0 };
        this.records.push(record);
        if (!isLoopbackUrl(url)) {
            record.error = "not loopback";
            return record;
        }
        try {
            const response = await fetch(url, {
                method: "POST",
                headers: {
                    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                    "X-Twilio-Signature": twilio.getExpectedTwilioSignature(authToken, url, params),
                    "User-Agent": "TwilioProxy/1.1",
                },
                body: new URLSearchParams(params).toString(),
                signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(ANSWER_TIMEOUT_MS)]),
                redirect: "manual",
            });
            record.status = response.status;
            record.contentType = response.headers.get("content-type") ?? undefined;
            record.body = await response.text();
            record.answeredAt = Date.now();
        } catch (err) {
            const cause = (err as { cause?: { code?: unknown } }).cause;
            record.error = String(cause?.code ?? (err as Error).name ?? err);
        }
        return record;
    }

    /** Runs a sequence of callbacks in the background; `wait` pauses it, and ends it when the sender is stopped. */
    run(task: (wait: (ms: number) => Promise<void>) => Promise<void>): void {
        const signal = this.controller.signal;
        const wait = (ms: number) => sleep(ms, undefined, { signal });
        const done = task(wait)
            .catch(() => undefined) // stopped while waiting: nothing more to send
            .finally(() => this.running.delete(done));
        this.running.add(done);
    }

    /** Resolves when every sequence under way has ended. */
    async settled(): Promise<void> {
        while (this.running.size > 0) await Promise.all([...this.running]);
    }

    /** Ends every sequence and request under way; later ones run again. */
    stop(): void {
        this.controller.abort();
        this.controller = new AbortController();
    }
}
