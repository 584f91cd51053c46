/**
 * What the browser suite runs against, all on 127.0.0.1 with free ports and fresh temporary directories:
 * the package's Twilio stand-in, Node-RED 4.1 embedded in this process as scripts/start.js embeds it (the
 * package loaded from the repository root through nodesDir, no flows), and Debian's chromium driven by
 * playwright-core with a fresh profile.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createServer, whenFlowsSettled } = require("../../../scripts/embedded-node-red");

const ROOT = path.resolve(__dirname, "../../..");
const HOST = "127.0.0.1";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** Known to the test so that it can decrypt flows_cred.json; not a secret of anything real. */
const CREDENTIAL_SECRET = "browser-suite-credential-secret";

/** Node-RED's credential file format: {"$": <32 hex IV><base64 aes-256-ctr>}, key sha256(secret). */
function decryptCredentials(file, secret = CREDENTIAL_SECRET) {
    const encrypted = JSON.parse(fs.readFileSync(file, "utf8")).$;
    const key = crypto.createHash("sha256").update(secret).digest();
    const iv = Buffer.from(encrypted.slice(0, 32), "hex");
    const decipher = crypto.createDecipheriv("aes-256-ctr", key, iv);
    return JSON.parse(decipher.update(encrypted.slice(32), "base64", "utf8") + decipher.final("utf8"));
}

function listen(server) {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, HOST, () => {
            server.off("error", reject);
            resolve(server.address().port);
        });
    });
}


/**
 * Node-RED 4.1 in this process with the package from the repository root and an empty, fresh userDir.
 * Resolves with {RED, url, userDir, stop}.
 */
async function startNodeRed() {
    const RED = require("node-red");
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-browser-userdir-"));
    const settings = {
        userDir,
        flowFile: "flows.json",
        credentialSecret: CREDENTIAL_SECRET,
        nodesDir: [ROOT],
        uiHost: HOST,
        httpAdminRoot: "/",
        httpNodeRoot: "/api",
        telemetry: { enabled: false },
        editorTheme: { tours: false },
        logging: { console: { level: "error", metrics: false, audit: false } },
    };
    const server = createServer(RED);
    RED.init(server, settings);
    const settled = whenFlowsSettled(RED);
    await RED.start();
    const port = await listen(server);
    await settled;
    const url = `http://${HOST}:${port}`;
    async function stop() {
        try {
            await RED.stop();
        } finally {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(() => resolve()));
            fs.rmSync(userDir, { recursive: true, force: true });
        }
    }
    return { RED, url, userDir, stop };
}

/** Debian's chromium, headless, with a fresh profile directory. Resolves with {context, page, stop}. */
async function startBrowser({ width = 1600, height = 2000 } = {}) {
    const { chromium } = require("playwright-core");
    if (!fs.existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    }
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-browser-profile-"));
    // playwright refuses --user-data-dir among the args: a persistent context is how a profile directory is given
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width, height },
        args: [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    });
    const page = context.pages()[0] || (await context.newPage());
    async function stop() {
        try {
            await context.close();
        } finally {
            fs.rmSync(profile, { recursive: true, force: true });
        }
    }
    return { context, page, stop };
}

module.exports = { ROOT, HOST, CREDENTIAL_SECRET, decryptCredentials, startNodeRed, startBrowser };
