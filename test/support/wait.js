/**
 * Waiting on events with a check, for the suites that watch real processes: no blind sleeps.
 */
"use strict";

/**
 * Resolves when `check()` (sync or async) is true, checked again on each of `events` ([emitter, name]) and every
 * `everyMs`; rejects after `limitMs`, or when the check throws.
 */
function waitUntil(what, check, { events = [], everyMs = 1_000, limitMs = 60_000 } = {}) {
    return new Promise((resolve, reject) => {
        let busy = false;
        let again = false;
        let finished = false;
        const timers = [];
        const end = (err) => {
            finished = true;
            timers.forEach((timer) => clearInterval(timer));
            events.forEach(([emitter, name]) => emitter.removeListener(name, probe));
            if (err) reject(err);
            else resolve();
        };
        async function probe() {
            if (finished) return;
            if (busy) return void (again = true);
            busy = true;
            try {
                if (await check()) return end();
            } catch (err) {
                return end(err);
            } finally {
                busy = false;
            }
            if (again) {
                again = false;
                void probe();
            }
        }
        events.forEach(([emitter, name]) => emitter.on(name, probe));
        timers.push(setInterval(probe, everyMs));
        timers.push(setTimeout(() => end(new Error(`timed out after ${limitMs} ms waiting for ${what}`)), limitMs));
        void probe();
    });
}

module.exports = { waitUntil };
