/**
 * What happens to a message or call after it was created, when it asks to hear of it (StatusCallback on a
 * loopback URL): its status moves on as on Twilio - a message queued, sent, delivered; a call initiated,
 * ringing, answered, completed - and each step is reported to the StatusCallback. A resource deleted in
 * between ends its sequence. Without a loopback StatusCallback nothing moves: the stand-in simulates only what
 * it can report on this machine.
 */
import type { Answers } from "./answers";
import type { Account } from "./store";
import { CallbackSender, isLoopbackUrl } from "./callbacks";
import { all, one, type Form, type Resource } from "./resources";
import { rfc2822 } from "./twilio-format";
import { CALL_PROGRESS, callStatusParams, messageStatusParams } from "./webhook-params";

export interface LifecycleOptions {
    sender: CallbackSender;
    /** Pause before each step. */
    delayMs: number;
    now: () => Date;
    /** Keypresses and SMS replies of the people called and texted (answers.ts). */
    answers: Answers;
}

/** The StatusCallback to report to, recorded as refused when it is not on this machine. */
function callbackOf(form: Form, options: LifecycleOptions, kind: "message-status" | "call-status"): string | undefined {
    const url = one(form, "StatusCallback");
    if (url === undefined) return undefined;
    // Twilio requests a GET callback with the parameters in the query; only POST is simulated
    if (isLoopbackUrl(url) && (one(form, "StatusCallbackMethod") ?? "POST") === "POST") return url;
    options.sender.records.push({ kind, url, params: {}, status: 0, error: "not loopback", sentAt: Date.now(), answeredAt: 0 });
    return undefined;
}

export function progressMessage(account: Account, message: Resource, form: Form, options: LifecycleOptions): void {
    const url = callbackOf(form, options, "message-status");
    // a scheduled message is sent later, at SendAt: not simulated
    if (!url || message.status === "scheduled") return;
    const sid = String(message.sid);
    const steps = [...(message.status === "accepted" ? ["accepted"] : []), "queued", "sent", "delivered"];
    options.sender.run(async (wait) => {
        for (const status of steps) {
            await wait(options.delayMs);
            const current = account.messages.get(sid);
            if (!current) return;
            const now = rfc2822(options.now());
            Object.assign(current, { status, date_updated: now }, status === "sent" ? { date_sent: now } : {});
            await options.sender.post("message-status", url, messageStatusParams(current, status), account.token);
        }
    });
}

export function progressCall(account: Account, call: Resource, form: Form, options: LifecycleOptions): void {
    const url = callbackOf(form, options, "call-status");
    if (!url) return;
    const sid = String(call.sid);
    // Twilio's default: only the completed event
    const events = all(form, "StatusCallbackEvent");
    const wanted = new Set(events.length > 0 ? events : ["completed"]);
    options.sender.run(async (wait) => {
        let sequence = 0;
        let answeredAt: Date | undefined;
        for (const { event, status } of CALL_PROGRESS) {
            await wait(options.delayMs);
            const current = account.calls.get(sid);
            if (!current) return;
            const now = options.now();
            const update: Resource = { date_updated: rfc2822(now) };
            if (event === "ringing") update.status = "ringing";
            if (event === "answered") {
                answeredAt = now;
                Object.assign(update, { status: "in-progress", start_time: rfc2822(now) });
            }
            const duration = event === "completed" ? Math.max(0, Math.round((now.getTime() - (answeredAt ?? now).getTime()) / 1000)) : undefined;
            if (event === "completed") Object.assign(update, { status: "completed", end_time: rfc2822(now), duration: String(duration) });
            Object.assign(current, update);
            if (!wanted.has(event)) continue;
            await options.sender.post("call-status", url, callStatusParams(current, status, sequence++, now, duration), account.token);
        }
    });
}
