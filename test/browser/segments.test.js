/**
 * The SMS cost counter under postMessage's Body, in the Node-RED 4.1 editor in chromium: a user types a Body,
 * the counter shows characters, encoding and segments as Twilio's calculator counts them (run here, in the test
 * process, as the judge), and a curly apostrophe typed into it turns GSM-7 into UCS-2 and changes the segments
 * while the user is still typing. Smart encoding and the cap show as well, and the counter speaks the editor's
 * language.
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { SegmentedMessage } = require("sms-segments-calculator");
const { ROOT, startNodeRed, startBrowser } = require("./support/environment");
const ui = require("./support/editor");

const ARTIFACTS = path.join(ROOT, "test-artifacts", "browser-segments");
const TYPE = "twilio-messages";
/** 154 GSM-7 characters: one segment; with one ’ more it is 155 UCS-2 characters, three segments. */
const ALARM =
    "Pump 3 at site North-7 reports pressure 9.8 bar, above its limit of 8 bar. Its been high for 15 minutes. Check the relief valve and call the on-duty tech.";

function twilio(body, smartEncoding = false) {
    const message = new SegmentedMessage(body, "auto", smartEncoding);
    return { encoding: message.encodingName, segments: message.segmentsCount, characters: message.graphemes.length };
}

describe("the SMS cost counter in the editor (Node-RED 4.1, chromium)", function () {
    let nodeRed;
    let browser;
    let page;
    const pageErrors = [];

    before(async function () {
        this.timeout(60_000);
        fs.rmSync(ARTIFACTS, { recursive: true, force: true });
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        nodeRed = await startNodeRed();
        browser = await startBrowser({ width: 1400, height: 1500 });
        page = browser.page;
        page.setDefaultTimeout(10_000);
        page.on("pageerror", (err) => pageErrors.push(err.stack || err.message));
        await page.goto(nodeRed.url);
        await ui.waitForEditor(page, [TYPE]);
    });

    after(async function () {
        this.timeout(60_000);
        try {
            if (browser) await browser.stop();
        } finally {
            if (nodeRed) await nodeRed.stop();
        }
    });

    afterEach(async function () {
        if (this.currentTest.state !== "failed" || !page) return;
        const name = this.currentTest.title.replace(/[^\w-]+/g, "-").slice(-100);
        await page.screenshot({ path: path.join(ARTIFACTS, `failed-${name}.png`) }).catch(() => {});
        await ui.cancelAllTrays(page).catch(() => {});
    });

    /** A new messages node from the palette, its dialog open on postMessage. */
    async function openNewNode(at) {
        const id = await ui.dragFromPalette(page, TYPE, at);
        await ui.openEditor(page, id, TYPE, "#node-input-operation");
        assert.equal(await page.locator("#node-input-operation").inputValue(), "postMessage");
        return id;
    }

    /** The counter as the page shows it. */
    function counter() {
        return page.evaluate(() => {
            const element = document.getElementById("twilio-segments-counter");
            return {
                encoding: element.dataset.encoding,
                segments: element.dataset.segments,
                lines: [...element.children].map((line) => ({ text: line.textContent, warning: line.classList.contains("twilio-segments-over") })),
                visible: $(element).is(":visible"),
                inBodyRow: !!element.closest("#twilio-row-Body"),
            };
        });
    }

    /** Waits until the counter shows `encoding` and `segments`; resolves with what it shows. */
    async function expectCount(expected, what) {
        await ui.waitUntil(
            page,
            ({ encoding, segments }) => {
                const element = document.getElementById("twilio-segments-counter");
                return element.dataset.encoding === encoding && element.dataset.segments === String(segments);
            },
            expected,
            `${what}: the counter should show ${expected.encoding}, ${expected.segments} segment(s); it shows ${JSON.stringify(await counter())}`,
        );
        return counter();
    }

    /** Types a value into Max segments and leaves the field, as a user does (Node-RED validates on change). */
    async function setMaxSegments(value) {
        await page.locator("#node-input-maxSegments").fill(value);
        await page.locator("#node-input-maxSegments").press("Tab");
    }

    function bodyInput() {
        return ui.typedInput(page, "Body").locator("input.red-ui-typedInput-input");
    }

    it("counts the Body as the user types: one ’ turns GSM-7 into UCS-2 and one segment into three", async function () {
        await openNewNode({ x: 320, y: 100 });
        const empty = await counter();
        assert.ok(empty.visible && empty.inBodyRow, `the counter is shown in the Body's row: ${JSON.stringify(empty)}`);
        assert.match(empty.lines[0].text, /counted when the message is sent/, "a blank Body comes from msg.payload");

        await bodyInput().click();
        await bodyInput().pressSequentially(ALARM);
        const gsm = twilio(ALARM);
        assert.deepEqual(gsm, { encoding: "GSM-7", segments: 1, characters: 154 });
        let shown = await expectCount(gsm, "the alarm typed");
        assert.equal(shown.lines[0].text, `Characters: ${gsm.characters} · Encoding: GSM-7 · Segments: 1`);

        // the user goes back and types a curly apostrophe into "Its", still in the field
        for (let i = 0; i < ALARM.length - ALARM.indexOf("Its") - 2; i++) await page.keyboard.press("ArrowLeft");
        await page.keyboard.insertText("’");
        const body = await bodyInput().inputValue();
        assert.ok(body.includes("It’s been high"), `the Body is now ${body}`);
        const ucs2 = twilio(body);
        assert.deepEqual(ucs2, { encoding: "UCS-2", segments: 3, characters: 155 });
        shown = await expectCount(ucs2, "a ’ typed into the alarm");
        assert.equal(shown.lines[0].text, "Characters: 155 · Encoding: UCS-2 · Segments: 3");
        assert.ok(shown.lines.some((line) => line.text === "UCS-2 because of: ’ (U+2019)"), JSON.stringify(shown.lines));
        assert.equal(await page.evaluate(() => document.activeElement.classList.contains("red-ui-typedInput-input")), true, "counted while the Body still has the focus");
        await page.locator("#twilio-row-Body").screenshot({ path: path.join(ARTIFACTS, "counter-ucs2.png") });

        // the page's textCost is the runtime's rule, asked through the admin route
        const inPage = await page.evaluate((text) => GatewireTwilio.textCost(text), body);
        assert.equal(inPage.segments, ucs2.segments);
        assert.equal(inPage.encoding, ucs2.encoding);

        // smart encoding: the apostrophe would be sent as ', one GSM-7 segment again
        await page.locator("#node-input-smartEncoding").check();
        shown = await expectCount(twilio(body, true), "smart encoding turned on");
        assert.deepEqual(twilio(body, true).segments, 1);
        assert.ok(shown.lines.some((line) => line.text === "Smart encoding replaces: ’ (U+2019)"), JSON.stringify(shown.lines));
        await page.locator("#node-input-smartEncoding").uncheck();
        await expectCount(ucs2, "smart encoding turned off");

        // a cap below the count: the counter warns that the message would not be sent
        await setMaxSegments("2");
        await ui.waitUntil(page, () => $("#twilio-segments-counter .twilio-segments-over").text() === "More than Max segments (2): it would not be sent.", undefined, "the counter warns of the cap");
        await ui.screenshotTray(page, path.join(ARTIFACTS, "dialog-over-cap.png"));
        await setMaxSegments("3");
        await ui.waitUntil(page, () => $("#twilio-segments-counter .twilio-segments-over").length === 0, undefined, "a cap of 3 lets 3 segments through");
        await setMaxSegments("0");
        await ui.waitUntil(page, () => $("#node-input-maxSegments").hasClass("input-error"), undefined, "maxSegments 0 is marked invalid");
        await setMaxSegments("3");
        await ui.waitUntil(page, () => !$("#node-input-maxSegments").hasClass("input-error"), undefined, "maxSegments 3 is valid");

        // a Body from msg is only known when a message comes
        await ui.chooseType(page, "Body", "msg", "Body from msg");
        await ui.waitUntil(page, () => /counted when the message is sent/.test($("#twilio-segments-counter").text()), undefined, "a Body from msg is counted at runtime");
        await ui.chooseType(page, "Body", "str", "Body typed again");
        await bodyInput().fill(body);
        await expectCount(ucs2, "the Body typed again");

        const id = await page.evaluate(() => RED.editor.getEditStack()[0].id);
        await ui.closeTray(page, "#node-dialog-ok", TYPE);
        const saved = await page.evaluate((nodeId) => {
            const node = RED.nodes.node(nodeId);
            return { maxSegments: node.maxSegments, smartEncoding: node.smartEncoding, Body: node.Body, valid: node.valid };
        }, id);
        assert.deepEqual(saved, { maxSegments: "3", smartEncoding: false, Body: body, valid: false }, "saved (not valid: no account chosen)");
    });

    it("speaks the editor's language (German)", async function () {
        await page.evaluate(() => localStorage.setItem("editor-language", "de"));
        try {
            await page.reload();
            await ui.waitForEditor(page, [TYPE]);
            await openNewNode({ x: 320, y: 220 });
            await bodyInput().click();
            await bodyInput().pressSequentially("Größe ’ok’");
            const expected = twilio("Größe ’ok’");
            const shown = await expectCount(expected, "German dialog");
            assert.equal(shown.lines[0].text, `Zeichen: ${expected.characters} · Kodierung: UCS-2 · Segmente: 1`);
            assert.ok(shown.lines.some((line) => line.text === "UCS-2 wegen: ’ (U+2019)"), JSON.stringify(shown.lines));
            assert.equal((await page.locator('label[for="node-input-maxSegments"]').innerText()).trim(), "Max. Segmente");
            await ui.cancelAllTrays(page);
        } finally {
            await page.evaluate(() => localStorage.removeItem("editor-language"));
        }
    });

    it("raised no page errors", function () {
        assert.deepEqual(pageErrors, []);
    });
});
