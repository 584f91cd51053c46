/**
 * Small steps in the Node-RED 4.1 editor, done the way a user does them (real mouse moves and clicks, typing),
 * each failing with a message that says what was expected. Checks of state read the page with jQuery, which the
 * editor itself uses.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const WAIT_MS = 10_000;

/** page.waitForFunction with a readable failure. */
async function waitUntil(page, predicate, arg, message, timeout = WAIT_MS) {
    try {
        await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
    } catch (err) {
        throw new Error(`${message} (waited ${timeout} ms: ${String(err.message).split("\n")[0]})`);
    }
}

/** Waits until a locator is visible, failing with `message`. */
async function visible(locator, message, timeout = WAIT_MS) {
    try {
        await locator.waitFor({ state: "visible", timeout });
    } catch (err) {
        throw new Error(`${message} (waited ${timeout} ms)`);
    }
    return locator;
}

/** The editor is loaded: the palette holds the given node types. */
async function waitForEditor(page, types) {
    await waitUntil(
        page,
        (wanted) =>
            window.RED && RED.nodes && RED.view && RED.workspaces && RED.workspaces.active() &&
            wanted.every((type) => RED.nodes.getType(type) && $(`.red-ui-palette-node[data-palette-type="${type}"]`).length === 1),
        types,
        `the editor did not load with the palette nodes ${types.join(", ")}`,
        30_000,
    );
}

/** The box of an element once it stands still for a few animation frames (scrolling and sliding are over). */
async function stableBox(locator, what) {
    await locator.waitFor({ state: "visible" });
    const stable = await locator.evaluate(
        (element) =>
            new Promise((resolve) => {
                let last = "";
                let same = 0;
                let frames = 0;
                function check() {
                    const r = element.getBoundingClientRect();
                    const now = `${r.x},${r.y},${r.width},${r.height}`;
                    same = now === last ? same + 1 : 0;
                    last = now;
                    if (same >= 3) return resolve(true);
                    if (++frames > 600) return resolve(false);
                    requestAnimationFrame(check);
                }
                requestAnimationFrame(check);
            }),
    );
    if (!stable) throw new Error(`${what} does not stop moving`);
    return locator.boundingBox();
}

/**
 * Drags a node type from the palette onto the workspace with real mouse moves; resolves with the new node's id.
 * @param at the drop point relative to the workspace's top left corner
 */
async function dragFromPalette(page, type, at) {
    const before = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
    const paletteNode = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
    await paletteNode.scrollIntoViewIfNeeded();
    // the palette may still be scrolling (smoothly): grab the node only where it stays
    const from = await stableBox(paletteNode, `${type}: its palette node`);
    const chart = await page.locator("#red-ui-workspace-chart").boundingBox();
    if (!from || !chart) throw new Error(`${type}: the palette node or the workspace has no box on the page`);
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 30, from.y + from.height / 2, { steps: 5 });
    await page.mouse.move(chart.x + at.x, chart.y + at.y, { steps: 20 });
    const dragging = await page.evaluate(() => {
        const helper = $(".red-ui-palette-node.ui-draggable-dragging");
        return helper.length ? { helper: helper.offset(), w: helper.outerWidth(), h: helper.outerHeight() } : null;
    });
    await page.mouse.up();
    await waitUntil(
        page,
        ({ t, known }) => RED.nodes.filterNodes({ type: t }).some((n) => !known.includes(n.id)),
        { t: type, known: before },
        `${type}: dragging it from the palette onto the workspace added no node (drag helper at the drop: ${JSON.stringify(dragging)}, ` +
            `palette node at ${JSON.stringify(from)}, drop at ${chart.x + at.x},${chart.y + at.y})`,
    );
    const id = await page.evaluate(
        ({ t, known }) => RED.nodes.filterNodes({ type: t }).find((n) => !known.includes(n.id)).id,
        { t: type, known: before },
    );
    await visible(page.locator(`[id="${id}"] .red-ui-flow-node`), `${type}: the dropped node ${id} is not drawn on the workspace`);
    return id;
}

/**
 * Waits until the top-most dialog (tray) stands in place: trays slide in from the right (CSS `right` goes from
 * a negative value to 0). Node-RED keeps only the top tray in the page; the ones below are detached.
 */
