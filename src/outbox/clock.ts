/**
 * The outbox's two clocks. Ages (outboxMaxAge) are counted on the local wall clock, but a step of that clock
 * is not counted as waiting: a gateway without a real-time clock boots with a stale time, and when NTP then
 * steps it forward by days every entry would expire at once. The step is seen by comparing the wall clock with
 * the monotonic one, and every time the outbox keeps is moved by it (see WallClock.steps).
 *
 * Twilio's dates (date_created, which reconciliation compares with an attempt's start) are Twilio's clock: its
 * offset from ours is measured from the Date header of each answer, to the second.
 */

/** A wall-clock jump beyond this (either way) between two readings is a step of the clock, not time passing. */
const STEP_TOLERANCE_MS = 2_000;

export class WallClock {
    private wall: number;
    private mono: number;

    constructor(
        private readonly wallNow: () => number = Date.now,
        private readonly monoNow: () => number = () => performance.now(),
    ) {
        this.wall = wallNow();
        this.mono = monoNow();
    }

    /**
     * How far the wall clock stepped since the last reading, beyond the time that really passed (0 when it did
     * not). Add it to the wall-clock times kept before the step to keep their distance from now.
     */
    step(): number {
        const wall = this.wallNow();
        const mono = this.monoNow();
        const drift = wall - this.wall - (mono - this.mono);
        this.wall = wall;
        this.mono = mono;
        return Math.abs(drift) > STEP_TOLERANCE_MS ? drift : 0;
    }
}

/** Twilio's clock less ours, from the Date headers of its answers: 0 until one is seen. */
export class TwilioClock {
    private offset = 0;
    private known = false;

    /** Reads an answer's Date header (whole seconds): Twilio's time when it answered. */
    observe(headers: Record<string, unknown> | undefined, receivedAt = Date.now()): void {
        const value = headers?.date;
        if (typeof value !== "string") return;
        const twilioTime = Date.parse(value);
        if (Number.isNaN(twilioTime)) return;
        // the header is cut to the second: its middle is the best guess
        this.offset = twilioTime + 500 - receivedAt;
        this.known = true;
    }

    /** A time of ours as Twilio's clock had it. */
    toTwilio(localTime: number): number {
        return localTime + this.offset;
    }

    get measured(): boolean {
        return this.known;
    }
}
