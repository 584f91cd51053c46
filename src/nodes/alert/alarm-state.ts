/**
 * One alarm of a twilio-alert node, as kept in memory and in the alarm store (JSON), and its states:
 *
 *   (none) ──raise──► open: step 0 taken at once, each later step when the previous one's wait is over
 *                       │  └── all steps taken and waited for: exhausted (still open: an ACK or a clear ends it)
 *                       ├── ACK (SMS reply, ACK <code>, keypress 1) ──► closed "acknowledged"
 *                       └── clear ──────────────────────────────────► closed "cleared"
 *   closed ──cooldown over──► forgotten (the key raises a new alarm)
 *
 * `step` is the index of the next step to take; a step counts as taken once the record saying so is durable,
 * which comes before its send enters the outbox: a crash in between loses that one notification (the next step
 * follows after the wait) and never sends it twice.
 */

export interface Notified {
    name: string;
    number: string;
}

export interface Alarm {
    key: string;
    /** Three digits, distinct among the node's open alarms: "ACK <code>" names the alarm. */
    code: string;
    text: string;
    state: "open" | "closed";
    raisedAt: number;
    repeats: number;
    /** The next step to take (index into the node's steps). */
    step: number;
    /** When the next step (or, after the last one, exhaustion) is due; undefined once exhausted or closed. */
    dueAt?: number;
    exhausted?: boolean;
    /** Whom the alarm reached so far, in order, each number once: who may acknowledge it. */
    notified: Notified[];
    closedAt?: number;
    closedHow?: "acknowledged" | "cleared";
}

export function parseAlarm(data: string): Alarm | undefined {
    try {
        const alarm = JSON.parse(data) as Alarm;
        return typeof alarm?.key === "string" && typeof alarm.code === "string" && Array.isArray(alarm.notified) ? alarm : undefined;
    } catch {
        return undefined;
    }
}

/** A code no open alarm of the node has. */
export function newCode(taken: Set<string>, random: () => number = Math.random): string {
    for (let tries = 0; tries < 1000; tries++) {
        const code = String(100 + Math.floor(random() * 900));
        if (!taken.has(code)) return code;
    }
    // more than 900 open alarms on one node: four digits then
    let code = 1000;
    while (taken.has(String(code))) code++;
    return String(code);
}

/** Whether a closed alarm still holds its key (its cooldown is not over). */
export function inCooldown(alarm: Alarm, cooldownMs: number, now: number): boolean {
    return alarm.state === "closed" && (alarm.closedAt ?? 0) + cooldownMs > now;
}

export function wasNotified(alarm: Alarm, number: string): Notified | undefined {
    return alarm.notified.find((one) => one.number === number);
}
