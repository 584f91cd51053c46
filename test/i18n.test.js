/**
 * Translations: the runtime's i18n (@node-red/util, the one test/support/runtime.js uses) serves the message
 * catalog of the package's node set (one per language, for the six node types) in de, ja and zh-CN with every
 * key of the en-US catalog translated, and the sidebar help of each node type is there and in that language: the
 * account's and the webhook's from the language's help file, the operation nodes' as the editor makes it from the
 * catalog (the same code, with the same catalog lookups). The en-US catalog itself has a summary for every
 * operation of the catalog and a help text for every parameter, and none for what the catalog does not have.
 *
 * A key a language lacks is served in English (Node-RED fills catalogs from en-US), so "missing" shows up here as
 * "served in English"; the language's built file is read as well, to say which of the two it is.
 */
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { ACCOUNT_NODE_TYPE, ALERT_NODE_TYPE, COLLECTION_NODE_TYPES, OPERATIONS, WEBHOOK_NODE_TYPE } = require("../build/catalog");
const { CATALOG_NAMESPACE, NODE_SET } = require("../build/catalog/node-types");
const { collectionHelpHtml } = require("../build/editor/browser/operation/help-html");

// the Node-RED under test, as test/support/runtime.js chooses it (NODE_RED_RUNTIME, set by test:compat)
const RUNTIME_DIR = process.env.NODE_RED_RUNTIME
    ? path.resolve(process.env.NODE_RED_RUNTIME)
    : path.dirname(require.resolve("node-red/package.json"));
const { i18n } = require(require.resolve("@node-red/util", { paths: [RUNTIME_DIR] }));

const LOCALES_DIR = path.join(__dirname, "..", "nodes", "locales");
const ENGLISH = "en-US";
const LANGUAGES = ["de", "ja", "zh-CN"];
const OPERATION_NODE_TYPES = Object.values(COLLECTION_NODE_TYPES);
const NODE_TYPES = [ACCOUNT_NODE_TYPE, ...OPERATION_NODE_TYPES, WEBHOOK_NODE_TYPE, ALERT_NODE_TYPE];
const COLLECTION_OF_TYPE = Object.fromEntries(Object.entries(COLLECTION_NODE_TYPES).map(([collection, type]) => [type, collection]));
const ALL = LANGUAGES;

/**
 * Keys whose text may equal the English one, and in which languages. Everything else must differ from en-US
 * (compared trimmed and case-insensitively), so that a text left in English is reported.
 */
const SAME_AS_ENGLISH = {
    // the default API base URL itself, shown as the placeholder of the field
    "twilio.placeholder.apiBaseUrl": ALL,
    // "SK… (optional)": the key's prefix and a word German shares with English
    "twilio.placeholder.apiKeySid": ["de"],
    // only placeholders and a colon ("__operations__: __shape__"); zh-CN happens to use a full-width colon
    "twilio.help.resultOf": ALL,
    // palette names of the flow nodes (twilio-calls -> calls, twilio-webhook -> webhook ...), kept in English in every language as
    // Node-RED's own catalogs keep the palette names of its nodes (inject, debug, ja "filter", "write file"), so
    // that the palette, the flow library and forum posts name the same nodes; the config node's label is
    // translated, as it is read as a label in the editor ("Twilio account" when the account has no name)
    "twilio.paletteLabel.twilio-calls": ALL,
    "twilio.paletteLabel.twilio-messages": ALL,
    "twilio.paletteLabel.twilio-media": ALL,
    "twilio.paletteLabel.twilio-webhook": ALL,
    "twilio.paletteLabel.twilio-alert": ALL,
    // the alert dialog's label of its webhook node: the node's palette name, kept in English as above
    "twilio.alert.label.webhook": ALL,
    // "SMS" is the word in German and Japanese too; "Name" the German word (as twilio.label.name)
    "twilio.alert.label.sms": ["de", "ja"],
    "twilio.alert.label.contactName": ["de"],
    // a path and a host name shown as examples in empty fields of the webhook dialog
    "twilio.webhook.placeholder.path": ALL,
    "twilio.webhook.placeholder.publicBaseUrl": ALL,
    // only placeholders: the event name and the Sid in the webhook's status
    "twilio.webhook.status.event": ALL,
    // the same word in German (Node-RED's de catalog: common.label.name "Name", help titles "Details")
    "twilio.label.name": ["de"],
    "twilio.label.operation": ["de"],
    "twilio.help.details": ["de"],
    // German uses the same words for the account's region and proxy settings (Twilio's own de pages: "Region")
    "twilio.where.label.region": ["de"],
    "twilio.where.label.proxy": ["de"],
    // punctuation: German writes lists and sentence ends as English does (ja and zh-CN use 、；。)
    "twilio.expected.separator": ["de"],
    "twilio.help.separator": ["de"],
    "twilio.help.notes": ["de"],
};

