/**
 * Flows saved by older versions of the package keep their meaning: each configuration migration on its own,
 * and a flow in the first release's shape (test/fixtures/flows/first-release.json: that release's example
 * flows, one createCall with IfMachine set) run through Node-RED against the stand-in. The browser suite
 * imports the same fixture through the editor and finds no invalid node.
 */
"use strict";
const assert = require("node:assert/strict");
const { migrateConfig, CONFIG_VERSIONS, versionOf } = require("../build/rules/config-migrations");
const { ACCOUNT_DEFAULTS } = require("../build/catalog/account-defaults");
const { helper, loadFlow } = require("./support/runtime");
const { useStandin, loadNode, run, collect, NODE_ID, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("./support/harness");
const FIRST_RELEASE = require("./fixtures/flows/first-release.json");

/** What an account saved before the outbox keeps: sending from memory, as it always did. */
const OUTBOX_OFF = { outbox: false, outboxMaxAge: 24, outboxMaxEntries: 10_000 };
const TOO_MANY = { status: 429, code: 20429, message: "Too Many Requests" };

describe("configuration versions and migrations", function () {
    describe("each step", function () {
        it("every node type of the package has a current version", function () {
            for (const type of ["twilio-account", "twilio-calls", "twilio-messages", "twilio-media", "twilio-webhook"]) {
                assert.ok(Number.isInteger(CONFIG_VERSIONS[type]) && CONFIG_VERSIONS[type] >= 1, type);
            }
        });

        // the expected nodes are written out: what an old flow gets must not follow a later change of the defaults
        it("account 0 → 2: the retries and limits a flow without them always got, and any destination", function () {
            const saved = { id: "a", type: "twilio-account", name: "old", apiBaseUrl: "", timeout: 15 };
            const migrated = migrateConfig("twilio-account", saved);
            assert.deepEqual(migrated, {
                id: "a",
                type: "twilio-account",
                name: "old",
                apiBaseUrl: "",
                timeout: 15,
                configVersion: 2,
                maxRetries: 3,
                maxConcurrent: 10,
                rate: "",
                queueSize: 1000,
                allowedDestinations: "",
                defaultCountry: "",
                region: "",
                edge: "",
                proxy: "",
                outbox: false,
                outboxMaxAge: 24,
                outboxMaxEntries: 10000,
            });
            assert.equal(versionOf(saved), 0, "the saved configuration is not changed");
        });

        it("account 0 → 2 without a timeout: the first release's 15 s", function () {
            const saved = { id: "b", type: "twilio-account", apiBaseUrl: "" };
            assert.deepEqual(migrateConfig("twilio-account", saved), {
                id: "b",
                type: "twilio-account",
                apiBaseUrl: "",
                configVersion: 2,
                timeout: 15,
                maxRetries: 3,
                maxConcurrent: 10,
                rate: "",
                queueSize: 1000,
                allowedDestinations: "",
                defaultCountry: "",
                region: "",
                edge: "",
                proxy: "",
                outbox: false,
                outboxMaxAge: 24,
                outboxMaxEntries: 10000,
            });
        });

        it("account 1 → 2 keeps the limits, adds blank recipient and connection settings, and keeps the outbox off", function () {
            const saved = { type: "twilio-account", configVersion: 1, timeout: 5, maxRetries: 1, maxConcurrent: 2, rate: 1, queueSize: 3 };
            assert.deepEqual(migrateConfig("twilio-account", saved), { ...saved, configVersion: 2, allowedDestinations: "", defaultCountry: "", region: "", edge: "", proxy: "", ...OUTBOX_OFF });
        });

        for (const type of ["twilio-calls", "twilio-messages", "twilio-media"]) {
            it(`${type} 1 → 2: per-message credentials off, as for a new node`, function () {
                const migrated = migrateConfig(type, { type, configVersion: 1, operation: "x" });
                assert.equal(migrated.allowMessageCredentials, false);
                assert.equal(migrated.configVersion, 2);
                const ticked = migrateConfig(type, { type, configVersion: 1, allowMessageCredentials: true });
                assert.equal(ticked.allowMessageCredentials, true, "a value the node has is kept");
            });
        }

        it("account 0 → 1 keeps the values a flow has, blank ones included (blank means the default)", function () {
            const saved = { type: "twilio-account", timeout: "", maxRetries: 7, maxConcurrent: "", rate: 2, queueSize: 5 };
            const migrated = migrateConfig("twilio-account", saved);
            assert.deepEqual(
                { ...migrated, configVersion: undefined },
                { ...saved, configVersion: undefined, apiBaseUrl: "", allowedDestinations: "", defaultCountry: "", region: "", edge: "", proxy: "", ...OUTBOX_OFF },
            );
        });

        for (const value of ["Continue", "Hangup"]) {
            it(`calls 0 → 1: IfMachine ${value} becomes MachineDetection Enable, which it was always sent as`, function () {
                const saved = { type: "twilio-calls", operation: "createCall", IfMachine: value, IfMachineType: "option" };
                const migrated = migrateConfig("twilio-calls", saved);
                assert.equal(migrated.MachineDetection, "Enable");
                assert.equal(migrated.MachineDetectionType, "option");
                assert.equal(migrated.IfMachine, "");
                assert.equal(migrated.configVersion, CONFIG_VERSIONS["twilio-calls"]);
            });
        }

        it("calls 0 → 1 leaves an IfMachine read from the message, and one beside a MachineDetection, as they are", function () {
            const dynamic = { type: "twilio-calls", IfMachine: "payload.amd", IfMachineType: "msg" };
            assert.equal(migrateConfig("twilio-calls", dynamic).IfMachine, "payload.amd");
            const both = { type: "twilio-calls", IfMachine: "Continue", IfMachineType: "option", MachineDetection: "DetectMessageEnd" };
            assert.deepEqual(migrateConfig("twilio-calls", both), { ...both, configVersion: CONFIG_VERSIONS["twilio-calls"], allowMessageCredentials: false });
        });

        it("a node at the current version, or a newer one, is returned as it is", function () {
            const current = { type: "twilio-account", configVersion: CONFIG_VERSIONS["twilio-account"] };
            assert.equal(migrateConfig("twilio-account", current), current);
            const newer = { type: "twilio-calls", configVersion: 99, IfMachine: "Continue" };
            assert.equal(migrateConfig("twilio-calls", newer), newer);
        });
    });

    describe("a flow of the first release, run through Node-RED", function () {
        const standin = useStandin();

        it("its createCall with IfMachine sends MachineDetection=Enable, through an account without limits", async function () {
            const flow = [
                { id: "tab1", type: "tab", label: "first release" },
                // the package's nodes as saved (inject, debug and change are core's), wired to the test's helpers
                ...FIRST_RELEASE.filter((node) => node.type.startsWith("twilio-")).map((node) => {
                    if (node.type === "twilio-account") return { ...node, apiBaseUrl: standin.url };
                    return { ...node, z: "tab1", wires: [["out1"], ["out2"]] };
                }),
                { id: "out1", z: "tab1", type: "helper" },
                { id: "out2", z: "tab1", type: "helper" },
            ];
            const account = FIRST_RELEASE.find((node) => node.type === "twilio-account");
            assert.equal(account.maxRetries, undefined, "the fixture's account has no limits");
            await loadFlow(flow, { [account.id]: { accountSid: STANDIN_ACCOUNT_SID, authToken: STANDIN_AUTH_TOKEN } });
            const call = FIRST_RELEASE.find((node) => node.type === "twilio-calls" && node.operation === "createCall");
            const outputs = collect(1);
            helper.getNode(call.id).receive({ payload: {} });
            const [{ port, msg }] = await outputs;
            assert.equal(port, 1, JSON.stringify(msg.payload));
            const [request] = standin.requests;
            assert.equal(request.form.MachineDetection, "Enable");
            assert.equal(request.form.IfMachine, undefined);
        });
    });

    describe("a blank numeric setting means its default in the runtime", function () {
        const standin = useStandin();

        it("maxRetries blank: repeats a 429 the default number of times", async function () {
            await loadNode(standin, { type: "twilio-calls", operation: "listCall", account: { maxRetries: "", maxConcurrent: "", queueSize: "", timeout: "" } });
            standin.failNext(...Array(ACCOUNT_DEFAULTS.maxRetries + 1).fill(TOO_MANY));
            const { port, msg } = await run({ payload: {} });
            assert.equal(port, 2);
            assert.equal(msg.payload.status, 429);
            assert.equal(standin.requests.length, ACCOUNT_DEFAULTS.maxRetries + 1);
            assert.ok(helper.getNode(NODE_ID));
        });
    });
});
