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
const { ACCOUNT_NODE_TYPE, ALERT_NODE_TYPE, COLLECTION_NODE_TYPES, WEBHOOK_NODE_TYPE } = require("../build/catalog");
const { NODE_COLOR, NODE_SET, PALETTE_CATEGORY } = require("../build/catalog/node-types");
const esbuild = require("esbuild");

function write(file, text) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

/**
 * src/editor/browser/account/countries.ts as its value: the list of countries, computed here (tsc compiled the
 * module to build/), so that libphonenumber's metadata, which computes it, stays out of the editor.
 */
const COUNTRIES_MODULE = path.join(root, "src/editor/browser/account/countries.ts");
const countriesAsTheirList = {
    name: "countries-as-their-list",
    setup(build) {
        build.onLoad({ filter: /[\\/]countries\.ts$/ }, (args) => {
            if (path.resolve(args.path) !== COUNTRIES_MODULE) return undefined;
            const { COUNTRIES } = require("../build/editor/browser/account/countries");
            return { contents: `export const COUNTRIES = ${JSON.stringify(COUNTRIES)};`, loader: "js" };
        });
    },
};

/**
 * The editor's code, all TypeScript under src/editor/browser/ (type-checked by tsconfig.browser.json): editor.ts
 * and everything it imports, the runtime's own rules among them, bundled by esbuild as one IIFE that defines the
 * global GatewireTwilio, for inlining; the SMS counter asks the runtime. It needs nothing from node_modules.
 */
async function browserBundle() {
    const result = await esbuild.build({
        entryPoints: [path.join(root, "src/editor/browser/editor.ts")],
        bundle: true,
        format: "iife",
        globalName: "GatewireTwilio",
        platform: "browser",
        target: "es2019",
        minify: true,
        legalComments: "none",
        banner: { js: "/* @gatewire/node-red-twilio editor code, built from src/editor/browser/ */" },
        plugins: [countriesAsTheirList],
        metafile: true,
        write: false,
    });
    // what the bundle holds of each file (esbuild leaves out what the code does not use)
    const [output] = Object.values(result.metafile.outputs);
    const bundled = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => path.resolve(root, file));
    if (!bundled.includes(COUNTRIES_MODULE)) throw new Error(`the editor bundle does not hold ${path.relative(root, COUNTRIES_MODULE)}`);
    if (bundled.some((file) => file.includes(`${path.sep}libphonenumber-js${path.sep}`))) throw new Error("the editor bundle holds libphonenumber-js");
    const code = result.outputFiles[0].text.trim();
    if (/<\/script/i.test(code)) throw new Error("the browser bundle contains </script and cannot be inlined");
    return code;
}

/**
 * The runtime: src/twilio.ts and everything it imports, bundled by esbuild into the one file package.json names,
 * minified (the readable source is src/, on GitHub and in the repository). Methods keep their names (a stack
 * trace in a user's log still says which failed); esbuild's keepNames is off: it renames every closure made
 * per message with a defineProperty call, 5 % of the node's CPU at concurrency 10 (bench/results.md).
 * TWILIO_BUILD_READABLE=1 builds it unminified, for a CPU profile. Dependencies stay require()s of node_modules.
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
        minify: !process.env.TWILIO_BUILD_READABLE,
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

/**
 * The registerType calls of src/editor/*.html, as the Flow Library scorecard reads them (literal values): the
 * types the catalog names, each once, with the catalog's palette category (the account's: config), colour and
 * the node's own icon. Throws what differs.
 */
function checkRegistrations(html) {
    const expected = { [ACCOUNT_NODE_TYPE]: { category: "config" } };
    for (const type of [...Object.values(COLLECTION_NODE_TYPES), WEBHOOK_NODE_TYPE, ALERT_NODE_TYPE]) {
        expected[type] = { category: PALETTE_CATEGORY, color: NODE_COLOR, icon: `${type}.svg` };
    }
    const problems = [];
    const registered = [...html.matchAll(/RED\.nodes\.registerType\("([^"]*)", \{([\s\S]*?)\}\);/g)];
    for (const [, type, body] of registered) {
        if (!expected[type]) problems.push(`${type} is registered, but is no node type of the catalog (or is registered twice)`);
        const lines = body.split("\n").map((line) => line.trim());
        for (const [property, value] of Object.entries(expected[type] ?? {})) {
            if (!lines.includes(`${property}: ${JSON.stringify(value)},`)) problems.push(`${type}: ${property} is not ${JSON.stringify(value)}`);
        }
        delete expected[type];
    }
    for (const type of Object.keys(expected)) problems.push(`${type} is not registered`);
    if (problems.length) throw new Error(`src/editor/*.html: ${problems.join("; ")}`);
}

/** The node types' HTML, as Node-RED and the Flow Library scorecard read it, in the order they register. */
function editorSources() {
    return [`${ACCOUNT_NODE_TYPE}.html`, "operation-nodes.html", `${WEBHOOK_NODE_TYPE}.html`, `${ALERT_NODE_TYPE}.html`].map((file) =>
        fs.readFileSync(path.join(root, "src/editor", file), "utf8").replace(/<!--[\s\S]*?-->\n?/g, ""),
    );
}

async function main() {
    runtimeBundle();

    // the editor: one file for the six node types. The bundle goes first, in a plain <script> (no type): it
    // registers no node type, so the Flow Library scorecard, which reads types from text/javascript blocks, leaves
    // it alone; the registerType calls below pass what it defines (GatewireTwilio).
    const sources = editorSources();
    checkRegistrations(sources.join("\n"));
    write(path.join(out, `${NODE_SET}.html`), compactEditorHtml([`<script>\n${await browserBundle()}\n</script>\n`, ...sources].join("\n")));

    // message catalog and help, one of each per language: Node-RED reads <dir of the .js>/locales/<lang>/
    // <basename>.json and .html. Each language's twilio.json is complete on its own, the operations' summaries and
    // parameter help included (en-US as well). The help files hold the account's, the webhook's and the alert's help, written by
    // hand per language; the editor makes the operation nodes' help from the catalog and the message catalog.
    const localesDir = path.join(root, "locales");
    for (const language of fs.readdirSync(localesDir)) {
        const catalog = JSON.parse(fs.readFileSync(path.join(localesDir, language, "twilio.json"), "utf8"));
        const target = path.join(out, "locales", language);
        write(path.join(target, `${NODE_SET}.json`), JSON.stringify(catalog));
        const handWritten = [ACCOUNT_NODE_TYPE, WEBHOOK_NODE_TYPE, ALERT_NODE_TYPE].map((type) => fs.readFileSync(path.join(localesDir, language, `${type}.html`), "utf8"));
        write(path.join(target, `${NODE_SET}.html`), handWritten.join("\n"));
    }

    // icons
    fs.cpSync(path.join(root, "icons"), path.join(out, "icons"), { recursive: true });
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
