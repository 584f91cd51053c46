/**
 * The real Node-RED 4.1 editor in Debian's chromium (playwright-core), with this package loaded as `npm start`
 * loads it, against the package's Twilio stand-in:
 *
 *  - the palette shows calls, messages, media, webhook and alert in one "Twilio" category, with their icons served (200);
 *  - each node is dragged from the palette and its dialog opened by double-click; every operation of its
 *    dropdown shows exactly the catalog's parameters, which must include every argument of the reference
 *    spec's table (read by test/support/reference-spec.js, not from the catalog), with the required marker,
 *    a summary, a help text per field and defaults as placeholders; a screenshot per operation goes to
 *    test-artifacts/browser/<type>-<operation>.png;
 *  - values are set through the typedInputs as a user does (type menu, typing, option menus), and bad input
 *    (E.164, Sid, URL) is marked with Node-RED's input-error style, good input clears it;
 *  - a Twilio account is added from the Account field (password input for the token, advanced API base URL);
 *  - a webhook node's dialog shows the URL to give Twilio and warns when signatures are not checked; the
 *    messages node takes it as its status webhook;
 *  - an alert node's dialog takes that webhook node, From and a contact list edited row by row (added, removed,
 *    fixed), marked invalid while a contact has no number;
 *  - the help sidebar shows the package's help for all six node types;
 *  - Deploy writes the values and types to flows.json, the auth token only encrypted into flows_cred.json;
 *    an inject wired to the messages node then sends its SMS to the stand-in, whose delivery receipts the
 *    deployed webhook node accepts (signed with the account's token, checked against its public base URL).
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { ROOT, decryptCredentials, startNodeRed, startBrowser } = require("./support/environment");
const ui = require("./support/editor");
const loadReferenceSpec = require("../support/reference-spec");

const ARTIFACTS = path.join(ROOT, "test-artifacts", "browser");
const HEX32 = "0123456789abcdef0123456789abcdef";
const FROM_ENV = "TWILIO_BROWSER_SUITE_FROM";
const FROM_NUMBER = "+15005550006";
const SMS_BODY = "Pump 3 pressure high";
const VIEWPORT = { width: 1400, height: 1500 };

/**
 * What the suite does in each node's dialog, in order. `validate`: a bad literal must be marked invalid and a
 * good one must clear the mark (the good one stays set). `set`: values set as a user does. `final`: the
 * operation the node is saved with.
 */
const SCENARIOS = {
    "twilio-calls": {
        drop: { x: 320, y: 100 },
        validate: [
            { operation: "getCall", name: "CallSid", bad: "CA123", good: `CA${HEX32}` },
            { operation: "createCall", name: "To", bad: "not a number", good: "+16175551212" },
            { operation: "createCall", name: "Url", bad: "not a url", good: "https://example.com/twiml" },
        ],
        set: [
            { operation: "createCall", name: "From", type: "str", value: FROM_NUMBER },
            { operation: "createCall", name: "Method", type: "option", value: "GET" },
            { operation: "createCall", name: "Timeout", type: "num", value: "30" },
        ],
        final: "createCall",
    },
    "twilio-messages": {
        drop: { x: 320, y: 220 },
        validate: [{ operation: "postMessage", name: "To", bad: "not a number", good: "+16175551212" }],
        set: [
            { operation: "listMessage", name: "PageSize", type: "num", value: "20" },
            { operation: "postMessage", name: "From", type: "env", value: FROM_ENV },
            { operation: "postMessage", name: "Body", type: "msg", value: "topic" },
        ],
        final: "postMessage",
    },
    "twilio-media": {
        drop: { x: 320, y: 340 },
        validate: [{ operation: "listMedia", name: "MessageSid", bad: "SM123", good: `SM${HEX32}` }],
        set: [{ operation: "listMedia", name: "PageSize", type: "num", value: "20" }],
        final: "listMedia",
    },
};
const TYPES = Object.keys(SCENARIOS);
const WEBHOOK = "twilio-webhook";
/** The Twilio palette category: the operation nodes and the webhook, with their palette labels. */
const ALERT = "twilio-alert";
const PALETTE = { "twilio-calls": "calls", "twilio-messages": "messages", "twilio-media": "media", [WEBHOOK]: "webhook", [ALERT]: "alert" };
const WEBHOOK_PATH = "/twilio/status";

/** What Node-RED's flows.json must hold for a scenario: every field of the collection, "" unless the final operation has it. */
function expectedFields(type, catalog) {
    const scenario = SCENARIOS[type];
    const finalNames = catalog.OPERATIONS[scenario.final].params.map((p) => p.name);
    const expected = {};
    for (const step of scenario.validate) expected[step.name] = { type: "str", value: step.good };
    for (const step of scenario.set) expected[step.name] = { type: step.type, value: step.value };
    for (const name of Object.keys(expected)) {
        if (!finalNames.includes(name)) expected[name] = { type: expected[name].type, value: "" };
    }
    return expected;
}

function sameSet(a, b) {
    return a.length === b.length && a.every((x) => b.includes(x));
}