async function trayReady(page, what) {
    await waitUntil(
        page,
        () => {
            const tray = $(".red-ui-tray").last();
            return tray.length === 1 && tray.is(":visible") && Math.abs(parseFloat(tray.css("right"))) < 0.5;
        },
        undefined,
        `${what}: the dialog did not slide into place`,
    );
}

/** Double-clicks a node on the workspace and waits for its edit dialog. */
async function openEditor(page, id, what, readySelector) {
    await page.locator(`[id="${id}"] .red-ui-flow-node`).dblclick();
    await visible(page.locator(readySelector), `${what}: double-clicking the node did not open its edit dialog (${readySelector})`);
    await trayReady(page, what);
}

/** Clicks the top dialog's button (Done / Add / Update) and waits for that dialog to go. */
async function closeTray(page, buttonSelector, what) {
    const tray = await page.locator(".red-ui-tray").last().elementHandle();
    await page.locator(buttonSelector).first().click();
    await waitUntil(page, (element) => !element.isConnected || !$(element).is(":visible"), tray, `${what}: clicking ${buttonSelector} did not close the dialog`);
    await tray.dispose();
    // a dialog below comes back
    if (await page.locator(".red-ui-tray").count()) await trayReady(page, what);
}

/** Cancels every open dialog: after a failed step, so that the next node can be edited. */
async function cancelAllTrays(page) {
    for (let i = 0; i < 3 && (await page.locator(".red-ui-tray").count()) > 0; i++) {
        const cancel = page.locator("#node-config-dialog-cancel:visible, #node-dialog-cancel:visible").first();
        if ((await cancel.count()) === 0) break;
        await closeTray(page, "#node-config-dialog-cancel:visible, #node-dialog-cancel:visible", "cancel");
    }
}

/**
 * Screenshot of the top-most dialog with all its content: the page grows for the time of the shot when the
 * dialog scrolls.
 */
async function screenshotTray(page, file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const viewport = page.viewportSize();
    const overflow = await page.evaluate(() => {
        const content = $(".red-ui-tray").last().find(".red-ui-tray-content")[0];
        return content ? content.scrollHeight - content.clientHeight : 0;
    });
    if (overflow > 0) {
        await page.setViewportSize({ width: viewport.width, height: viewport.height + overflow + 16 });
        await waitUntil(
            page,
            () => {
                const content = $(".red-ui-tray").last().find(".red-ui-tray-content")[0];
                return content.scrollHeight <= content.clientHeight + 1;
            },
            undefined,
            `the dialog did not grow for its screenshot ${file}`,
        );
    }
    try {
        await page.locator(".red-ui-tray").last().screenshot({ path: file });
    } finally {
        if (overflow > 0) await page.setViewportSize(viewport);
    }
}

/** The typedInput of field `name` in the node's dialog. */
function typedInput(page, name) {
    return page.locator(`#node-input-${name} + .red-ui-typedInput-container`);
}

/** Chooses a typedInput's type through its type menu, as a user does. */
async function chooseType(page, name, valueType, what) {
    const current = await page.locator(`#node-input-${name}Type`).inputValue();
    if (current === valueType) return;
    const container = typedInput(page, name);
    await container.locator("button.red-ui-typedInput-type-select").click();
    const menu = await visible(page.locator(".red-ui-typedInput-options:visible"), `${what}: the type menu of ${name} did not open`);
    const item = menu.locator(`a[value="${valueType}"]`);
    if ((await item.count()) === 0) {
        const offered = await menu.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("value")));
        throw new Error(`${what}: the type menu of ${name} offers [${offered.join(", ")}], not "${valueType}"`);
    }
    await item.click();
    await waitUntil(
        page,
        ({ n, t }) => $(`#node-input-${n}Type`).val() === t && $(".red-ui-typedInput-options:visible").length === 0,
        { n: name, t: valueType },
        `${what}: choosing the type "${valueType}" for ${name} did not take`,
    );
}

