/**
 * One benchmark case, in a process of its own (so that its memory and CPU are its own): drives `messages`
 * requests at `concurrency` through one way of calling Twilio, against the stand-in at `standin.url`, after a
 * warm-up. Prints one line `RESULT <json>`. Started by bench/run.js with the case as JSON in argv[2].
 */
"use strict";
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const { closedLoop, percentile, memorySampler } = require("./lib/measure");
const { startNodeRed, ROOT } = require("./lib/node-red");

const config = JSON.parse(process.argv[2]);
const { standin, operation, concurrency, messages, warmup } = config;
const BENCH_MODULES = path.join(__dirname, "node_modules");
const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };
/**
 * The texts in turn: 100 alarms, as a gateway sends them. Identical texts to one number would go one at a time
 * through the outbox (a lookup at Twilio could not tell them apart), so every way sends the same varied texts.
 */
const TEXTS = Array.from({ length: 100 }, (_, i) => `Pump ${i} pressure high`);
const textOf = (i) => TEXTS[i % TEXTS.length];

/** The driver's task for one message, built per way of calling Twilio; `done` when the case ends. */
const WAYS = {
    /** this package's node with the account's outbox on: every create committed to SQLite first */
    outbox() {
        return WAYS.node({ outbox: true });
    },

    /** the same with the outbox on Valkey/Redis (config.redisUrl): every create stored there first */
    redis() {
        return WAYS.node({ outbox: true, outboxStore: "redis" });
    },

    /** this package's node, in Node-RED */
    async node(accountExtra = {}) {
        const flow = [
            { id: "tab", type: "tab" },
            {
                id: "account",
                type: "twilio-account",
                apiBaseUrl: standin.url,
                timeout: 15,
                maxRetries: 0,
                maxConcurrent: Math.max(concurrency, 10),
                queueSize: 100000,
                rate: config.rate ?? "",
                ...accountExtra,
                credentials: { accountSid: standin.accountSid, authToken: standin.authToken, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) },
            },
            { id: "twilio", z: "tab", type: "twilio-messages", account: "account", operation, wires: [["ok"], ["failed"]] },
            { id: "ok", z: "tab", type: "bench-sink", output: 1 },
            { id: "failed", z: "tab", type: "bench-sink", output: 2 },
        ];
        // bench/profile.js gives a copy of the package with a readable bundle, for a CPU profile by source file
        const red = await startNodeRed(flow, [config.packageDir ?? ROOT]);
        const node = red.node("twilio");
        const waiting = new Map();
        let errors = 0;
        let lastError;
        globalThis.__benchSink = (msg, output) => {
            if (output === 2) (errors++, (lastError = msg.payload));
            waiting.get(msg._msgid)?.(output);
            waiting.delete(msg._msgid);
        };
        const payload = operation === "getMessage" ? { MessageSid: config.messageSid } : SMS;
        let id = 0;
        return {
            send: () =>
                new Promise((resolve) => {
                    const _msgid = `b${id++}`;
                    waiting.set(_msgid, resolve);
                    node.receive({ _msgid, payload: operation === "getMessage" ? { ...payload } : { ...payload, Body: textOf(id) } });
                }),
            inject: (count) => {
                const arrivals = [];
                const all = new Promise((resolve) => {
                    globalThis.__benchSink = (msg, output) => {
                        if (output === 2) (errors++, (lastError = msg.payload));
                        arrivals.push(performance.now());
                        if (arrivals.length === count) resolve(arrivals);
                    };
                });
                for (let i = 0; i < count; i++) node.receive({ _msgid: `burst${i}`, payload: { ...payload } });
                return all;
            },
            errors: () => ({ errors, lastError }),
            stop: () => red.stop(),
        };
    },

    /** a plain loop over the twilio SDK, as a flow's function node or a script would call it */
    async sdk() {
        const twilio = require("twilio");
        // the SDK always addresses api.twilio.com: a RequestClient that moves requests to the stand-in
        class ToStandin extends twilio.RequestClient {
            request(opts) {
                return super.request({ ...opts, uri: opts.uri.replace("https://api.twilio.com", standin.url) });
            }
        }
        const httpClient = new ToStandin({ keepAlive: true, maxSockets: concurrency });
        httpClient.axios.defaults.httpAgent = new (require("node:http").Agent)({ keepAlive: true, maxSockets: concurrency });
        const client = twilio(standin.accountSid, standin.authToken, { httpClient });
        const call =
            operation === "getMessage"
                ? () => client.messages(config.messageSid).fetch()
                : (i) => client.messages.create({ to: SMS.To, from: SMS.From, body: textOf(i) });
        return { send: call, errors: () => ({ errors: 0 }), stop: async () => {} };
    },

    /** plain keep-alive HTTP with undici: what one Node process can do at most */
    async undici() {
        const { Pool } = require(require.resolve("undici", { paths: [BENCH_MODULES] }));
        const pool = new Pool(standin.url, { connections: concurrency });
        const authorization = "Basic " + Buffer.from(`${standin.accountSid}:${standin.authToken}`).toString("base64");
        const base = `/2010-04-01/Accounts/${standin.accountSid}/Messages`;
        // the forms of the texts, made before the loop as the request of getMessage is
        const bodies = TEXTS.map((Body) => new URLSearchParams({ ...SMS, Body }).toString());
        const request = (i) =>
            operation === "getMessage"
                ? { method: "GET", path: `${base}/${config.messageSid}.json`, headers: { authorization } }
                : { method: "POST", path: `${base}.json`, headers: { authorization, "content-type": "application/x-www-form-urlencoded" }, body: bodies[i % bodies.length] };
        let errors = 0;
        return {
            send: async (i) => {
                const response = await pool.request(request(i));
                await response.body.json();
                if (response.statusCode >= 300) errors++;
            },
            errors: () => ({ errors }),
            stop: () => pool.close(),
        };
    },

    /** the official node-red-node-twilio "twilio out" node (SMS), in Node-RED */
    async official() {
        // its twilio 3 SDK addresses api.twilio.com; the same redirect as for the SDK loop, and its completion
        // (the node has no output and calls no done()) is when the SDK's request settles
        const RequestClient = require(require.resolve("twilio/lib/base/RequestClient", { paths: [path.join(BENCH_MODULES, "node-red-node-twilio")] }));
        const original = RequestClient.prototype.request;
        const settled = [];
        RequestClient.prototype.request = function (opts) {
            const result = original.call(this, { ...opts, uri: opts.uri.replace("https://api.twilio.com", standin.url) });
            const notify = settled.shift();
            return result.finally(() => notify?.());
        };
        const flow = [
            { id: "tab", type: "tab" },
            { id: "api", type: "twilio-api", sid: standin.accountSid, from: SMS.From, name: "", credentials: { token: standin.authToken } },
            { id: "twilio", z: "tab", type: "twilio out", twilio: "api", twilioType: "sms", number: SMS.To, url: "", wires: [] },
        ];
        const red = await startNodeRed(flow, [path.join(BENCH_MODULES, "node-red-node-twilio")]);
        const node = red.node("twilio");
        return {
            send: (i) =>
                new Promise((resolve) => {
                    settled.push(resolve);
                    node.receive({ payload: textOf(i) });
                }),
            errors: () => ({ errors: 0 }),
            stop: () => red.stop(),
        };
    },
};

