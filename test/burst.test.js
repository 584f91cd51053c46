/**
 * Every input message yields exactly one output message, also in a burst of mixed valid and invalid ones.
 */
"use strict";
const assert = require("node:assert/strict");
const { helper, captureLog, useStandin, loadNode, collect, NODE_ID } = require("./support/harness");

const BURST = 200;

/** Message i of the burst, and where it must come out: valid, refused by validation, or refused by Twilio. */
function burstMessage(i) {
    const base = { To: "+16175551212", From: "+15005550006", Body: `alarm ${i}` };
    if (i % 5 === 0) return { expect: "ValidationError", msg: { payload: { ...base, To: `bad-${i}` } } };
    if (i % 7 === 0) return { expect: "TwilioError", msg: { payload: { ...base, To: "+15005550001" } } };
    if (i % 11 === 0) return { expect: "ValidationError", msg: { payload: { ...base, Bdy: "typo" } } };
    return { expect: "sent", msg: { payload: base } };
}

describe(`a burst of ${BURST} mixed messages`, function () {
    const standin = useStandin();

    it(`yields exactly ${BURST} output messages, one per input, each on the right output`, async function () {
        await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
        const node = helper.getNode(NODE_ID);
        const burst = Array.from({ length: BURST }, (_, i) => burstMessage(i));
        const outputs = collect(BURST, 30000);
        burst.forEach(({ msg }, i) => node.receive({ ...msg, _msgid: `burst-${i}` }));
        const received = await outputs;
        // nothing more arrives afterwards: the node's close completes only once it holds no message, so
        // whatever else it had would come out (to the outputs, or to the log as the flow stops) before that
        const late = [];
        helper.getNode("out1").on("input", (msg) => late.push(msg));
        helper.getNode("out2").on("input", (msg) => late.push(msg));
        const logged = captureLog();
        await helper.unload();
        logged.stop();
        assert.deepEqual(logged.entries.filter((entry) => entry.id === NODE_ID).map((entry) => String(entry.msg)), []);

        assert.equal(received.length, BURST);
        assert.deepEqual(late, []);
        const byId = new Map(received.map((output) => [output.msg._msgid, output]));
        assert.equal(byId.size, BURST, "no input produced two outputs");
        burst.forEach(({ expect }, i) => {
            const { port, msg } = byId.get(`burst-${i}`);
            if (expect === "sent") {
                assert.equal(port, 1, `message ${i}`);
                assert.equal(msg.payload.body, `alarm ${i}`);
            } else {
                assert.equal(port, 2, `message ${i}`);
                assert.equal(msg.payload.type, expect, `message ${i}`);
            }
        });
        const sendable = burst.filter(({ expect }) => expect !== "ValidationError").length;
        assert.equal(standin.requests.length, sendable, "only the valid messages reached the stand-in, once each");
    });
});
