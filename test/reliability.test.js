/**
 * Never lose an alarm, never send one twice: retries where repeating is safe and only there, the account's
 * limits (concurrency, rate, a bounded queue), and redeploys with requests queued or in flight. Each case
 * injects its fault at the stand-in, whose record shows what reached it.
 */
"use strict";
const assert = require("node:assert/strict");
const { once } = require("node:events");
const { TwilioStandin } = require("../build/standin/server");
const {
    helper,
    captureLog,
    useStandin,
    loadNode,
    run,
    collect,
    standinApi,
    refusingPort,
    NODE_ID,
    ACCOUNT_ID,
} = require("./support/harness");

const SMS = { To: "+16175551212", From: "+15005550006", Body: "Pump 3 pressure high" };
const TOO_MANY = { status: 429, code: 20429, message: "Too Many Requests" };

/** How many messages the stand-in created with this Body: more than one would be an SMS sent twice. */
async function created(standin, body) {
    const { body: page } = await standinApi(standin, "GET", "/Messages.json?PageSize=1000");
    return page.messages.filter((message) => message.body === body).length;
}

describe("reliability", function () {
    const standin = useStandin();

    describe("429: Twilio did not process the request, so it is always repeated", function () {
        it("honours Retry-After, then succeeds", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            standin.failNext({ ...TOO_MANY, headers: { "Retry-After": "1" } });
            const { port } = await run({ payload: SMS });
            assert.equal(port, 1);
            const [refused, accepted] = standin.requests;
            assert.equal(refused.status, 429);
            assert.equal(accepted.status, 201);
            assert.ok(accepted.receivedAt - refused.answeredAt >= 950, "waited the second Retry-After asked for");
            assert.equal(await created(standin, SMS.Body), 1);
        });

        it("backs off without Retry-After, then succeeds", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall" });
            standin.failNext(TOO_MANY, TOO_MANY);
            const { port } = await run({ payload: {} });
            assert.equal(port, 1);
            assert.deepEqual(standin.requests.map((request) => request.status), [429, 429, 200]);
        });

        it("gives up after the account's retries, with Twilio's 429 on output 2", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { maxRetries: 2 } });
            standin.failNext(TOO_MANY, TOO_MANY, TOO_MANY, TOO_MANY);
            const { port, msg } = await run({ payload: SMS });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "TwilioError");
            assert.equal(msg.payload.code, 20429);
            assert.equal("outcome" in msg.payload, false, "not processed: the outcome is known");
            assert.equal(standin.requests.length, 3, "the first attempt and 2 retries");
        });

        it("does not wait for a Retry-After longer than the longest backoff", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall" });
            standin.failNext({ ...TOO_MANY, headers: { "Retry-After": "3600" } });
            const { port, msg } = await run({ payload: {} });
            assert.equal(port, 2);
            assert.equal(msg.payload.code, 20429);
            assert.equal(standin.requests.length, 1);
        });
    });

    describe("reads and deletes are repeated after 5xx and network errors", function () {
        for (const [what, fault] of [
            ["a 503", { status: 503 }],
            ["a 500 after processing", { status: 500, after: true }],
            ["a reset connection", { reset: true }],
            ["no answer within the timeout", { hang: true }],
        ]) {
            it(`a list after ${what}`, async function () {
                await loadNode(standin, { type: "twilio-messages", operation: "listMessage", account: { timeout: 0.3 } });
                standin.failNext(fault);
                const { port } = await run({ payload: {} });
                assert.equal(port, 1);
                assert.equal(standin.requests.length, 2);
            });
        }

        it("a delete whose first attempt did delete: the repeat's 404 means done", async function () {
            const { body: message } = await standinApi(standin, "POST", "/Messages.json", SMS);
            standin.requests.length = 0;
            await loadNode(standin, { type: "twilio-messages", operation: "deleteMessage" });
            standin.failNext({ status: 500, after: true });
            const { port, msg } = await run({ payload: { MessageSid: message.sid } });
            assert.equal(port, 1);
            assert.equal(msg.payload, null);
            assert.deepEqual(standin.requests.map((request) => request.status), [500, 404]);
        });

        it("a delete of a Sid that never existed is still a 404 error", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "deleteMessage" });
            const { port, msg } = await run({ payload: { MessageSid: "SM" + "0".repeat(32) } });
            assert.equal(port, 2);
            assert.equal(msg.payload.code, 20404);
            assert.equal(standin.requests.length, 1);
        });
    });

    describe("a create that may have reached Twilio is never repeated: its outcome is unknown", function () {
        for (const [what, fault, type] of [
            ["a 500 after processing", { status: 500, after: true }, "TwilioError"],
            ["a 503 before processing (it cannot tell)", { status: 503 }, "TwilioError"],
            ["a connection reset after processing", { reset: true, after: true }, "NetworkError"],
            ["a connection reset before processing (it cannot tell)", { reset: true }, "NetworkError"],
            ["no answer in time after processing", { hang: true, after: true }, "TimeoutError"],
        ]) {
            it(what, async function () {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { timeout: 0.3 } });
                standin.failNext(fault);
                const { port, msg } = await run({ payload: SMS });
                assert.equal(port, 2);
                assert.equal(msg.payload.type, type);
                assert.equal(msg.payload.outcome, "unknown");
                assert.equal(standin.requests.length, 1, "sent once");
                assert.equal(await created(standin, SMS.Body), fault.after ? 1 : 0);
            });
        }

        it("is repeated when the connection was refused: nothing was sent", async function () {
            // nothing listens on 127.0.0.2:port yet (refusingPort holds the port on 127.0.0.1, which keeps
            // wildcard listeners off it); the stand-in opens it there once its record shows the node refused
            const refusing = await refusingPort();
            const late = new TwilioStandin({ host: "127.0.0.2", port: refusing.port });
            const stopRecording = late.recordRefusals();
            try {
                await loadNode(null, { type: "twilio-messages", operation: "postMessage", account: { apiBaseUrl: `http://127.0.0.2:${refusing.port}`, maxRetries: 10 } });
                const refused = once(late, "refused");
                const output = run({ payload: SMS });
                await Promise.race([
                    refused,
                    output.then(({ port, msg }) => assert.fail(`an output (${port}: ${JSON.stringify(msg.payload)}) before any connection was refused`)),
                ]);
                await late.start();
                const { port: outputPort, msg } = await output;
                assert.equal(outputPort, 1, JSON.stringify(msg.payload));
                // the stand-in's record: the connection refused at least once, then the create arrived once, after
                assert.ok(late.refusals.length >= 1, "the connection was refused");
                assert.equal(late.requests.length, 1, "it reached the stand-in once");
                assert.ok(late.requests[0].receivedAt >= late.refusals.at(-1).at, "the create that arrived is the retry after the last refusal");
                assert.equal(await created(late, SMS.Body), 1);
            } finally {
                stopRecording();
                await refusing.release();
                await late.stop().catch(() => {});
            }
        });
    });

    describe("the account's limits", function () {
        it("a full queue answers QueueFullError at once; every message still gets its one output", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { maxConcurrent: 1, queueSize: 2 } });
            standin.failNext({ delayMs: 300 });
            const outputs = collect(5);
            for (let i = 0; i < 5; i++) helper.getNode(NODE_ID).receive({ _msgid: `m${i}`, payload: { ...SMS, Body: `alarm ${i}` } });
            const results = await outputs;
            const full = results.filter(({ msg }) => msg.payload.type === "QueueFullError");
            assert.equal(full.length, 2);
            for (const { port, msg } of full) {
                assert.equal(port, 2);
                assert.equal(msg.payload.status, 503);
                assert.match(msg.payload.error, /queue is full, so postMessage was not sent/);
            }
            assert.equal(results.filter(({ port }) => port === 1).length, 3);
            assert.equal(standin.requests.length, 3);
        });

        it("no more requests in flight than maxConcurrent, across the account's nodes", async function () {
            await loadNode(standin, {
                type: "twilio-calls",
                operation: "listCall",
                account: { maxConcurrent: 2 },
                extraNodes: [{ id: "second", type: "twilio-calls", account: ACCOUNT_ID, operation: "listCall", wires: [["out1"], ["out2"]] }],
            });
            standin.setFaultPolicy(() => ({ delayMs: 100 }));
            const outputs = collect(8);
            for (let i = 0; i < 4; i++) {
                helper.getNode(NODE_ID).receive({ payload: {} });
                helper.getNode("second").receive({ payload: {} });
            }
            await outputs;
            const events = standin.requests.flatMap((r) => [[r.receivedAt, 1], [r.answeredAt, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
            let inFlight = 0;
            let most = 0;
            for (const [, change] of events) most = Math.max(most, (inFlight += change));
            assert.equal(most, 2);
        });

        it("starts requests no faster than the rate", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall", account: { rate: 5 } });
            const outputs = collect(5);
            for (let i = 0; i < 5; i++) helper.getNode(NODE_ID).receive({ payload: {} });
            await outputs;
            // arrivals, not starts, are what the stand-in sees: a late arrival of one request can shorten the gap to
            // the next, but request i cannot arrive before slot i of the schedule, i.e. (i - 1) slots after the
            // first arrived (which itself came no earlier than its own slot)
            const starts = standin.requests.map((request) => request.receivedAt);
            for (let i = 2; i < starts.length; i++) {
                assert.ok(starts[i] - starts[0] >= (i - 1) * 200, `request ${i} came ${starts[i] - starts[0]} ms after the first`);
            }
        });

        it("shows what is in flight and what is queued", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall", account: { maxConcurrent: 1 } });
            // the status is redrawn at most every 250 ms under load: the first request outlasts that
            standin.failNext({ delayMs: 400 }, { delayMs: 50 });
            const node = helper.getNode(NODE_ID);
            const outputs = collect(3);
            for (let i = 0; i < 3; i++) node.receive({ payload: {} });
            await outputs;
            const shown = node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0].text);
            assert.ok(shown.includes("1 in flight, 2 queued"), shown.join(" | "));
        });
    });

    describe("redeploy with requests queued and in flight", function () {
        it("cancels a retry wait at once: the message refused with 429 ends unsent, and nothing is sent after close", async function () {
            const RETRY_AFTER_S = 2;
            const logged = captureLog();
            try {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
                const errors = [];
                helper.getNode("out2").on("input", (msg) => errors.push(msg));
                standin.failNext({ ...TOO_MANY, headers: { "Retry-After": String(RETRY_AFTER_S) } });
                const refused = new Promise((resolve) => standin.once("answered", resolve));
                helper.getNode(NODE_ID).receive({ payload: SMS });
                const answer = await refused;
                assert.equal(answer.status, 429);
                // the flow is removed while the node waits for the Retry-After
                await new Promise((resolve) => setTimeout(resolve, 300));
                await helper.unload();
                const closedAt = Date.now();
                assert.ok(closedAt - answer.answeredAt < RETRY_AFTER_S * 1000, "close did not wait for the Retry-After");
                // the ending went to output 2 or, with the wired nodes already stopped, to the log through done(err)
                const endings = [
                    ...errors.map((msg) => msg.payload.error),
                    ...logged.entries.filter((entry) => entry.id === NODE_ID && entry.level === logged.levels.ERROR).map((entry) => String(entry.msg)),
                ];
                assert.equal(endings.length, 1, endings.join(" | "));
                assert.match(endings[0], /while postMessage waited to be tried again .* not sent: safe to send again/);
                if (errors.length) assert.equal(errors[0].payload.type, "StoppedError");
                // past the moment the retry was due: the stand-in saw the 429'd request and nothing after it
                await new Promise((resolve) => setTimeout(resolve, answer.answeredAt + RETRY_AFTER_S * 1000 + 500 - Date.now()));
                assert.equal(standin.requests.length, 1);
                assert.equal(await created(standin, SMS.Body), 0);
            } finally {
                logged.stop();
            }
        });

        it("ends each one before close completes: the queued ones unsent, the one in flight with its answer", async function () {
            const logged = captureLog();
            try {
                await loadNode(standin, { type: "twilio-messages", operation: "postMessage", account: { maxConcurrent: 1 } });
                standin.failNext({ delayMs: 300 });
                const withStandin = new Promise((resolve) => standin.once("received", resolve));
                for (let i = 0; i < 3; i++) helper.getNode(NODE_ID).receive({ payload: { ...SMS, Body: `alarm ${i}` } });
                await withStandin;
                await helper.unload();
                const lines = logged.entries.filter((entry) => entry.id === NODE_ID).map((entry) => String(entry.msg));
                assert.equal(lines.filter((line) => /stopped .* while postMessage waited .* nothing was sent/.test(line)).length, 2);
                assert.equal(lines.filter((line) => /postMessage finished while the flow was stopping/.test(line)).length, 1);
                assert.equal(standin.requests.length, 1);
            } finally {
                logged.stop();
            }
        });
    });
});