const namespaceOf = (prefix) => `${prefix}/${NODE_SET}`;

/** Leaf entries of a catalog as [dotted key, value], in the catalog's order. */
function flatten(catalog, prefix = "") {
    return Object.entries(catalog).flatMap(([key, value]) => {
        const dotted = prefix ? `${prefix}.${key}` : key;
        return value !== null && typeof value === "object" ? flatten(value, dotted) : [[dotted, value]];
    });
}

/** The value at a dotted key, or undefined. */
function lookup(catalog, key) {
    return key.split(".").reduce((node, part) => (node !== null && typeof node === "object" ? node[part] : undefined), catalog);
}

const placeholders = (text) => new Set(text.match(/__\w+?__/g) ?? []);
const normalized = (text) => text.trim().toLowerCase();

/** Registers the catalogs of a locales directory under a namespace prefix of this test's own. */
let initialised;
async function register(prefix, dir) {
    // i18n.init runs once per process: same settings as test/support/runtime.js, whichever comes first
    initialised ??= i18n.init({ lang: ENGLISH });
    await i18n.registerMessageCatalog(namespaceOf(prefix), dir, `${NODE_SET}.json`);
}

/**
 * The catalog the runtime serves for a namespace in a language, loaded as the editor API does for
 * GET /locales/<namespace>?lng=<lang>: switch to the language (loads it from disk, filled from en-US), switch back.
 */
async function served(namespace, lang) {
    const previous = i18n.i.language;
    await i18n.i.changeLanguage(lang);
    await i18n.i.changeLanguage(previous);
    return i18n.catalog(namespace, lang);
}

/**
 * What is wrong with one language's catalog, one line per problem, each naming the language and the key.
 * `english` and `translated` are what the runtime serves; `shipped` is the language's built file (or null when
 * there is none).
 */
function catalogProblems({ lang, english, translated, shipped }) {
    const where = lang;
    const problems = [];
    if (!shipped) problems.push(`${where}: no file nodes/locales/${lang}/${NODE_SET}.json`);
    if (!english) return [...problems, `${ENGLISH}: the runtime serves no catalog`];
    if (!translated) return [...problems, `${where}: the runtime serves no catalog`];
    const englishEntries = new Map(flatten(english));
    const translatedEntries = new Map(flatten(translated));

    for (const [key, englishText] of englishEntries) {
        const text = lookup(translated, key);
        if (shipped && lookup(shipped, key) === undefined) {
            problems.push(`${where}: ${key} is missing from locales/${lang}/twilio.json (the runtime serves the English text)`);
            continue;
        }
        if (typeof text !== "string" || text.trim() === "") {
            problems.push(`${where}: ${key} is not a non-empty string (${JSON.stringify(text)})`);
            continue;
        }
        const wanted = placeholders(englishText);
        const found = placeholders(text);
        for (const name of wanted) if (!found.has(name)) problems.push(`${where}: ${key} lacks the placeholder ${name}`);
        for (const name of found) if (!wanted.has(name)) problems.push(`${where}: ${key} has the placeholder ${name}, which en-US does not`);
        if (normalized(text) === normalized(englishText) && !(SAME_AS_ENGLISH[key] ?? []).includes(lang)) {
            problems.push(`${where}: ${key} is not translated (${JSON.stringify(text)})`);
        }
    }
    for (const key of translatedEntries.keys()) {
        if (!englishEntries.has(key)) problems.push(`${where}: ${key} is not in en-US (stale key)`);
    }
    return problems;
}