/** Clears the text of a typedInput and types `text` key by key. */
async function typeInto(page, name, text, what) {
    const input = typedInput(page, name).locator("input.red-ui-typedInput-input");
    await visible(input, `${what}: ${name} has no text input to type into`);
    await input.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    if (text !== "") await input.pressSequentially(text);
    // leave the field as a user does, clicking its label: that also closes the completion list of msg./env
    await page.locator(`label[for="node-input-${name}"]`).click();
    await waitUntil(page, () => $(".red-ui-autoComplete-container:visible").length === 0, undefined, `${what}: the completion list of ${name} stays open`);
    await waitUntil(
        page,
        ({ n, v }) => $(`#node-input-${n}`).val() === v,
        { n: name, v: text },
        `${what}: typing "${text}" into ${name} did not set its value`,
    );
}

/** Clicks Deploy and waits until the deploy is over: nothing left to deploy, the editor no longer shaded. */
async function deploy(page, what) {
    await page.locator("#red-ui-header-button-deploy").click();
    await waitUntil(
        page,
        () => !RED.nodes.dirty() && !$("#red-ui-header-shade").is(":visible") && !$(".red-ui-deploy-button-spinner").is(":visible"),
        undefined,
        `${what}: the deploy did not finish (RED.nodes.dirty() stays true or the editor stays shaded)`,
        20_000,
    );
}

/** Picks a value from a typedInput's option dropdown ("option" type). */
async function chooseOption(page, name, value, what) {
    await chooseType(page, name, "option", what);
    await typedInput(page, name).locator("button.red-ui-typedInput-option-trigger").click();
    const menu = await visible(page.locator(".red-ui-typedInput-options:visible"), `${what}: the option menu of ${name} did not open`);
    const item = menu.locator(`a[value="${value}"]`);
    if ((await item.count()) === 0) {
        const offered = await menu.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("value")));
        throw new Error(`${what}: the option menu of ${name} offers [${offered.join(", ")}], not "${value}"`);
    }
    await item.click();
    await waitUntil(
        page,
        ({ n, v }) => $(`#node-input-${n}`).val() === v && $(".red-ui-typedInput-options:visible").length === 0,
        { n: name, v: value },
        `${what}: choosing "${value}" in ${name} did not take`,
    );
}

/** Sets a field as a user does: its type from the menu, then the value typed or chosen. */
async function setField(page, name, valueType, value, what) {
    if (valueType === "option") return chooseOption(page, name, value, what);
    await chooseType(page, name, valueType, what);
    await typeInto(page, name, value, what);
}

/** Whether Node-RED marks the field invalid: the input-error class on the typedInput and its input. */
async function expectMarked(page, name, invalid, what) {
    await waitUntil(
        page,
        ({ n, bad }) => {
            const input = $(`#node-input-${n}`);
            const container = input.next(".red-ui-typedInput-container");
            return container.length === 1 && container.hasClass("input-error") === bad && input.hasClass("input-error") === bad;
        },
        { n: name, bad: invalid },
        `${what}: ${name} should ${invalid ? "be marked invalid (input-error)" : "not be marked invalid"} with the value ` +
            `"${await page.locator(`#node-input-${name}`).inputValue()}"`,
    );
}

/**
 * The en-US help of a node type as the editor gets it, {markdown, help}: its script in the help file (account,
 * webhook: markdown, which the editor renders), or what the editor makes of the catalog (operation nodes: HTML, the
 * same function, with the en-US message catalog).
 */
function englishHelp(type) {
    const locales = path.join(__dirname, "..", "..", "..", "nodes", "locales", "en-US");
    const { COLLECTION_NODE_TYPES } = require("../../../build/catalog");
    const collection = Object.keys(COLLECTION_NODE_TYPES).find((name) => COLLECTION_NODE_TYPES[name] === type);
    if (collection) {
        const catalog = JSON.parse(fs.readFileSync(path.join(locales, "twilio.json"), "utf8"));
        const t = (key, substitutions = {}) =>
            String(key.split(".").reduce((node, part) => node?.[part], catalog)).replace(/__(\w+)__/g, (match, name) => (name in substitutions ? String(substitutions[name]) : match));
        return { markdown: false, help: require("../../../build/editor/browser/operation/help-html").collectionHelpHtml(type, collection, t) };
    }
    const file = fs.readFileSync(path.join(locales, "twilio.html"), "utf8");
    const script = new RegExp(`<script type="text/(html|markdown)" data-help-name="${type}">([\\s\\S]*?)</script>`).exec(file);
    if (!script) throw new Error(`nodes/locales/en-US/twilio.html has no help for ${type}`);
    return { markdown: script[1] === "markdown", help: script[2] };
}

