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
const { NODE_COLOR, PALETTE_CATEGORY } = require("../nodes/catalog/node-types");
const esbuild = require("esbuild");
const { knownCountries } = require("../nodes/rules/phone-numbers");
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

/**
 * Editor TypeScript bundled for the browser (esbuild) as an IIFE that defines `globalName`, for inlining into
 * editor HTML: the dialogs run the runtime's own code, and need no route and nothing from node_modules.
 */
function browserBundle(entry, globalName, options = {}) {
    return esbuild.buildSync({
        entryPoints: [path.join(root, "src/editor/browser", entry)],
        bundle: true,
        format: "iife",
        globalName,
        platform: "browser",
        target: "es2019",
        write: false,
        ...options,
    }).outputFiles[0].text.trim();
}

// editor HTML. shared.ts (migrations, the account's rules) goes into every node's script, inside its function
// scope, as `twilioShared`; segments.ts (with Twilio's segment calculator) only into the messages node's, as
// the global GatewireTwilio.
const sharedScript = browserBundle("shared.ts", "twilioShared") + "\n";
const browserScript = sharedScript + fs.readFileSync(path.join(root, "src/editor/browser/group-editor.js"), "utf8");
const bundle = browserBundle("segments.ts", "GatewireTwilio", {
    minify: true,
    legalComments: "none",
    banner: { js: "/* @gatewire/node-red-twilio editor code; includes sms-segments-calculator (MIT, Twilio) and grapheme-splitter (MIT, Orlin Georgiev) */" },
});
for (const [group, type] of Object.entries(GROUP_NODE_TYPES)) {
    write(path.join(out, `${type}.html`), groupEditorHtml(type, group, browserScript, bundle));
}
const accountHtml = fs
    .readFileSync(path.join(root, `src/editor/${ACCOUNT_NODE_TYPE}.html`), "utf8")
    .replace("@SHARED_SCRIPT@", () => sharedScript)
    .replace("@COUNTRIES@", JSON.stringify(knownCountries()));
write(path.join(out, `${ACCOUNT_NODE_TYPE}.html`), accountHtml);
const webhookHtml = fs
    .readFileSync(path.join(root, `src/editor/${WEBHOOK_NODE_TYPE}.html`), "utf8")
    .replace("@SHARED_SCRIPT@", () => sharedScript)
    .replace("@PALETTE_CATEGORY@", PALETTE_CATEGORY)
    .replace("@NODE_COLOR@", NODE_COLOR);
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
