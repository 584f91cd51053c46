/**
 * The retry policy on its own (src/sender/retry.ts): which failures are repeated for which method, how long
 * each wait is, and where it stops. The same rules are exercised end to end in reliability.test.js.
 */
"use strict";
const assert = require("node:assert/strict");
const { nextDelay, mayHaveReached } = require("../build/sender/retry");

const POLICY = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 30_000 };
const answer = (status, headers) => ({ kind: "answer", status, headers });
const noAnswer = (code) => ({ kind: "noAnswer", code });
const always = (value) => () => value;

describe("retry policy", function () {
    it("repeats a 429 for every method, after Retry-After in seconds or as a date", function () {
        for (const method of ["get", "post", "delete"]) {
            assert.equal(nextDelay(POLICY, method, 0, answer(429, { "retry-after": "2" })), 2000);
        }
        const date = new Date(Date.now() + 5000).toUTCString();
        const delay = nextDelay(POLICY, "post", 0, answer(429, { "retry-after": date }));
        assert.ok(delay > 3000 && delay <= 5000, String(delay));
    });

    it("backs off exponentially with full jitter when there is no Retry-After", function () {
        assert.equal(nextDelay(POLICY, "post", 0, answer(429), always(0.999)), 249);
        assert.equal(nextDelay(POLICY, "post", 2, answer(429), always(0.999)), 999);
        assert.equal(nextDelay(POLICY, "get", 1, answer(503), always(0)), 0);
        assert.equal(nextDelay({ ...POLICY, maxRetries: 20 }, "get", 15, noAnswer("ECONNRESET"), always(0.5)), 15_000, "capped by maxDelayMs");
    });

    it("stops after maxRetries, and at a Retry-After longer than the longest wait", function () {
        assert.equal(nextDelay(POLICY, "get", 3, answer(503)), undefined);
        assert.equal(nextDelay(POLICY, "get", 0, answer(429, { "retry-after": "31" })), undefined);
        assert.equal(nextDelay({ ...POLICY, maxRetries: 0 }, "get", 0, answer(429)), undefined);
    });

    it("repeats reads and deletes after 5xx and network failures", function () {
        for (const method of ["get", "delete"]) {
            for (const result of [answer(500), answer(503), noAnswer("ECONNRESET"), noAnswer("ECONNABORTED"), noAnswer("ETIMEDOUT"), noAnswer("")]) {
                assert.notEqual(nextDelay(POLICY, method, 0, result), undefined, `${method} ${JSON.stringify(result)}`);
            }
        }
    });

    it("repeats a create only when nothing was sent", function () {
        for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]) {
            assert.notEqual(nextDelay(POLICY, "post", 0, noAnswer(code)), undefined, code);
            assert.equal(mayHaveReached(noAnswer(code)), false);
        }
        for (const result of [answer(500), answer(502), answer(503), noAnswer("ECONNRESET"), noAnswer("ECONNABORTED"), noAnswer("EPIPE"), noAnswer("")]) {
            assert.equal(nextDelay(POLICY, "post", 0, result), undefined, JSON.stringify(result));
            assert.equal(mayHaveReached(result), true);
        }
    });

    it("never repeats a request Twilio answered with a 4xx other than 429, or a success", function () {
        for (const status of [200, 201, 204, 400, 401, 404]) {
            for (const method of ["get", "post", "delete"]) assert.equal(nextDelay(POLICY, method, 0, answer(status)), undefined);
        }
    });
});