/** The text a node's help opens with: its first paragraph, as the browser renders it. */
function distinctiveHelpText(type) {
    const { markdown, help } = englishHelp(type);
    const entities = { "&#39;": "'", "&quot;": '"', "&lt;": "<", "&gt;": ">", "&amp;": "&", "&nbsp;": " ", "&colon;": ":" };
    const decode = (text) => text.replace(/<[^>]+>/g, "").replace(/&#39;|&quot;|&lt;|&gt;|&amp;|&nbsp;|&colon;/g, (entity) => entities[entity]);
    let text;
    if (markdown) {
        // the first block, up to a blank line, when it is a paragraph; code spans as written, emphasis marks, links
        // and inline HTML tags dropped
        const match = /^\s*([^\s#:<>*+-][\s\S]*?)(?:\n[ \t]*\n|$)/.exec(help);
        if (!match) throw new Error(`the help of ${type} does not open with a paragraph`);
        text = match[1]
            .split(/(`[^`]*`)/)
            .map((part, index) => (index % 2 ? part.slice(1, -1) : decode(part.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\*\*?/g, ""))))
            .join("");
    } else {
        const match = /<p>([\s\S]*?)<\/p>/.exec(help);
        if (!match) throw new Error(`the help of ${type} has no <p> paragraph`);
        text = decode(match[1]);
    }
    return text.replace(/\s+/g, " ").trim();
}

/** Waits until the sidebar shows the help tab with `text` in it. */
async function expectHelpShown(page, text, what) {
    await waitUntil(
        page,
        (wanted) => {
            const sidebar = document.getElementById("red-ui-sidebar");
            return !!sidebar && sidebar.innerText.replace(/\s+/g, " ").includes(wanted);
        },
        text,
        `${what}: the help sidebar does not show "${text}"`,
    );
}

/** In the page: the package's nodes and config nodes the editor holds. */
function countPackageNodes() {
    let count = 0;
    const ours = (node) => { if (/^twilio-/.test(node.type)) count++; };
    RED.nodes.eachNode(ours);
    RED.nodes.eachConfig(ours);
    return count;
}

/**
 * Imports a flow as a user does: Menu > Import, the JSON pasted into the dialog, "new flow", Import. Resolves
 * once the editor holds `expected` nodes of the package more than before.
 */
async function importThroughDialog(page, json, expected, what) {
    const before = await page.evaluate(countPackageNodes);
    await page.evaluate(() => RED.actions.invoke("core:show-import-dialog"));
    const text = page.locator("#red-ui-clipboard-dialog-import-text");
    await visible(text, `${what}: the import dialog did not open`);
    await text.fill(json);
    // the dialog checks the JSON on keyup before it enables Import
    await text.press("End");
    await page.locator("#red-ui-clipboard-dialog-import-opt-new").click();
    await page.locator("#red-ui-clipboard-dialog-ok").click();
    await waitUntil(
        page,
        `(${countPackageNodes})() === ${before + expected}`,
        undefined,
        `${what}: the editor does not hold the ${expected} imported nodes of the package`,
    );
}

/** Every node and config node the editor shows as invalid, with the properties it finds invalid. */
function invalidNodes(page) {
    return page.evaluate(() => {
        const invalid = [];
        const check = (node) => {
            if (node.valid === false) invalid.push({ id: node.id, type: node.type, name: node.name, properties: node.validationErrors || [] });
        };
        RED.nodes.eachNode(check);
        RED.nodes.eachConfig(check);
        return invalid;
    });
}

module.exports = {
    importThroughDialog,
    invalidNodes,
    stableBox,
    waitUntil,
    visible,
    waitForEditor,
    dragFromPalette,
    trayReady,
    openEditor,
    cancelAllTrays,
    closeTray,
    screenshotTray,
    typedInput,
    chooseType,
    typeInto,
    chooseOption,
    deploy,
    setField,
    expectMarked,
    distinctiveHelpText,
    expectHelpShown,
};
