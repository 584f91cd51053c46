/**
 * The outbox under test: a fresh Node-RED user directory per test (the outbox file lives there), and the
 * package's own store to look into that file or to write what an earlier run left in it.
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { helper } = require("./runtime");
const { OutboxStore, SENDING, WAITING } = require("../../build/runtime/outbox/store");
const { OUTBOX_FILE } = require("../../build/runtime/outbox/outbox");

/** A temporary user directory given to the runtime for each test of the block; removed afterwards. */
function useUserDir() {
    const dir = { path: "", file: "" };
    beforeEach(() => {
        dir.path = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-outbox-"));
        dir.file = path.join(dir.path, OUTBOX_FILE);
        helper.settings({ userDir: dir.path });
    });
    afterEach(() => {
        helper.settings({ userDir: undefined });
        fs.rmSync(dir.path, { recursive: true, force: true });
    });
    return dir;
}

/** Opens the outbox file with the package's store, runs `work(store)`, closes it. */
async function withStore(file, work) {
    const store = new OutboxStore(file);
    try {
        return await work(store);
    } finally {
        store.close();
    }
}

/** Writes entries as an earlier run would have left them (state WAITING or SENDING). */
function seed(file, rows) {
    return withStore(file, (store) =>
        Promise.all(
            rows.map((row) =>
                store.insert({
                    account: "acct1",
                    node: "twilio1",
                    operation: "postMessage",
                    msg: "{}",
                    created: Date.now() - 60_000,
                    state: WAITING,
                    attempt_started: null,
                    last_attempt: null,
                    ...row,
                    params: JSON.stringify(row.params),
                }),
            ),
        ),
    );
}

/** Resolves when `probe()` returns something other than undefined; fails after limitMs. */
async function waitFor(what, probe, limitMs = 10_000) {
    const deadline = Date.now() + limitMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

module.exports = { useUserDir, withStore, seed, waitFor, SENDING, WAITING };
