/**
 * `npm start` (scripts/start.js) as a user meets it: a child process with Node-RED, the example flows and the
 * local stand-in, in a fresh user directory. Needs `npm run build` first (the script loads nodes/ and build/).
 */
"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../build/standin/server.js");

const ROOT = path.join(__dirname, "..");
const EXAMPLES_DIR = path.join(ROOT, "examples");
const TWILIO_NODE_TYPES = ["twilio-calls", "twilio-messages", "twilio-media", "twilio-webhook"];
const START_LIMIT_MS = 30_000;
const EXIT_LIMIT_MS = 10_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns something other than undefined, or fails with `what` after `limitMs`.
 * An error with `fatal` set ends the wait at once.
 */
async function waitFor(what, limitMs, probe) {
    const deadline = Date.now() + limitMs;
    let lastError;
    while (Date.now() < deadline) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
            lastError = undefined;
        } catch (err) {
            if (err.fatal) throw err;
            lastError = err;
        }
        await sleep(200);
    }
    throw new Error(`timed out after ${limitMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ""}`);
}

function readExamples() {
    return fs
        .readdirSync(EXAMPLES_DIR)
        .filter((file) => file.endsWith(".json"))
        .sort()
        .map((file) => ({ file, nodes: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8")) }));
}

/** Node-RED's credential file format: {"$": <32 hex digits of IV><base64 of aes-256-ctr(JSON)>}, key sha256(secret). */
function decryptCredentials(file, secret) {
    const encrypted = JSON.parse(fs.readFileSync(file, "utf8")).$;
    const key = crypto.createHash("sha256").update(secret).digest();
    const iv = Buffer.from(encrypted.slice(0, 32), "hex");
    const decipher = crypto.createDecipheriv("aes-256-ctr", key, iv);
    return JSON.parse(decipher.update(encrypted.slice(32), "base64", "utf8") + decipher.final("utf8"));
}

describe("npm start (scripts/start.js)", function () {
    this.timeout(START_LIMIT_MS + 15_000);

    const examples = readExamples();
    let child;
    let output = "";
    let exited;
    let userDir;
    let editor;
    let standin;

    before(async function () {
        userDir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-start-test-"));
        // port 0: the editor and the stand-in take free ports, which the script prints
        const env = { ...process.env, PORT: "0", TWILIO_STANDIN_PORT: "0", NODE_RED_USER_DIR: userDir };
        // real credentials in the developer's shell would point the script at real Twilio
        delete env.TWILIO_ACCOUNT_SID;
        delete env.TWILIO_AUTH_TOKEN;
        delete env.TWILIO_API_BASE_URL;
        delete env.TWILIO_WEBHOOK_BASE_URL;
        child = spawn(process.execPath, [path.join(ROOT, "scripts", "start.js")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

        try {
            const ready = await waitFor("start.js to print the editor's URL", START_LIMIT_MS, async () => {
                if (child.exitCode !== null) throw Object.assign(new Error(`start.js exited with ${child.exitCode}`), { fatal: true });
                return /Node-RED editor: (http:\/\/127\.0\.0\.1:\d+)\/ - Twilio nodes use the local Twilio stand-in at (http:\/\/127\.0\.0\.1:\d+)/.exec(output) ?? undefined;
            });
            [, editor, standin] = ready;
            // until the admin API answers with the first start's deployment
            await waitFor("GET /flows to list the deployed examples", START_LIMIT_MS, async () => {
                if (child.exitCode !== null) throw Object.assign(new Error(`start.js exited with ${child.exitCode}`), { fatal: true });
                const response = await fetch(`${editor}/flows`);
                if (!response.ok) return undefined;
                const flows = await response.json();
                return flows.length > 0 ? flows : undefined;
            });
        } catch (err) {
            err.message += `\n--- start.js output ---\n${output}`;
            throw err;
        }
    });

    after(async function () {
        if (child && child.exitCode === null && child.signalCode === null) {
            child.kill("SIGKILL");
            await exited;
        }
        if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    });

    async function getFlows() {
        const response = await fetch(`${editor}/flows`);
        assert.equal(response.status, 200);
        return response.json();
    }

    it("deploys one tab per example file, with every Twilio node of that file on it", async function () {
        const flows = await getFlows();
        const tabs = flows.filter((node) => node.type === "tab");
        assert.equal(tabs.length, examples.length, `tabs: ${tabs.map((tab) => tab.label).join(", ")}`);
        assert.equal(new Set(tabs.map((tab) => tab.label)).size, tabs.length, "tab labels are distinct");
        const deployed = new Map(flows.map((node) => [node.id, node]));
        const tabIds = new Set(tabs.map((tab) => tab.id));
        for (const { file, nodes } of examples) {
            const twilioNodes = nodes.filter((node) => TWILIO_NODE_TYPES.includes(node.type));
            assert.ok(twilioNodes.length > 0, `${file} has Twilio nodes`);
            const homes = new Set();
            for (const node of twilioNodes) {
                const found = deployed.get(node.id);
                assert.ok(found, `${file}: ${node.type} "${node.name}" (${node.id}) is deployed`);
                assert.equal(found.type, node.type);
                assert.equal(found.operation, node.operation);
                assert.ok(tabIds.has(found.z), `${file}: "${node.name}" sits on one of the tabs`);
                homes.add(found.z);
            }
            assert.equal(homes.size, 1, `${file}: its nodes share one tab`);
        }
        // the account all examples share is deployed once, with references instead of values
        const accounts = flows.filter((node) => node.type === "twilio-account");
        assert.equal(accounts.length, 1);
        assert.equal(accounts[0].apiBaseUrl, "${TWILIO_API_BASE_URL}");
    });

    it("keeps only encrypted ${...} references in flows_cred.json, never the token", function () {
        const file = path.join(userDir, "flows_cred.json");
        const text = fs.readFileSync(file, "utf8");
        assert.ok(!text.includes(STANDIN_AUTH_TOKEN), "the stand-in's auth token is not in the file in clear");
        assert.ok(!text.includes(STANDIN_ACCOUNT_SID), "the stand-in's account SID is not in the file in clear");
        assert.ok(!text.includes("TWILIO_AUTH_TOKEN"), "the file is encrypted");
        const { _credentialSecret: secret } = JSON.parse(fs.readFileSync(path.join(userDir, ".config.runtime.json"), "utf8"));
        assert.equal(typeof secret, "string", "Node-RED generated the key (no credentialSecret was set)");
        const credentials = decryptCredentials(file, secret);
        const [accountId] = Object.keys(credentials);
        assert.deepEqual(credentials, {
            [accountId]: { accountSid: "${TWILIO_ACCOUNT_SID}", authToken: "${TWILIO_AUTH_TOKEN}" },
        });
    });

    it('sends the SMS of "Send an SMS" to the stand-in', async function () {
        const { nodes } = examples.find(({ file }) => file === "Messages.json");
        const inject = nodes.find((node) => node.type === "inject" && node.name === "Send an SMS");
        assert.ok(inject, 'Messages.json has the "Send an SMS" inject node');
        const { To, Body } = JSON.parse(inject.payload);

        const response = await fetch(`${editor}/inject/${inject.id}`, { method: "POST" });
        assert.equal(response.status, 200);

        const authorization = `Basic ${Buffer.from(`${STANDIN_ACCOUNT_SID}:${STANDIN_AUTH_TOKEN}`).toString("base64")}`;
        const url = `${standin}/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`;
        const message = await waitFor(`the stand-in to hold a message to ${To}`, 10_000, async () => {
            const list = await fetch(url, { headers: { Authorization: authorization } });
            assert.equal(list.status, 200);
            const { messages } = await list.json();
            return messages.find((m) => m.to === To) ?? undefined;
        });
        assert.equal(message.body, Body);
        assert.equal(message.from, JSON.parse(inject.payload).From);
        assert.match(message.sid, /^SM[0-9a-f]{32}$/);
    });

    it('"Reply ACK to an alarm SMS": its webhook serves /api/twilio/sms at the local URL and replies to the stand-in\'s ACK', async function () {
        const flows = await getFlows();
        const webhook = flows.find((node) => node.type === "twilio-webhook");
        assert.ok(webhook, "the example's webhook node is deployed");
        assert.equal(webhook.publicBaseUrl, "${TWILIO_WEBHOOK_BASE_URL}", "a reference, set by each start");
        // as the example's "Simulate the on-call's reply ACK" inject does: the stand-in texts the webhook, signed
        const response = await fetch(`${standin}/standin/incoming-message`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ Url: `${editor}/api/twilio/sms`, From: "+16175551212", To: "+15005550006", Body: "ack" }),
        });
        assert.equal(response.status, 200);
        const exchange = await response.json();
        assert.equal(exchange.status, 200, `the webhook accepted the stand-in's signature: ${JSON.stringify(exchange)}`);
        assert.equal(exchange.body, '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Alarm acknowledged, thank you.</Message></Response>');
    });

    it("stops on SIGTERM with exit code 0", async function () {
        child.kill("SIGTERM");
        let timer;
        const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve({ timedOut: EXIT_LIMIT_MS }), EXIT_LIMIT_MS)));
        const result = await Promise.race([exited, timedOut]);
        clearTimeout(timer);
        assert.deepEqual(result, { code: 0, signal: null }, `start.js output:\n${output}`);
    });
});
