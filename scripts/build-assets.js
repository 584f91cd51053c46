#!/usr/bin/env node
/**
 * Second half of `npm run build`, after tsc: puts beside the compiled nodes what Node-RED only looks for
 * there - the editor HTML, the message catalogs, the help and the icons - generating what derives from the
 * operation catalog, so the editor and the help cannot drift from what the runtime validates.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "nodes");
const { ACCOUNT_NODE_TYPE, GROUP_NODE_TYPES, WEBHOOK_NODE_TYPE } = require("../nodes/catalog");
const { LOOPBACK_HOSTS } = require("../nodes/runtime/twilio-client");
const { ACCOUNT_DEFAULTS } = require("../nodes/runtime/account");
const { OUTBOX_DEFAULTS } = require("../nodes/runtime/outbox/outbox");
const { WEBHOOK_PATH_PATTERN } = require("../nodes/webhook/public-url");
const { REPLY_TIMEOUT } = require("../nodes/webhook/webhook-node");
const { groupEditorHtml } = require("../nodes/editor/editor-html");
const { catalogMessages } = require("../nodes/editor/editor-model");
const { groupHelpHtml } = require("../nodes/editor/help-html");

const FALLBACK_LANGUAGE = "en-US";

function write(file, text) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

function lookup(catalog, key) {
    return key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), catalog);
}

/** RED._ as the build needs it: the language's text, else en-US; a key missing from both fails the build. */
function translator(catalog, fallback) {
    return (key, substitutions = {}) => {
        const text = lookup(catalog, key) ?? lookup(fallback, key);
        if (typeof text !== "string") throw new Error(`message catalog has no text for ${key}`);
        return text.replace(/__(\w+)__/g, (match, name) => (name in substitutions ? String(substitutions[name]) : match));
    };
}

// editor HTML
const browserScript = fs.readFileSync(path.join(root, "src/editor/browser/group-editor.js"), "utf8");
for (const [group, type] of Object.entries(GROUP_NODE_TYPES)) {
    write(path.join(out, `${type}.html`), groupEditorHtml(type, group, browserScript));
}
const accountHtml = fs
    .readFileSync(path.join(root, `src/editor/${ACCOUNT_NODE_TYPE}.html`), "utf8")
    .replace("@LOOPBACK_HOSTS@", String(LOOPBACK_HOSTS))
    .replace("@ACCOUNT_DEFAULTS@", JSON.stringify(ACCOUNT_DEFAULTS))
    .replace("@OUTBOX_DEFAULTS@", JSON.stringify(OUTBOX_DEFAULTS));
write(path.join(out, `${ACCOUNT_NODE_TYPE}.html`), accountHtml);
const webhookHtml = fs
    .readFileSync(path.join(root, `src/editor/${WEBHOOK_NODE_TYPE}.html`), "utf8")
    .replace("@PATH_PATTERN@", String(WEBHOOK_PATH_PATTERN))
    .replace("@REPLY_TIMEOUT@", JSON.stringify(REPLY_TIMEOUT));
write(path.join(out, `${WEBHOOK_NODE_TYPE}.html`), webhookHtml);

// message catalogs and help: Node-RED reads <dir of the .js>/locales/<lang>/<basename>.json and .html.
// en-US takes the operations' summaries and parameter help from the catalog, their one source; the other
// languages translate the same keys in their own twilio.json.
const localesDir = path.join(root, "locales");
function readCatalog(language) {
    const catalog = JSON.parse(fs.readFileSync(path.join(localesDir, language, "twilio.json"), "utf8"));
    if (language === FALLBACK_LANGUAGE) Object.assign(catalog.twilio, catalogMessages());
    return catalog;
}
const fallback = readCatalog(FALLBACK_LANGUAGE);
for (const language of fs.readdirSync(localesDir)) {
    const catalog = readCatalog(language);
    const t = translator(catalog, fallback);
    const target = path.join(out, "locales", language);
    for (const type of [ACCOUNT_NODE_TYPE, WEBHOOK_NODE_TYPE, ...Object.values(GROUP_NODE_TYPES)]) {
        write(path.join(target, `${type}.json`), JSON.stringify(catalog, null, 4));
    }
    for (const [group, type] of Object.entries(GROUP_NODE_TYPES)) {
        write(path.join(target, `${type}.html`), groupHelpHtml(type, group, t));
    }
    // the account's and the webhook's help are written by hand, per language
    for (const type of [ACCOUNT_NODE_TYPE, WEBHOOK_NODE_TYPE]) {
        fs.copyFileSync(path.join(localesDir, language, `${type}.html`), path.join(target, `${type}.html`));
    }
}

// icons
fs.cpSync(path.join(root, "icons"), path.join(out, "icons"), { recursive: true });
