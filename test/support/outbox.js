/**
 * The outbox under test: a fresh Node-RED user directory per test (the outbox file lives there), and the
 * package's own store to look into that file or to write what an earlier run left in it. The file is locked by
 * the Node-RED that has it open: while a flow runs, look into it through the account node (`runningStore`).
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { helper } = require("./runtime");
const { SqliteOutboxStore, OutboxInUse } = require("../../build/outbox/sqlite-store");
const { accountKey } = require("../../build/outbox/store");
const { OUTBOX_FILE } = require("../../build/nodes/account/outbox");
const { STANDIN_ACCOUNT_SID } = require("../../build/standin/server");

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

/** The key of the stand-in's account entries: its AccountSid at its host. */
function standinKey(standin) {
    return accountKey(STANDIN_ACCOUNT_SID, standin.url);
}

/**
 * Opens the outbox file with the package's store, runs `work(store)`, closes it. The Node-RED of the test keeps
 * the file a few seconds after its flows stop (for a redeploy's config nodes to take it over): until then it is
 * locked, and this waits for it.
 */
async function withStore(file, work, limitMs = 15_000) {
    const deadline = Date.now() + limitMs;
    let store;
    for (;;) {
        try {
            store = new SqliteOutboxStore(file);
            break;
        } catch (err) {
            if (!(err instanceof OutboxInUse) || Date.now() > deadline) throw err;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
    try {
        return await work(store);
    } finally {
        store.close();
    }
}

/** The store of the running account node `id` (the file is locked to it). */
function runningStore(id = "acct1") {
    const store = helper.getNode(id)?.outbox?.store;
    if (!store) throw new Error(`account node ${id} has no outbox store`);
    return store;
}

/**
 * Writes entries as an earlier run would have left them: waiting, or `sending` (in flight when it stopped).
 * Each row may name its `account` key; by default it belongs to the stand-in's account.
 */
function seed(file, standin, rows) {
    return withStore(file, (store) =>
        Promise.all(
            rows.map((row) =>
                store.insert({
                    account: standinKey(standin),
                    config: "acct1",
                    node: "twilio1",
                    operation: "postMessage",
                    msg: Buffer.from("{}"),
                    bytes: 2,
                    created: Date.now() - 60_000,
                    maxAge: 24 * 3_600_000,
                    state: "waiting",
                    ...row,
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

module.exports = { useUserDir, withStore, runningStore, seed, standinKey, waitFor };