/**
 * What is wrong with one language's help of one node type: missing, a copy of the English one, or (operation
 * nodes) section titles not in the language's text.
 */
function helpProblems({ lang, type, html, englishHtml, texts, englishTexts }) {
    const where = `${lang} ${type}`;
    if (html === null) return [`${where}: no help in nodes/locales/${lang}/${NODE_SET}.html`];
    const problems = [];
    if (englishHtml !== null && html.trim() === englishHtml.trim()) problems.push(`${where}: is the English help`);
    if (OPERATION_NODE_TYPES.includes(type)) {
        for (const section of ["inputs", "outputs"]) {
            const title = texts.help?.[section];
            const englishTitle = englishTexts.help[section];
            if (!html.includes(`<h3>${title}</h3>`)) {
                problems.push(`${where}: lacks the section title twilio.help.${section} ${JSON.stringify(title)}`);
            }
            if (html.includes(`<h3>${englishTitle}</h3>`)) {
                problems.push(`${where}: has the English section title ${JSON.stringify(englishTitle)} (twilio.help.${section})`);
            }
        }
    }
    return problems;
}

/**
 * What is wrong with the operations' texts of one catalog (its `twilio` object) against the operation catalog:
 * twilio.summaries.<operation> and twilio.params.<operation>.<parameter> missing or not a non-empty string, or
 * there for an operation or a parameter the catalog does not have.
 */
function operationTextProblems(lang, texts) {
    const problems = [];
    const summaries = texts.summaries ?? {};
    const params = texts.params ?? {};
    const isText = (value) => typeof value === "string" && value.trim() !== "";
    for (const op of Object.values(OPERATIONS)) {
        const summary = `twilio.summaries.${op.name}`;
        if (!isText(summaries[op.name])) problems.push(`${lang}: ${summary} is not a non-empty string (${JSON.stringify(summaries[op.name])})`);
        const names = op.params.map((spec) => spec.name);
        const help = params[op.name] ?? {};
        for (const name of names) {
            if (!isText(help[name])) problems.push(`${lang}: twilio.params.${op.name}.${name} is not a non-empty string (${JSON.stringify(help[name])})`);
        }
        for (const name of Object.keys(help)) {
            if (!names.includes(name)) problems.push(`${lang}: twilio.params.${op.name}.${name} is not a parameter of ${op.name}`);
        }
    }
    for (const [section, entries] of [["summaries", summaries], ["params", params]]) {
        for (const name of Object.keys(entries)) {
            if (!Object.hasOwn(OPERATIONS, name)) problems.push(`${lang}: twilio.${section}.${name} is not an operation of the catalog`);
        }
    }
    return problems;
}

function assertNone(problems) {
    if (problems.length) assert.fail(`${problems.length} problem(s):\n    ${problems.join("\n    ")}`);
}

function readJson(file) {
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null;
}

function readText(file) {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
}

/** Problems of the catalog in one language, under a registered prefix and its directory. */
async function languageProblems(prefix, dir, lang) {
    return catalogProblems({
        lang,
        english: await served(namespaceOf(prefix), ENGLISH),
        translated: await served(namespaceOf(prefix), lang),
        shipped: readJson(path.join(dir, lang, `${NODE_SET}.json`)),
    });
}

/**
 * The help the editor shows for `type` in `lang`: for the account and the webhook, their script in the language's
 * help file (markdown, as written); for an operation node, what the editor makes of the catalog with RED._ in that
 * language (the runtime's i18n stands in for the editor's: both are i18next on the same catalog, filled from en-US).
 */
async function helpOf(prefix, dir, lang, type) {
    const collection = COLLECTION_OF_TYPE[type];
    if (collection) {
        await served(namespaceOf(prefix), lang);
        return collectionHelpHtml(type, collection, i18n.i.getFixedT(lang, namespaceOf(prefix)));
    }
    const file = readText(path.join(dir, lang, `${NODE_SET}.html`));
    const script = file?.match(new RegExp(`<script type="text/(?:html|markdown)" data-help-name="${type}">([\\s\\S]*?)</script>`));
    return script ? script[1] : null;
}