async function measureLoop() {
    const way = await WAYS[config.way]();
    await closedLoop(warmup, concurrency, (i) => way.send(i));
    const cpu = process.cpuUsage();
    const memory = memorySampler();
    const io = ioCounters();
    const windowStart = process.hrtime.bigint();
    const { seconds, latencies } = await closedLoop(messages, concurrency, (i) => way.send(i));
    const windowEnd = process.hrtime.bigint();
    const written = ioCounters();
    const peak = memory.stop();
    const used = process.cpuUsage(cpu);
    const result = {
        perSecond: messages / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        rss: peak.rss,
        heap: peak.heap,
        cpuPerMessageMs: (used.user + used.system) / 1000 / messages,
        // bytes this process had written to storage (write_bytes: through the page cache to the disk, sockets not counted)
        writeBytesPerMessage: written && io ? (written.write_bytes - io.write_bytes) / messages : -1,
        // bytes this process passed to write calls (wchar: files and sockets alike; run.js subtracts the in-memory run)
        writeCallBytesPerMessage: written && io ? (written.wchar - io.wchar) / messages : -1,
        // the measured loop on the monotonic clock in µs, as a CPU profile's timestamps are (bench/profile.js)
        windowUs: [Number(windowStart / 1000n), Number(windowEnd / 1000n)],
        ...way.errors(),
    };
    await way.stop();
    return result;
}

/** The process's I/O counters (Linux /proc/self/io), or undefined elsewhere. */
function ioCounters() {
    try {
        return Object.fromEntries(
            require("node:fs")
                .readFileSync("/proc/self/io", "utf8")
                .trim()
                .split("\n")
                .map((line) => line.split(": "))
                .map(([name, value]) => [name, Number(value)]),
        );
    } catch {
        return undefined;
    }
}

/** 20,000 messages at once into a node whose account has a rate: memory per queued message, drain rate. */
async function measureBurst() {
    const way = await WAYS.node();
    await closedLoop(warmup, 10, (i) => way.send(i));
    global.gc();
    const before = process.memoryUsage().heapUsed;
    const arrivals = way.inject(messages);
    global.gc();
    const queued = process.memoryUsage().heapUsed;
    const times = await arrivals;
    // the first `concurrency` start at once; the rate shows between the first and the last arrival
    const seconds = (times[times.length - 1] - times[0]) / 1000;
    const result = {
        bytesPerQueued: (queued - before) / messages,
        drainPerSecond: (times.length - 1) / seconds,
        rate: config.rate,
        ...way.errors(),
    };
    await way.stop();
    return result;
}

(config.burst ? measureBurst() : measureLoop()).then(
    (result) => {
        console.log(`RESULT ${JSON.stringify(result)}`);
        process.exit(0);
    },
    (err) => {
        console.error(err);
        process.exit(1);
    },
);
