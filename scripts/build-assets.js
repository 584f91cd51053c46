#!/usr/bin/env node
/**
 * Second half of `npm run build`, after tsc has type-checked src/ and compiled it to build/ (the modules the tests,
 * the stand-in and this script use): writes nodes/, which is the published node set and nothing else - the runtime
 * (nodes/twilio.js, one bundle of src/twilio.ts) and beside it what Node-RED only looks for there: the editor HTML,
 * the message catalogs, the help and the icons. What derives from the operation catalog is made from it (in the
 * browser, by the bundled editor code), so the editor and the help cannot drift from what the runtime validates.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "nodes");
const { ACCOUNT_NODE_TYPE, GROUP_NODE_TYPES, WEBHOOK_NODE_TYPE } = require("../build/catalog");
const { NODE_COLOR, NODE_SET, PALETTE_CATEGORY } = require("../build/catalog/node-types");
const esbuild = require("esbuild");
const { knownCountries } = require("../build/rules/phone-numbers");
const { groupRegistrations } = require("../build/editor/operation-registrations");

function write(file, text) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

/**
 * The editor's TypeScript (src/editor/browser/editor.ts: the runtime's own rules; the SMS counter asks the runtime)
 * bundled by esbuild as one IIFE that defines the global GatewireTwilio, for inlining: the dialogs run the
 * runtime's code, and need nothing from node_modules.
 */
function browserBundle() {
    const code = esbuild.buildSync({
        entryPoints: [path.join(root, "src/editor/browser/editor.ts")],
        bundle: true,
        format: "iife",
        globalName: "GatewireTwilio",
        platform: "browser",
        target: "es2019",
        minify: true,
        legalComments: "none",
        banner: { js: "/* @gatewire/node-red-twilio editor code, built from src/editor/browser/editor.ts */" },
        write: false,
    }).outputFiles[0].text.trim();
    if (/<\/script/i.test(code)) throw new Error("the browser bundle contains </script and cannot be inlined");
    return code;
}

/**
 * The runtime: src/twilio.ts and everything it imports, bundled by esbuild into the one file package.json names,
 * minified (the readable source is src/, on GitHub and in the repository); names are kept, so that a stack trace
 * in a user's log still says which function failed. Dependencies stay require()s of node_modules.
 */
function runtimeBundle() {
    esbuild.buildSync({
        entryPoints: [path.join(root, "src/twilio.ts")],
        outfile: path.join(out, `${NODE_SET}.js`),
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        packages: "external",
        minify: true,
        keepNames: true,
        legalComments: "none",
        banner: { js: "/* @gatewire/node-red-twilio: built from src/ (TypeScript) by scripts/build-assets.js */" },
        logLevel: "warning",
    });
}

/**
 * The editor scripts of twilio.html minified, and the dialogs' templates without their indentation: the whole
 * file is sent to every editor that loads Node-RED, whether or not its flows use Twilio. Each script stays a
 * registerType call with its literal type and properties, which the Flow Library scorecard parses.
 */
function compactEditorHtml(html) {
    return html
        .replace(/(<script type="text\/javascript">)([\s\S]*?)(<\/script>)/g, (_, open, code, close) =>
            `${open}${esbuild.transformSync(code, { minify: true, target: "es2019", legalComments: "none" }).code.trim()}${close}`)
        .replace(/(<script type="text\/html"[^>]*>)([\s\S]*?)(<\/script>)/g, (_, open, template, close) =>
            `${open}${template.replace(/^[ \t]+/gm, "")}${close}`);
}

runtimeBundle();

// the editor: one file for the five node types. The bundle goes first, in a plain <script> (no type): it
// registers no node type, so the Flow Library scorecard, which reads types from text/javascript blocks, leaves
// it alone; every node's script below calls it twilioShared.
const accountHtml = fs
    .readFileSync(path.join(root, `src/editor/${ACCOUNT_NODE_TYPE}.html`), "utf8")
    .replace("@COUNTRIES@", JSON.stringify(knownCountries()));
const webhookHtml = fs
    .readFileSync(path.join(root, `src/editor/${WEBHOOK_NODE_TYPE}.html`), "utf8")
    .replace("@PALETTE_CATEGORY@", PALETTE_CATEGORY)
    .replace("@NODE_COLOR@", NODE_COLOR);
const groupEditorScript = fs.readFileSync(path.join(root, "src/editor/browser/group-editor.js"), "utf8");
write(
    path.join(out, `${NODE_SET}.html`),
    compactEditorHtml(
        [
            `<script>\n${browserBundle()}\n</script>\n`,
            accountHtml,
            groupRegistrations(groupEditorScript),
            webhookHtml,
        ].join("\n"),
    ),
);

// message catalog and help, one of each per language: Node-RED reads <dir of the .js>/locales/<lang>/
// <basename>.json and .html. Each language's twilio.json is complete on its own, the operations' summaries and
// parameter help included (en-US as well). The help files hold the account's and the webhook's help, written by
// hand per language; the editor makes the operation nodes' help from the catalog and the message catalog.
const localesDir = path.join(root, "locales");
for (const language of fs.readdirSync(localesDir)) {
    const catalog = JSON.parse(fs.readFileSync(path.join(localesDir, language, "twilio.json"), "utf8"));
    const target = path.join(out, "locales", language);
    write(path.join(target, `${NODE_SET}.json`), JSON.stringify(catalog));
    const handWritten = [ACCOUNT_NODE_TYPE, WEBHOOK_NODE_TYPE].map((type) => fs.readFileSync(path.join(localesDir, language, `${type}.html`), "utf8"));
    write(path.join(target, `${NODE_SET}.html`), handWritten.join("\n"));
}

// icons
fs.cpSync(path.join(root, "icons"), path.join(out, "icons"), { recursive: true });