async function languageHelpProblems(prefix, dir, lang) {
    const problems = [];
    for (const type of NODE_TYPES) {
        problems.push(
            ...helpProblems({
                lang,
                type,
                html: await helpOf(prefix, dir, lang, type),
                englishHtml: await helpOf(prefix, dir, ENGLISH, type),
                texts: (await served(namespaceOf(prefix), lang))?.twilio ?? {},
                englishTexts: (await served(namespaceOf(prefix), ENGLISH)).twilio,
            }),
        );
    }
    return problems;
}

describe("translations (de, ja, zh-CN)", function () {
    const PREFIX = "i18n-test";

    before(async function () {
        await register(PREFIX, LOCALES_DIR);
    });

    it("the editor looks the catalog up under the name Node-RED gives the package's one node set", function () {
        const pkg = require("../package.json");
        assert.deepEqual(pkg["node-red"].nodes, { [NODE_SET]: `nodes/${NODE_SET}.js` });
        assert.equal(CATALOG_NAMESPACE, `${pkg.name}/${NODE_SET}`);
    });

    it("the keys allowed to stay English are keys of en-US", async function () {
        const english = new Set(flatten(await served(namespaceOf(PREFIX), ENGLISH)).map(([key]) => key));
        assertNone(Object.keys(SAME_AS_ENGLISH).filter((key) => !english.has(key)).map((key) => `${key} is allowlisted but not in en-US`));
    });

    for (const lang of LANGUAGES) {
        describe(lang, function () {
            it("the runtime serves the catalog with every en-US key translated, placeholders kept, no stale key", async function () {
                assertNone(await languageProblems(PREFIX, LOCALES_DIR, lang));
            });

            it("the sidebar help of each node type is there, for that node, in the language", async function () {
                assertNone(await languageHelpProblems(PREFIX, LOCALES_DIR, lang));
            });
        });
    }

    describe("the checks above report what is wrong, by language and key", function () {
        const MUTATED = "i18n-test-mutated";
        let dir;

        /** Edits a language's built catalog of the copy in place. */
        function edit(lang, change) {
            const file = path.join(dir, lang, `${NODE_SET}.json`);
            const catalog = JSON.parse(fs.readFileSync(file, "utf8"));
            change(catalog.twilio);
            fs.writeFileSync(file, JSON.stringify(catalog));
        }

        /** Edits a language's built help file of the copy in place. */
        function editHelp(lang, change) {
            const file = path.join(dir, lang, `${NODE_SET}.html`);
            fs.writeFileSync(file, change(fs.readFileSync(file, "utf8")));
        }

        before(async function () {
            // a copy of the built locales with one fault of each kind, registered under a namespace of its own
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-i18n-"));
            fs.cpSync(LOCALES_DIR, dir, { recursive: true });
            edit("de", (t) => {
                delete t.status.deleted;
                t.obsolete = "nicht mehr verwendet";
            });
            edit("ja", (t) => {
                t.status.requesting = "リクエスト中";
                t.errors.twilio = `${t.errors.twilio} __extra__`;
                t.help.inputs = "Inputs";
            });
            edit("zh-CN", (t) => {
                t.label.account = "Account";
                t.params.getMedia.MediaSid = { text: "not a string" };
            });
            const english = fs.readFileSync(path.join(dir, ENGLISH, `${NODE_SET}.html`), "utf8");
            // the webhook's help, up to the alert's, which follows it in the file
            const webhookHelp = (html) => {
                const start = html.search(new RegExp(`<script type="text/(?:html|markdown)" data-help-name="${WEBHOOK_NODE_TYPE}">`));
                return html.slice(start, html.indexOf(`data-help-name="${ALERT_NODE_TYPE}"`, start)).replace(/<script[^>]*$/, "");
            };
            editHelp("de", (html) => html.replace(`data-help-name="${ACCOUNT_NODE_TYPE}"`, `data-help-name="${COLLECTION_NODE_TYPES.calls}"`));
            editHelp("zh-CN", (html) => html.replace(webhookHelp(html), webhookHelp(english)));
            await register(MUTATED, dir);
        });

        after(function () {
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("catalogs: a missing key, a lost or foreign placeholder, English text, a non-string, a stale key", async function () {
            const problems = [];
            for (const lang of LANGUAGES) problems.push(...(await languageProblems(MUTATED, dir, lang)));
            assert.deepEqual(problems, [
                "de: twilio.status.deleted is missing from locales/de/twilio.json (the runtime serves the English text)",
                "de: twilio.obsolete is not in en-US (stale key)",
                "ja: twilio.status.requesting lacks the placeholder __n__",
                "ja: twilio.errors.twilio has the placeholder __extra__, which en-US does not",
                'ja: twilio.help.inputs is not translated ("Inputs")',
                'zh-CN: twilio.label.account is not translated ("Account")',
                'zh-CN: twilio.params.getMedia.MediaSid is not a non-empty string ({"text":"not a string"})',
                "zh-CN: twilio.params.getMedia.MediaSid.text is not in en-US (stale key)",
            ]);
        });

        it("catalogs: a language without its file", async function () {
            fs.rmSync(path.join(dir, "de", `${NODE_SET}.json`));
            const problems = await languageProblems(MUTATED, dir, "de");
            assert.deepEqual(problems.slice(0, 1), ["de: no file nodes/locales/de/twilio.json"]);
        });

        it("help: a node's help missing from the file, the English help, English section titles", async function () {
            const problems = [];
            for (const lang of LANGUAGES) problems.push(...(await languageHelpProblems(MUTATED, dir, lang)));
            assert.deepEqual(problems, [
                "de twilio-account: no help in nodes/locales/de/twilio.html",
                'ja twilio-calls: has the English section title "Inputs" (twilio.help.inputs)',
                'ja twilio-messages: has the English section title "Inputs" (twilio.help.inputs)',
                'ja twilio-media: has the English section title "Inputs" (twilio.help.inputs)',
                "zh-CN twilio-webhook: is the English help",
            ]);
        });
    });
});

describe("the operations' English texts (en-US)", function () {
    it("a summary for every operation and a help text for every parameter of the catalog, none for anything else", function () {
        const catalog = readJson(path.join(LOCALES_DIR, ENGLISH, `${NODE_SET}.json`));
        assert.ok(catalog, `no file nodes/locales/${ENGLISH}/${NODE_SET}.json`);
        assertNone(operationTextProblems(ENGLISH, catalog.twilio));
    });

    it("reports a missing or empty text and one for an operation or a parameter the catalog does not have", function () {
        // complete texts for the catalog as it is, then one fault of each kind
        const operations = Object.values(OPERATIONS);
        const texts = {
            summaries: Object.fromEntries(operations.map((op) => [op.name, `What ${op.name} does.`])),
            params: Object.fromEntries(operations.map((op) => [op.name, Object.fromEntries(op.params.map((spec) => [spec.name, `${spec.name}.`]))])),
        };
        assert.deepEqual(operationTextProblems(ENGLISH, texts), []);
        delete texts.summaries.getCall;
        texts.params.postMessage.Body = " ";
        delete texts.params.listMedia.DateCreated;
        texts.params.getMedia.Body = "The text of the message.";
        texts.summaries.sendFax = "Send a fax.";
        texts.params.sendFax = { To: "The fax number." };
        assert.deepEqual(operationTextProblems(ENGLISH, texts), [
            "en-US: twilio.summaries.getCall is not a non-empty string (undefined)",
            "en-US: twilio.params.postMessage.Body is not a non-empty string (\" \")",
            "en-US: twilio.params.getMedia.Body is not a parameter of getMedia",
            "en-US: twilio.params.listMedia.DateCreated is not a non-empty string (undefined)",
            "en-US: twilio.summaries.sendFax is not an operation of the catalog",
            "en-US: twilio.params.sendFax is not an operation of the catalog",
        ]);
    });
});
