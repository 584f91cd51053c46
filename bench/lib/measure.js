/**
 * Measuring helpers: a closed-loop driver (a fixed number of requests outstanding), percentiles, and a
 * sampler of the process's peak memory.
 */
"use strict";
const { performance } = require("node:perf_hooks");

/**
 * Runs task(i) for i = 0..count-1 with `concurrency` of them outstanding at any time.
 * Resolves with {seconds, latencies (ms, by i)}.
 */
async function closedLoop(count, concurrency, task) {
    const latencies = new Float64Array(count);
    let next = 0;
    const started = performance.now();
    async function worker() {
        while (next < count) {
            const i = next++;
            const t0 = performance.now();
            await task(i);
            latencies[i] = performance.now() - t0;
        }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return { seconds: (performance.now() - started) / 1000, latencies };
}

function percentile(values, p) {
    const sorted = Float64Array.from(values).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(values) {
    return percentile(values, 50);
}

/**
 * Samples rss every few ms and heapUsed every tenth time until stop(); returns the peaks. process.memoryUsage()
 * walks every heap space: called every 20 ms it took 5 % of a case's CPU, which is the bench's, not the way's;
 * process.memoryUsage.rss() reads one number.
 */
function memorySampler(everyMs = 20) {
    let rss = 0;
    let heap = 0;
    let count = 0;
    const sample = () => {
        rss = Math.max(rss, process.memoryUsage.rss());
        if (count++ % 10 === 0) heap = Math.max(heap, process.memoryUsage().heapUsed);
    };
    sample();
    const timer = setInterval(sample, everyMs);
    return {
        stop() {
            clearInterval(timer);
            count = 0;
            sample();
            return { rss, heap };
        },
    };
}

module.exports = { closedLoop, percentile, median, memorySampler };