describe("the editor in a browser (Node-RED 4.1, chromium)", function () {
    const catalog = require("../../build/catalog");
    const { TwilioStandin, STANDIN_ACCOUNT_SID, STANDIN_AUTH_TOKEN } = require("../../build/standin/server");
    const spec = loadReferenceSpec();
    const specByName = Object.fromEntries(spec.map((op) => [op.name, op]));
    const collectionOfType = Object.fromEntries(Object.entries(catalog.COLLECTION_NODE_TYPES).map(([collection, type]) => [type, collection]));

    let standin;
    let standinUrl;
    let nodeRed;
    let browser;
    let page;
    const pageErrors = [];
    const consoleErrors = [];
    const iconResponses = {};
    /** Per node type: its node id, the operations its dropdown offers, and the first failure of its steps. */
    const state = Object.fromEntries(TYPES.map((type) => [type, { id: undefined, operations: [], failed: undefined }]));
    let accountId;
    let previousFromEnv;

    before(async function () {
        this.timeout(60_000);
        // this suite's pictures only, from this run
        fs.rmSync(ARTIFACTS, { recursive: true, force: true });
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        previousFromEnv = process.env[FROM_ENV];
        process.env[FROM_ENV] = FROM_NUMBER;
        standin = new TwilioStandin({ host: "127.0.0.1", port: 0 });
        standinUrl = await standin.start();
        nodeRed = await startNodeRed();
        browser = await startBrowser(VIEWPORT);
        page = browser.page;
        page.setDefaultTimeout(10_000);
        page.on("pageerror", (err) => pageErrors.push(err.stack || err.message));
        page.on("console", (message) => {
            if (message.type() !== "error") return;
            const where = message.location() && message.location().url;
            // the palette manager asks the public node catalogue, which this machine cannot reach
            if (/catalogue\.nodered\.org/.test(`${where} ${message.text()}`)) return;
            consoleErrors.push(`${message.text()}${where ? ` (${where})` : ""}`);
        });
        page.on("response", (response) => {
            const match = /\/icons\/@gatewire\/node-red-twilio\/([\w-]+\.svg)/.exec(response.url());
            if (match) iconResponses[match[1]] = { status: response.status(), contentType: response.headers()["content-type"] };
        });
        await page.goto(nodeRed.url);
        await ui.waitForEditor(page, TYPES);
    });

    after(async function () {
        this.timeout(60_000);
        const problems = [];
        for (const stop of [() => browser && browser.stop(), () => nodeRed && nodeRed.stop(), () => standin && standin.stop()]) {
            try {
                await stop();
            } catch (err) {
                problems.push(err);
            }
        }
        if (previousFromEnv === undefined) delete process.env[FROM_ENV];
        else process.env[FROM_ENV] = previousFromEnv;
        if (problems.length) throw problems[0];
    });

    // a failed step leaves a picture of the editor as it was
    afterEach(async function () {
        if (this.currentTest.state !== "failed" || !page) return;
        const name = this.currentTest.fullTitle().replace(/[^\w-]+/g, "-").slice(-120);
        await page.screenshot({ path: path.join(ARTIFACTS, `failed-${name}.png`) }).catch(() => {});
    });

    describe("the palette", function () {
        it("shows calls, messages, media, webhook and alert in one Twilio palette category, with their icons loaded", async function () {
            const types = Object.keys(PALETTE);
            const palette = await page.evaluate((types) => {
                return types.map((type) => {
                    const node = $(`.red-ui-palette-node[data-palette-type="${type}"]`);
                    const category = node.closest(".red-ui-palette-category");
                    return {
                        type,
                        category: category.attr("id"),
                        title: category.find(".red-ui-palette-header span").first().text(),
                        inCategory: category.find(".red-ui-palette-node").map(function () { return $(this).attr("data-palette-type"); }).get(),
                        label: node.find(".red-ui-palette-label").text(),
                        icon: node.find(".red-ui-palette-icon").css("background-image"),
                        visible: node.is(":visible"),
                    };
                });
            }, types);
            for (const entry of palette) {
                assert.ok(entry.category, `${entry.type} is in no palette category`);
                assert.equal(entry.title, "Twilio", `${entry.type}: its palette category is titled "${entry.title}", not "Twilio"`);
                assert.ok(entry.visible, `${entry.type}: its palette node is hidden`);
                assert.match(entry.icon || "", new RegExp(`icons/@gatewire/node-red-twilio/${entry.type}\\.svg`), `${entry.type}: its palette icon is ${entry.icon}`);
            }
            assert.equal(new Set(palette.map((entry) => entry.category)).size, 1, `the nodes are in different categories: ${palette.map((e) => `${e.type} in ${e.category}`).join(", ")}`);
            assert.deepEqual([...palette[0].inCategory].sort(), [...types].sort(), "the Twilio category holds exactly calls, messages, media, webhook and alert");
            assert.deepEqual(palette.map((entry) => entry.label), Object.values(PALETTE), "palette labels");
            // the icons are background images: the browser requests them as it lays out the palette
            await ui.waitUntil(
                page,
                (count) => performance.getEntriesByType("resource").filter((e) => /node-red-twilio\/twilio-\w+\.svg/.test(e.name)).length >= count,
                types.length,
                "the browser did not request the five palette icons",
            );
            // the page has them; the test process hears of their responses a moment later
            const deadline = Date.now() + 5_000;
            while (types.some((type) => !iconResponses[`${type}.svg`]) && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
            for (const type of types) {
                const response = iconResponses[`${type}.svg`];
                assert.ok(response, `${type}.svg: the browser never received it (received: ${Object.keys(iconResponses).join(", ") || "none"})`);
                assert.equal(response.status, 200, `${type}.svg answered ${response.status}`);
                assert.match(response.contentType || "", /image\/svg\+xml/, `${type}.svg has content type ${response.contentType}`);
            }
            const category = page.locator(`#${palette[0].category}`);
            await category.scrollIntoViewIfNeeded();
            await category.screenshot({ path: path.join(ARTIFACTS, "palette-twilio.png") });
        });
    });

    for (const type of TYPES) {
        const scenario = SCENARIOS[type];
        describe(type, function () {
            const mine = state[type];
            const operations = () => catalog.operationsOf(collectionOfType[type]).map((op) => op.name);

            // the steps build on each other: after a failed step, the later ones say so instead of failing
            // obscurely, and the dialogs are cancelled so that the next node can be edited. A step that only
            // looks (`checkOnly`) lets the others go on.
            const it = (title, body, { checkOnly = false } = {}) =>
                global.it(title, async function () {
                    if (mine.failed) throw new Error(`not run: an earlier step of ${type} failed (${mine.failed})`);
                    try {
                        await body.call(this);
                    } catch (err) {
                        if (!checkOnly) {
                            mine.failed = title;
                            await ui.cancelAllTrays(page).catch(() => {});
                        }
                        throw err;
                    }
                });

            it("is dragged from the palette onto the workspace, and its dialog opens on double-click", async function () {
                mine.id = await ui.dragFromPalette(page, type, scenario.drop);
                const icon = await page.locator(`[id="${mine.id}"] image.red-ui-flow-node-icon`).getAttribute("href");
                assert.match(icon || "", new RegExp(`${type}\\.svg$`), `${type}: the node on the workspace shows the icon ${icon}`);
                await ui.openEditor(page, mine.id, type, "#node-input-operation");
                mine.operations = await page.locator("#node-input-operation option").evaluateAll((options) => options.map((o) => o.value));
                assert.deepEqual(mine.operations, operations(), `${type}: the operation dropdown offers [${mine.operations}]`);
                const selected = await page.locator("#node-input-operation").inputValue();
                assert.equal(selected, operations()[0], `${type}: a new node starts with the first operation`);
            });

            it("shows exactly the fields of each operation, with required markers, summary, help and defaults", async function () {
                const failures = [];
                for (const operation of mine.operations) {
                    await page.selectOption("#node-input-operation", operation);
                    const where = `${type} ${operation}`;
                    const shown = await page.evaluate(() => {
                        const rows = {};
                        const names = [];
                        $(".twilio-field").each(function () {
                            const row = $(this);
                            if (!row.is(":visible")) return;
                            const name = this.id.replace(/^twilio-row-/, "");
                            names.push(name);
                            const trigger = row.find(".red-ui-typedInput-option-trigger");
                            const input = row.find("input.red-ui-typedInput-input");
                            rows[name] = {
                                required: row.find(".twilio-required").is(":visible"),
                                help: row.find(".twilio-help").is(":visible") ? row.find(".twilio-help").text().trim() : "",
                                // what a blank field displays: the option dropdown's label, or the text input's placeholder
                                blank: trigger.is(":visible")
                                    ? trigger.find(".red-ui-typedInput-option-label").text()
                                    : input.is(":visible") ? input.attr("placeholder") || "" : undefined,
                                className: row.attr("class"),
                            };
                        });
                        const summary = $("#twilio-operation-summary");
                        return { names, rows, summary: summary.is(":visible") ? summary.text().trim() : "" };
                    });

                    const params = catalog.OPERATIONS[operation].params;
                    const paramNames = params.map((p) => p.name);
                    const missing = paramNames.filter((name) => !shown.names.includes(name));
                    const unexpected = shown.names.filter((name) => !paramNames.includes(name));
                    if (missing.length || unexpected.length) {
                        failures.push(`${where}: fields shown [${shown.names}]; missing ${missing.length ? `[${missing}]` : "none"}, not of this operation ${unexpected.length ? `[${unexpected}]` : "none"}`);
                    } else if (shown.names.join() !== paramNames.join()) {
                        failures.push(`${where}: fields shown in the order [${shown.names}], the catalog's order is [${paramNames}]`);
                    }
                    const specOp = specByName[operation];
                    if (!specOp) failures.push(`${where}: the reference spec has no operation ${operation}`);
                    for (const arg of specOp ? specOp.arguments : []) {
                        if (!shown.names.includes(arg.name)) failures.push(`${where}: the reference spec's argument ${arg.name} has no visible field`);
                        else if (arg.default !== undefined && shown.rows[arg.name].blank !== `default: ${arg.default}`) {
                            failures.push(`${where}: ${arg.name} should show the reference spec's default as "default: ${arg.default}", shows "${shown.rows[arg.name].blank}"`);
                        }
                    }
                    if (!shown.summary) failures.push(`${where}: the operation summary (#twilio-operation-summary) is empty or hidden`);
                    for (const param of params) {
                        const row = shown.rows[param.name];
                        if (!row) continue;
                        if (row.required !== (param.required === true)) {
                            failures.push(`${where}: ${param.name} is ${param.required ? "required but shows no" : "optional but shows the"} required marker (.twilio-required)`);
                        }
                        if (!row.help) failures.push(`${where}: ${param.name} has no help text (.twilio-help)`);
                        if (param.default !== undefined) {
                            if (row.blank !== `default: ${param.default}`) failures.push(`${where}: ${param.name} should show "default: ${param.default}" when blank, shows "${row.blank}"`);
                        } else if (row.blank === undefined || /default:/.test(row.blank)) {
                            failures.push(`${where}: ${param.name} has no default but shows "${row.blank}" when blank`);
                        }
                    }
                    await ui.screenshotTray(page, path.join(ARTIFACTS, `${type}-${operation}.png`));
                }
                assert.deepEqual(failures, [], `${type}: ${failures.length} problem(s):\n  ${failures.join("\n  ")}`);
            }, { checkOnly: true });

            it("takes values through its typedInputs as a user sets them, and marks bad input invalid", async function () {
                for (const step of scenario.validate) {
                    const what = `${type} ${step.operation}`;
                    await page.selectOption("#node-input-operation", step.operation);
                    await ui.chooseType(page, step.name, "str", what);
                    await ui.typeInto(page, step.name, step.bad, what);
                    await ui.expectMarked(page, step.name, true, what);
                    const border = () => ui.typedInput(page, step.name).evaluate((element) => getComputedStyle(element).borderTopColor);
                    const badBorder = await border();
                    await page.locator(`#twilio-row-${step.name}`).screenshot({ path: path.join(ARTIFACTS, `${type}-${step.operation}-${step.name}-invalid.png`) });
                    await ui.typeInto(page, step.name, step.good, what);
                    await ui.expectMarked(page, step.name, false, what);
                    const goodBorder = await border();
                    assert.notEqual(badBorder, goodBorder, `${what}: ${step.name} looks the same (border ${goodBorder}) with a bad and a good value`);
                }
                for (const step of scenario.set) {
                    const what = `${type} ${step.operation}`;
                    await page.selectOption("#node-input-operation", step.operation);
                    await ui.setField(page, step.name, step.type, step.value, what);
                    await ui.expectMarked(page, step.name, false, what);
                    const typeField = await page.locator(`#node-input-${step.name}Type`).inputValue();
                    assert.equal(typeField, step.type, `${what}: ${step.name} has the type ${typeField}, not ${step.type}`);
                }
                await page.selectOption("#node-input-operation", scenario.final);
                const marked = await page.evaluate(() => $(".twilio-field:visible .red-ui-typedInput-container.input-error").closest(".twilio-field").map(function () { return this.id; }).get());
                assert.deepEqual(marked, [], `${type} ${scenario.final}: fields still marked invalid`);
                await ui.screenshotTray(page, path.join(ARTIFACTS, `${type}-${scenario.final}-filled.png`));
            });

            it("uses a Twilio account chosen or added from its Account field", async function () {
                if (!accountId) {
                    // the first node adds the account, as a user does with the + button beside the Account field
                    await page.locator("#node-input-btn-account-add").click();
                    await ui.visible(page.locator("#node-config-input-accountSid"), `${type}: the + button of Account did not open the twilio-account dialog`);
                    await ui.trayReady(page, "twilio-account");
                    await page.locator("#node-config-input-accountSid").pressSequentially(STANDIN_ACCOUNT_SID);
                    const tokenType = await page.locator("#node-config-input-authToken").getAttribute("type");
                    assert.equal(tokenType, "password", "twilio-account: the auth token input must be a password input");
                    for (const secret of ["#node-config-input-apiKeySecret"]) {
                        assert.equal(await page.locator(secret).getAttribute("type"), "password", `twilio-account: ${secret} must be a password input`);
                    }
                    await page.locator("#node-config-input-authToken").pressSequentially(STANDIN_AUTH_TOKEN);
                    assert.equal(await page.locator("#node-config-input-apiBaseUrl").isVisible(), false, "twilio-account: the advanced section starts closed");
                    await page.locator("#twilio-account-advanced-toggle").click();
                    await ui.visible(page.locator("#node-config-input-apiBaseUrl"), "twilio-account: the Advanced link did not open the API base URL field");
                    // region and edge: Twilio's documented values, and the host they make, as the runtime makes it
                    const optionsOf = (id) => page.locator(`${id} option`).evaluateAll((options) => options.map((o) => o.value));
                    assert.deepEqual(await optionsOf("#node-config-input-region"), ["", "us1", "ie1", "au1"]);
                    assert.deepEqual((await optionsOf("#node-config-input-edge")).slice(0, 3), ["", "ashburn", "dublin"]);
                    assert.match(await page.locator("#twilio-account-host").textContent(), /https:\/\/api\.twilio\.com$/);
                    await page.selectOption("#node-config-input-region", "ie1");
                    assert.match(await page.locator("#twilio-account-host").textContent(), /https:\/\/api\.dublin\.ie1\.twilio\.com$/);
                    await page.selectOption("#node-config-input-edge", "frankfurt");
                    await page.selectOption("#node-config-input-region", "");
                    assert.match(await page.locator("#twilio-account-host").textContent(), /https:\/\/api\.frankfurt\.us1\.twilio\.com$/);
                    await page.selectOption("#node-config-input-edge", "");
                    // the proxy: a URL shows its credential fields, the password as a password input
                    assert.equal(await page.locator("#node-config-input-proxyPassword").isVisible(), false);
                    await page.selectOption("#twilio-account-proxy-choice", "_url");
                    await ui.visible(page.locator("#node-config-input-proxyPassword"), "twilio-account: choosing a proxy URL did not show its credentials");
                    assert.equal(await page.locator("#node-config-input-proxyPassword").getAttribute("type"), "password");
                    await page.selectOption("#twilio-account-proxy-choice", "");
                    await page.locator("#node-config-input-apiBaseUrl").pressSequentially(standinUrl);
                    assert.doesNotMatch(await page.locator("#twilio-account-host").textContent(), /twilio\.com/, "the base URL wins: no Twilio host shown");
                    await ui.waitUntil(
                        page,
                        () => ["accountSid", "authToken", "apiBaseUrl", "timeout"].every((p) => !$(`#node-config-input-${p}`).hasClass("input-error")),
                        undefined,
                        "twilio-account: a field of the account dialog is marked invalid",
                    );
                    await ui.screenshotTray(page, path.join(ARTIFACTS, "twilio-account-config.png"));

                    // its help, from the book button of the dialog
                    await page.locator(".red-ui-tray").last().locator(".red-ui-tray-footer button:has(i.fa-book)").click();
                    await ui.expectHelpShown(page, ui.distinctiveHelpText("twilio-account"), "twilio-account");
                    await page.locator("#red-ui-sidebar").screenshot({ path: path.join(ARTIFACTS, "help-twilio-account.png") });
                    state.accountHelpShown = true;

                    const before = await page.evaluate(() => { const ids = []; RED.nodes.eachConfig((n) => { if (n.type === "twilio-account") ids.push(n.id); }); return ids; });
                    await ui.closeTray(page, "#node-config-dialog-ok", "twilio-account");
                    accountId = await page.evaluate((known) => { let id; RED.nodes.eachConfig((n) => { if (n.type === "twilio-account" && !known.includes(n.id)) id = n.id; }); return id; }, before);
                    assert.ok(accountId, "twilio-account: adding the account created no twilio-account config node");
                } else {
                    await page.selectOption("#node-input-account", accountId);
                }
                await ui.waitUntil(
                    page,
                    (id) => $("#node-input-account").val() === id && !$("#node-input-account").hasClass("input-error"),
                    accountId,
                    `${type}: the Account field does not hold the account ${accountId}, or is marked invalid`,
                );
            });

            it("is saved with Done, valid", async function () {
                await ui.closeTray(page, "#node-dialog-ok", type);
                const node = await page.evaluate((id) => {
                    const n = RED.nodes.node(id);
                    return { valid: n.valid, operation: n.operation, account: n.account, validationErrors: n.validationErrors };
                }, mine.id);
                assert.equal(node.operation, scenario.final, `${type}: saved with the operation ${node.operation}`);
                assert.equal(node.account, accountId, `${type}: saved with the account ${node.account}`);
                assert.equal(node.valid, true, `${type}: the editor marks the saved node invalid: ${JSON.stringify(node.validationErrors)}`);
            });

            it("reopens showing the operation, values and types it was saved with", async function () {
                await ui.openEditor(page, mine.id, type, "#node-input-operation");
                const operation = await page.locator("#node-input-operation").inputValue();
                assert.equal(operation, scenario.final, `${type}: reopened with the operation ${operation}`);
                const failures = [];
                for (const [name, want] of Object.entries(expectedFields(type, catalog))) {
                    const shown = await page.evaluate((n) => {
                        const container = $(`#node-input-${n}`).next(".red-ui-typedInput-container");
                        const trigger = container.find(".red-ui-typedInput-option-trigger");
                        return {
                            value: $(`#node-input-${n}`).val(),
                            type: $(`#node-input-${n}Type`).val(),
                            visible: $(`#twilio-row-${n}`).is(":visible"),
                            text: trigger.is(":visible") ? trigger.find(".red-ui-typedInput-option-label").text() : container.find("input.red-ui-typedInput-input").val(),
                        };
                    }, name);
                    if (shown.value !== want.value) failures.push(`${name} holds ${JSON.stringify(shown.value)}, saved ${JSON.stringify(want.value)}`);
                    if (want.value === "") continue;
                    if (shown.type !== want.type) failures.push(`${name} has the type ${shown.type}, saved ${want.type}`);
                    if (!shown.visible) failures.push(`${name} is not shown`);
                    if (shown.text !== want.value) failures.push(`${name} displays ${JSON.stringify(shown.text)}, saved ${JSON.stringify(want.value)}`);
                }
                const account = await page.locator("#node-input-account").inputValue();
                if (account !== accountId) failures.push(`Account shows ${account}, saved ${accountId}`);
                await ui.screenshotTray(page, path.join(ARTIFACTS, `${type}-${scenario.final}-reopened.png`));
                await ui.closeTray(page, "#node-dialog-cancel", type);
                assert.deepEqual(failures, [], `${type} reopened:\n  ${failures.join("\n  ")}`);
            });
        });
    }

    describe(WEBHOOK, function () {
        const webhook = state[WEBHOOK] = { id: undefined, failed: undefined };
        const it = (title, body) =>
            global.it(title, async function () {
                if (webhook.failed) throw new Error(`not run: an earlier step of ${WEBHOOK} failed (${webhook.failed})`);
                try {
                    await body.call(this);
                } catch (err) {
                    webhook.failed = title;
                    await ui.cancelAllTrays(page).catch(() => {});
                    throw err;
                }
            });

        /** Types into a plain input as a user does and leaves it, so that the editor validates it. */
        async function typeText(selector, text) {
            await page.locator(selector).fill("");
            if (text !== "") await page.locator(selector).pressSequentially(text);
            await page.locator(selector).press("Tab");
        }

        const marked = (selector) => page.locator(selector).evaluate((input) => input.classList.contains("input-error"));

        it("its dialog shows the URL to give Twilio, marks a bad public base URL, and warns when signatures are not checked", async function () {
            assert.ok(accountId, "not run: no Twilio account was added (the account step failed)");
            webhook.id = await ui.dragFromPalette(page, WEBHOOK, { x: 320, y: 460 });
            await ui.openEditor(page, webhook.id, WEBHOOK, "#node-input-path");
            await page.selectOption("#node-input-account", accountId);
            await typeText("#node-input-path", WEBHOOK_PATH);
            await typeText("#node-input-publicBaseUrl", "nodered.example.com");
            assert.equal(await marked("#node-input-publicBaseUrl"), true, "a public base URL without scheme is marked invalid");
            assert.equal(await page.locator("#twilio-webhook-url-row").isVisible(), false, "no URL is shown for a bad base");
            await typeText("#node-input-publicBaseUrl", `${nodeRed.url}/`);
            assert.equal(await marked("#node-input-publicBaseUrl"), false, "the Node-RED URL is a good public base URL");
            assert.equal(await page.locator("#twilio-webhook-url").textContent(), `${nodeRed.url}/api${WEBHOOK_PATH}`, "the URL to give Twilio: base, httpNodeRoot and path");
            assert.equal(await page.locator("#twilio-webhook-unchecked").isVisible(), false, "no warning while signatures are checked");
            await ui.waitUntil(page, () => !$("#twilio-webhook-no-token").is(":visible"), undefined, "the account has its auth token: no warning");
            await page.locator("#node-input-validate").uncheck();
            await ui.visible(page.locator("#twilio-webhook-unchecked"), "unticking the signature check shows no warning");
            await ui.screenshotTray(page, path.join(ARTIFACTS, "twilio-webhook-unchecked.png"));
            await page.locator("#node-input-validate").check();
            await ui.waitUntil(page, () => !$("#twilio-webhook-unchecked").is(":visible"), undefined, "the warning stays after ticking the check again");
            await ui.screenshotTray(page, path.join(ARTIFACTS, "twilio-webhook.png"));
            await ui.closeTray(page, "#node-dialog-ok", WEBHOOK);
            const node = await page.evaluate((id) => {
                const n = RED.nodes.node(id);
                return { valid: n.valid, path: n.path, publicBaseUrl: n.publicBaseUrl, validate: n.validate, replyTimeout: n.replyTimeout, account: n.account };
            }, webhook.id);
            assert.deepEqual(node, { valid: true, path: WEBHOOK_PATH, publicBaseUrl: `${nodeRed.url}/`, validate: true, replyTimeout: 5, account: accountId });
        });

        it("the messages node offers it as its status webhook, for postMessage only", async function () {
            const messagesId = state["twilio-messages"].id;
            assert.ok(messagesId && !state["twilio-messages"].failed, "not run: the messages node was not set up");
            await ui.openEditor(page, messagesId, "twilio-messages", "#node-input-operation");
            await page.selectOption("#node-input-operation", "listMessage");
            assert.equal(await page.locator("#twilio-row-statusWebhook").isVisible(), false, "listMessage takes no StatusCallback");
            await page.selectOption("#node-input-operation", "postMessage");
            await ui.visible(page.locator("#twilio-row-statusWebhook"), "postMessage shows no Status webhook row");
            const offered = await page.locator("#node-input-statusWebhook option").evaluateAll((options) => options.map((o) => [o.value, o.textContent]));
            assert.deepEqual(offered, [["", "none"], [webhook.id, WEBHOOK_PATH]], "the webhook nodes of the flow, and none");
            await page.selectOption("#node-input-statusWebhook", webhook.id);
            await ui.screenshotTray(page, path.join(ARTIFACTS, "twilio-messages-postMessage-statusWebhook.png"));
            await ui.closeTray(page, "#node-dialog-ok", "twilio-messages");
            const node = await page.evaluate((id) => ({ valid: RED.nodes.node(id).valid, statusWebhook: RED.nodes.node(id).statusWebhook }), messagesId);
            assert.deepEqual(node, { valid: true, statusWebhook: webhook.id });
        });
    });

    describe(ALERT, function () {
        const alert = (state[ALERT] = { id: undefined, failed: undefined });
        const it = (title, body) =>
            global.it(title, async function () {
                if (alert.failed) throw new Error(`not run: an earlier step of ${ALERT} failed (${alert.failed})`);
                try {
                    await body.call(this);
                } catch (err) {
                    alert.failed = title;
                    await ui.cancelAllTrays(page).catch(() => {});
                    throw err;
                }
            });

        /** Fills the contact rows of the open dialog, in order: [name, number, sms, call]. */
        async function fillContacts(rows) {
            const list = page.locator("#node-input-contacts-list");
            for (let i = await list.locator("li").count(); i < rows.length; i++) {
                await page.locator(".node-input-contacts-row .red-ui-editableList-addButton").click();
            }
            for (const [index, [name, number, sms, call]] of rows.entries()) {
                const row = list.locator("li").nth(index);
                await row.locator(".twilio-alert-contact-name").fill(name);
                await row.locator(".twilio-alert-contact-number").fill(number);
                await row.locator(".twilio-alert-contact-sms").setChecked(sms);
                await row.locator(".twilio-alert-contact-call").setChecked(call);
            }
        }

        const saved = (id) =>
            page.evaluate((id) => {
                const n = RED.nodes.node(id);
                return { valid: n.valid, account: n.account, webhook: n.webhook, from: n.from, contacts: n.contacts, ackWait: Number(n.ackWait), rounds: Number(n.rounds), cooldown: Number(n.cooldown) };
            }, id);

        it("its dialog takes the webhook node, From and an edited contact list; a contact without a number is invalid", async function () {
            assert.ok(accountId && state[WEBHOOK].id, "not run: no account or no webhook node (an earlier step failed)");
            alert.id = await ui.dragFromPalette(page, ALERT, { x: 320, y: 580 });
            await ui.openEditor(page, alert.id, ALERT, "#node-input-from");
            await page.selectOption("#node-input-account", accountId);
            const offered = await page.locator("#node-input-webhook option").evaluateAll((options) => options.map((o) => o.value));
            assert.deepEqual(offered, ["", state[WEBHOOK].id], "the webhook nodes of the flows");
            await page.selectOption("#node-input-webhook", state[WEBHOOK].id);
            await page.locator("#node-input-from").fill(FROM_NUMBER);
            await fillContacts([["Ann", "+16175551212", true, true], ["Bob", "", true, false]]);
            await page.locator("#node-input-ackWait").fill("0.5");
            await ui.screenshotTray(page, path.join(ARTIFACTS, "twilio-alert.png"));
            await ui.closeTray(page, "#node-dialog-ok", ALERT);
            const first = await saved(alert.id);
            assert.equal(first.valid, false, "Bob has no number: the node is invalid");
            assert.deepEqual(first.contacts, [
                { name: "Ann", number: "+16175551212", sms: true, call: true },
                { name: "Bob", number: "", sms: true, call: false },
            ]);
        });

        it("reopens with its contacts; a removed row and a fixed number make it valid", async function () {
            await ui.openEditor(page, alert.id, ALERT, "#node-input-from");
            const list = page.locator("#node-input-contacts-list");
            assert.equal(await list.locator("li").count(), 2, "the two contacts are shown again");
            assert.equal(await list.locator("li").nth(1).locator(".twilio-alert-contact-name").inputValue(), "Bob");
            await list.locator("li").nth(1).locator(".twilio-alert-contact-number").fill("+16175551313");
            await fillContacts([["Ann", "+16175551212", true, true], ["Bob", "+16175551313", true, false], ["Cy", "+16175551414", false, true]]);
            // the first row removed: Bob is first now
            await list.locator("li").nth(0).locator(".red-ui-editableList-item-remove").click();
            // the row fades out before it leaves the list
            await ui.waitUntil(page, () => $("#node-input-contacts-list").editableList("items").length === 2, undefined, "the removed row stays in the list");
            await ui.screenshotTray(page, path.join(ARTIFACTS, "twilio-alert.png"));
            await ui.closeTray(page, "#node-dialog-ok", ALERT);
            assert.deepEqual(await saved(alert.id), {
                valid: true,
                account: accountId,
                webhook: state[WEBHOOK].id,
                from: FROM_NUMBER,
                contacts: [
                    { name: "Bob", number: "+16175551313", sms: true, call: false },
                    { name: "Cy", number: "+16175551414", sms: false, call: true },
                ],
                ackWait: 0.5,
                rounds: 2,
                cooldown: 10,
            });
        });
    });

    describe("after editing the three nodes", function () {
        it("offers every operation of the reference spec in one of the three dropdowns", function () {
            const offered = TYPES.flatMap((type) => state[type].operations);
            const missing = spec.map((op) => op.name).filter((name) => !offered.includes(name));
            assert.deepEqual(missing, [], `operations of the reference spec no dropdown offers: ${missing}`);
        });

        it("shows the package's help in the sidebar for each of the six node types", async function () {
            assert.ok(state.accountHelpShown, "twilio-account: its help was not shown (the account dialog step failed)");
            for (const type of [...TYPES, WEBHOOK, ALERT]) {
                assert.ok(state[type].id, `${type}: no node on the workspace (an earlier step failed)`);
                // select the node with a click, then open the help tab
                await page.locator("#red-ui-workspace-chart").click({ position: { x: 700, y: 600 } });
                await page.locator(`[id="${state[type].id}"] .red-ui-flow-node`).click();
                await ui.waitUntil(page, (id) => RED.view.selection().nodes?.length === 1 && RED.view.selection().nodes[0].id === id, state[type].id, `${type}: clicking the node did not select it`);
                await page.locator("#red-ui-tab-help").click();
                await ui.expectHelpShown(page, ui.distinctiveHelpText(type), type);
                await page.locator("#red-ui-sidebar").screenshot({ path: path.join(ARTIFACTS, `help-${type}.png`) });
            }
        });

        it("deploys: flows.json holds the operations, values, types and account; the auth token only encrypted", async function () {
            for (const type of [...TYPES, WEBHOOK]) {
                assert.ok(state[type].id && !state[type].failed, `not run: ${type} was not set up (${state[type].failed || "no node"})`);
            }
            await ui.deploy(page, "the first deploy");
            state.deployed = true;
            await page.screenshot({ path: path.join(ARTIFACTS, "workspace-deployed.png") });

            const flowsText = fs.readFileSync(path.join(nodeRed.userDir, "flows.json"), "utf8");
            const flows = JSON.parse(flowsText);
            const failures = [];
            for (const type of TYPES) {
                const node = flows.find((n) => n.id === state[type].id);
                if (!node) {
                    failures.push(`${type}: node ${state[type].id} is not in flows.json`);
                    continue;
                }
                if (node.type !== type) failures.push(`${type}: flows.json has type ${node.type}`);
                if (node.operation !== SCENARIOS[type].final) failures.push(`${type}: operation ${node.operation}, expected ${SCENARIOS[type].final}`);
                if (node.account !== accountId) failures.push(`${type}: account ${node.account}, expected ${accountId}`);
                for (const [name, want] of Object.entries(expectedFields(type, catalog))) {
                    if (node[name] !== want.value) failures.push(`${type}: ${name} is ${JSON.stringify(node[name])} in flows.json, expected ${JSON.stringify(want.value)}`);
                    if (want.value !== "" && node[`${name}Type`] !== want.type) failures.push(`${type}: ${name}Type is ${JSON.stringify(node[`${name}Type`])} in flows.json, expected "${want.type}"`);
                }
            }
            const hook = flows.find((n) => n.id === state[WEBHOOK].id);
            if (!hook) failures.push(`${WEBHOOK}: node ${state[WEBHOOK].id} is not in flows.json`);
            else {
                const saved = { type: hook.type, account: hook.account, path: hook.path, publicBaseUrl: hook.publicBaseUrl, validate: hook.validate, replyTimeout: hook.replyTimeout };
                const wanted = { type: WEBHOOK, account: accountId, path: WEBHOOK_PATH, publicBaseUrl: `${nodeRed.url}/`, validate: true, replyTimeout: 5 };
                if (JSON.stringify(saved) !== JSON.stringify(wanted)) failures.push(`${WEBHOOK}: flows.json holds ${JSON.stringify(saved)}, expected ${JSON.stringify(wanted)}`);
            }
            const alertNode = flows.find((n) => n.id === state[ALERT].id);
            if (state[ALERT].id && !state[ALERT].failed) {
                const contacts = alertNode && JSON.stringify(alertNode.contacts);
                const wanted = JSON.stringify([
                    { name: "Bob", number: "+16175551313", sms: true, call: false },
                    { name: "Cy", number: "+16175551414", sms: false, call: true },
                ]);
                if (!alertNode) failures.push(`${ALERT}: node ${state[ALERT].id} is not in flows.json`);
                else if (contacts !== wanted || alertNode.webhook !== state[WEBHOOK].id || alertNode.account !== accountId) {
                    failures.push(`${ALERT}: flows.json holds contacts ${contacts}, webhook ${alertNode.webhook}, account ${alertNode.account}`);
                }
            }
            const messages = flows.find((n) => n.id === state["twilio-messages"].id);
            if (messages && messages.statusWebhook !== state[WEBHOOK].id) failures.push(`twilio-messages: statusWebhook is ${messages.statusWebhook}, expected ${state[WEBHOOK].id}`);
            const account = flows.find((n) => n.id === accountId);
            if (!account) failures.push(`the twilio-account ${accountId} is not in flows.json`);
            else {
                if (account.type !== "twilio-account") failures.push(`the account node has type ${account.type}`);
                if (account.apiBaseUrl !== standinUrl) failures.push(`the account's apiBaseUrl is ${account.apiBaseUrl}, expected ${standinUrl}`);
                if ("credentials" in account) failures.push("the account node carries credentials in flows.json");
            }
            if (flowsText.includes(STANDIN_AUTH_TOKEN)) failures.push("the auth token appears in flows.json");
            assert.deepEqual(failures, [], `flows.json:\n  ${failures.join("\n  ")}`);

            const credFile = path.join(nodeRed.userDir, "flows_cred.json");
            const credText = fs.readFileSync(credFile, "utf8");
            assert.ok(!credText.includes(STANDIN_AUTH_TOKEN), "the auth token is in clear in flows_cred.json");
            assert.ok(!credText.includes(STANDIN_ACCOUNT_SID), "the account SID is in clear in flows_cred.json");
            const credentials = decryptCredentials(credFile);
            assert.deepEqual(Object.keys(credentials), [accountId], "flows_cred.json holds credentials of the account node only");
            assert.equal(credentials[accountId].authToken, STANDIN_AUTH_TOKEN, "the decrypted authToken of the account node");
            assert.equal(credentials[accountId].accountSid, STANDIN_ACCOUNT_SID, "the decrypted accountSid of the account node");
        });

        it("runs the deployed messages node: an inject wired to it sends the SMS to the stand-in", async function () {
            const messagesId = state["twilio-messages"].id;
            assert.ok(messagesId && !state["twilio-messages"].failed, `not run: twilio-messages was not set up (${state["twilio-messages"].failed || "no node"})`);
            assert.ok(state.deployed, "not run: the first deploy failed");
            // an inject from the palette, its msg.topic set in its dialog, wired with the mouse. (Not a payload object
            // such as {"text": ...}: the node takes the keys of an object msg.payload as parameters and refuses
            // "text" as unknown, even when a field reads msg.payload.text.)
            const injectId = await ui.dragFromPalette(page, "inject", { x: 140, y: 220 });
            await ui.openEditor(page, injectId, "inject", "#node-input-property-container");
            const rows = page.locator("#node-input-property-container li");
            const names = await rows.evaluateAll((items) => items.map((li) => $(li).find(".red-ui-typedInput-container").first().find("input.red-ui-typedInput-input").val()));
            const topicRow = names.indexOf("topic");
            assert.ok(topicRow >= 0, `inject: its dialog has no msg.topic row (rows: ${names})`);
            const text = rows.nth(topicRow).locator(".red-ui-typedInput-container").nth(1).locator("input.red-ui-typedInput-input");
            await text.click();
            await text.pressSequentially(SMS_BODY);
            await ui.closeTray(page, "#node-dialog-ok", "inject");

            const output = await ui.stableBox(page.locator(`[id="${injectId}"] .red-ui-flow-port-output .red-ui-flow-port`), "inject: its output port");
            const input = await ui.stableBox(page.locator(`[id="${messagesId}"] .red-ui-flow-port-input .red-ui-flow-port`), "twilio-messages: its input port");
            await page.mouse.move(output.x + output.width / 2, output.y + output.height / 2);
            await page.mouse.down();
            await page.mouse.move(input.x + input.width / 2, input.y + input.height / 2, { steps: 20 });
            await page.mouse.up();
            await ui.waitUntil(
                page,
                ({ from, to }) => RED.nodes.filterLinks({ source: RED.nodes.node(from), target: RED.nodes.node(to) }).length === 1,
                { from: injectId, to: messagesId },
                "dragging from the inject's output to the messages node's input made no wire",
            );
            const topic = await page.evaluate((id) => RED.nodes.node(id).topic, injectId);
            assert.equal(topic, SMS_BODY, "inject: the msg.topic set in its dialog");

            await ui.deploy(page, "the deploy with the inject");
            const requestsBefore = standin.requests.length;
            const response = await fetch(`${nodeRed.url}/inject/${injectId}`, { method: "POST" });
            assert.equal(response.status, 200, `POST /inject/${injectId} answered ${response.status}`);
            const deadline = Date.now() + 10_000;
            let sent;
            while (!(sent = standin.requests.slice(requestsBefore).find((r) => r.method === "POST" && /\/Messages\.json$/.test(r.path)))) {
                if (Date.now() > deadline) {
                    throw new Error(`the stand-in got no POST .../Messages.json; it got: ${JSON.stringify(standin.requests.slice(requestsBefore).map((r) => `${r.method} ${r.path}`))}`);
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            assert.equal(sent.path, `/2010-04-01/Accounts/${STANDIN_ACCOUNT_SID}/Messages.json`, "the request path");
            assert.equal(sent.username, STANDIN_ACCOUNT_SID, "the request authenticates as the account");
            assert.deepEqual(
                { To: sent.form.To, From: sent.form.From, Body: sent.form.Body, StatusCallback: sent.form.StatusCallback },
                { To: "+16175551212", From: FROM_NUMBER, Body: SMS_BODY, StatusCallback: `${nodeRed.url}/api${WEBHOOK_PATH}` },
                "To as typed (text), From from the env variable, Body from msg.topic, StatusCallback the webhook's URL",
            );
            await ui.waitUntil(
                page,
                (id) => { const n = RED.nodes.node(id); return n.status && n.status.fill === "green"; },
                messagesId,
                "twilio-messages: the node status did not turn green after the request",
            ).catch((err) => {
                throw new Error(`${err.message}; status: ${JSON.stringify(standin.requests.slice(requestsBefore).map((r) => r.status))}`);
            });
            // the stand-in's receipts reach the deployed webhook node, which accepts their signatures
            await ui.waitUntil(
                page,
                (id) => { const n = RED.nodes.node(id); return !!n.status && /^message-status SM[0-9a-f]{32}$/.test(n.status.text || "") && n.status.fill === "green"; },
                state[WEBHOOK].id,
                "twilio-webhook: its status shows no message-status event",
            ).catch((err) => {
                throw new Error(`${err.message}; the stand-in's callbacks: ${JSON.stringify(standin.callbacks.map((c) => [c.url, c.status, c.error]))}`);
            });
            await standin.whenCallbacksSettled();
            assert.deepEqual(standin.callbacks.map((c) => [c.params.MessageStatus, c.status]), [["queued", 200], ["sent", 200], ["delivered", 200]], "the webhook answered each receipt");
            await page.screenshot({ path: path.join(ARTIFACTS, "workspace-sent.png") });
        });

        it("raised no page errors and logged no console errors in the editor", function () {
            assert.deepEqual(pageErrors, [], `uncaught errors in the page:\n${pageErrors.join("\n")}`);
            assert.deepEqual(consoleErrors, [], `console errors in the page:\n${consoleErrors.join("\n")}`);
        });
    });

    describe("the editor's validators agree with the runtime's rules", function () {
        const { parseBaseUrl } = require("../../build/rules/base-url");
        const { ACCOUNT_SID_PATTERN, API_KEY_SID_PATTERN } = require("../../build/rules/account-rules");
        const { parseDestinations } = require("../../build/rules/recipients");
        const { parsePublicBaseUrl, WEBHOOK_PATH_PATTERN } = require("../../build/rules/public-url");
        const { apiHost, REGIONS, EDGES } = require("../../build/rules/twilio-host");
        const { resolveProxySetting } = require("../../build/nodes/account/account-proxy");
        const { chooseProxy } = require("../../build/sender/proxy");
        /** An "http proxy" node that the proxy rows name: in the editor (added below) and in the runtime's RED. */
        const PROXY_NODE = { id: "ab12cd34ef567890", type: "http proxy", name: "table proxy", url: "http://proxy.example.com:3128", noproxy: [] };
        const runtimeRED = { nodes: { getNode: (id) => (id === PROXY_NODE.id ? PROXY_NODE : null) } };
        /** The account's proxy as the runtime resolves and checks it (a loopback origin keeps the environment's proxies out). */
        const runtimeProxy = (v) => chooseProxy("http://127.0.0.1:1882", resolveProxySetting(runtimeRED, v, {})).ok;
        /** type, property, whether it is a credential, the runtime's rule, and values to judge (incl. the drift cases). */
        const TABLE = [
            ["twilio-account", "apiBaseUrl", false, (v) => parseBaseUrl(v).ok, [
                "", "https://api.twilio.com", "https://proxy.example.com/twilio/", "http://127.0.0.1:1882", "http://localhost:8080",
                "http://example.com", "https://u:p@host.example", "https://host.example/?x=1", "https://host.example/#f", "ftp://host", "not a url",
            ]],
            ["twilio-account", "accountSid", true, (v) => v === "" || ACCOUNT_SID_PATTERN.test(v), ["", `AC${HEX32}`, `AC${HEX32.toUpperCase()}`, `SK${HEX32}`, "AC123", ` AC${HEX32}`]],
            ["twilio-account", "apiKeySid", true, (v) => v === "" || API_KEY_SID_PATTERN.test(v), ["", `SK${HEX32}`, `AC${HEX32}`, "SK12"]],
            ["twilio-account", "allowedDestinations", false, (v) => parseDestinations(v).kind !== "unusable", [
                "", "+1", "+1 +49 +4930123456", "+1,+49;client: sip:", "+49 0171", "49", "whatsapp:+1", "+",
            ]],
            ["twilio-webhook", "path", false, (v) => WEBHOOK_PATH_PATTERN.test(v), ["/twilio/sms", "/", "twilio", "/a:b", "/a*", "/ok-._~/x"]],
            ["twilio-webhook", "publicBaseUrl", false, (v) => parsePublicBaseUrl(v).ok, [
                "https://alarms.example.com/nodered", "http://127.0.0.1:1880", "https://u:p@host.example", "https://host.example/?x=1",
                "https://host.example/#f", "https://bad_host.example", "ftp://host.example", "not a url",
            ]],
            // region with the edge blank and edge with the region blank (the validators read the other from the node)
            ["twilio-account", "region", false, (v) => apiHost(v, "").ok, [
                "", ...REGIONS, "IE1", " au1 ", "jp1", "constructor", "bad_label", "a.b", "-x", "x".repeat(64), "ie1/x",
            ]],
            ["twilio-account", "edge", false, (v) => apiHost("", v).ok, [
                "", ...EDGES, "Dublin", " tokyo ", "newedge", "bad edge", "a.b", "x-", "dublin:443",
            ]],
            ["twilio-account", "proxy", false, runtimeProxy, [
                "", "  ", PROXY_NODE.id, "http://proxy.example.com:3128", "https://proxy.example.com", "proxy.example.com:3128",
                "10.0.0.1:8080", "http://user:secret@proxy.example.com:3128", "socks5://proxy.example.com:1080", "http://", "not a url!",
                "ffff0000ffff0000", "http://[::1", "ftp://proxy.example.com",
            ]],
        ];
        before(async function () {
            await page.evaluate((node) => RED.nodes.import([node]), PROXY_NODE);
            assert.equal(await page.evaluate((id) => (RED.nodes.node(id) || {}).type, PROXY_NODE.id), "http proxy", "the table's http proxy node is in the editor");
        });
        after(async function () {
            if (page) await page.evaluate((id) => RED.nodes.remove(id), PROXY_NODE.id).catch(() => {});
        });
        for (const [type, property, credential, rule, values] of TABLE) {
            it(`${type} ${property}: the dialog accepts exactly what the runtime accepts`, async function () {
                const editor = await page.evaluate(({ type, property, credential, values }) => {
                    const definition = RED.nodes.getType(type);
                    const spec = (credential ? definition.credentials : definition.defaults)[property];
                    // `this`: a node that checks signatures (the webhook's public URL is required only then)
                    const node = { validate: true, _: RED._ };
                    return values.map((value) => spec.validate.call(node, value) === true);
                }, { type, property, credential, values });
                const runtime = values.map((value) => rule(value));
                const disagree = values.flatMap((value, i) => (editor[i] === runtime[i] ? [] : [`${JSON.stringify(value)}: dialog ${editor[i]}, runtime ${runtime[i]}`]));
                assert.deepEqual(disagree, [], `${type} ${property}`);
            });
        }
    });

    describe("flows imported through the editor's Import open valid", function () {
        const EXAMPLES = path.join(ROOT, "examples");
        const files = [
            ...fs.readdirSync(EXAMPLES).filter((file) => file.endsWith(".json")).map((file) => path.join(EXAMPLES, file)),
            // the example flows as the first release saved them: no limits on the account, no versions
            path.join(ROOT, "test", "fixtures", "flows", "first-release.json"),
        ];
        for (const file of files) {
            it(`${path.relative(ROOT, file)}: no node shows the invalid marker`, async function () {
                const json = fs.readFileSync(file, "utf8");
                const ours = JSON.parse(json).filter((node) => /^twilio-/.test(node.type)).length;
                // a page of its own: the editor as a user opens it, with nothing imported before
                const fresh = await browser.context.newPage();
                const errors = [];
                fresh.on("pageerror", (err) => errors.push(err.stack || err.message));
                try {
                    await fresh.goto(nodeRed.url);
                    await ui.waitForEditor(fresh, TYPES);
                    await ui.importThroughDialog(fresh, json, ours, path.basename(file));
                    assert.deepEqual(await ui.invalidNodes(fresh), [], `${path.basename(file)}: nodes marked invalid after import`);
                    assert.deepEqual(errors, [], `${path.basename(file)}: errors in the page`);
                } finally {
                    await fresh.close({ runBeforeUnload: false });
                }
            });
        }
    });
});
