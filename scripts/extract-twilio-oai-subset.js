#!/usr/bin/env node
/**
 * Regenerates test/fixtures/twilio-oai/twilio_api_v2010.subset.json from a full copy of Twilio's OpenAPI
 * description of the 2010-04-01 API (twilio/twilio-oai, spec/json/twilio_api_v2010.json):
 *
 *   node scripts/extract-twilio-oai-subset.js FULL_FILE [OUT_FILE]
 *   node scripts/extract-twilio-oai-subset.js FULL_FILE --check    (exit 1 if the fixture differs)
 *
 * The subset keeps what the contract suites use: the path items of Calls, Messages and Media (each with all
 * its methods), every components.schemas entry they reference (transitively), the security schemes their
 * operations name, their tags, and the document's openapi/info/servers/security. Nothing is edited: every
 * kept value is the upstream value as is, so the subset validates requests exactly as the full file does.
 * It prints the sha256 of the source and of the subset for test/fixtures/twilio-oai/PROVENANCE.md.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const DEFAULT_OUT = path.resolve(__dirname, "..", "test", "fixtures", "twilio-oai", "twilio_api_v2010.subset.json");

/** The path items the package's eleven operations (and the contract suites) use. */
const PATHS = Object.freeze([
    "/2010-04-01/Accounts/{AccountSid}/Calls.json",
    "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json",
]);

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const SCHEMA_REF = "#/components/schemas/";

/** Every "$ref" string anywhere in a value. */
function refsIn(value, found = []) {
    if (Array.isArray(value)) for (const item of value) refsIn(item, found);
    else if (value && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
            if (key === "$ref" && typeof inner === "string") found.push(inner);
            else refsIn(inner, found);
        }
    }
    return found;
}

/** The subset document of a full contract (a parsed object). Throws if something it needs is missing. */
function extractSubset(full) {
    const paths = {};
    for (const name of PATHS) {
        if (!full.paths?.[name]) throw new Error(`the contract has no path ${name}`);
        paths[name] = full.paths[name];
    }

    // schemas referenced from the kept paths, then from those schemas, until nothing new turns up
    const wanted = new Set();
    const queue = refsIn(paths);
    while (queue.length > 0) {
        const ref = queue.shift();
        if (!ref.startsWith(SCHEMA_REF)) throw new Error(`unexpected reference ${ref}: only ${SCHEMA_REF}… is handled`);
        const name = ref.slice(SCHEMA_REF.length);
        if (wanted.has(name)) continue;
        const schema = full.components?.schemas?.[name];
        if (!schema) throw new Error(`the contract references ${ref}, which it does not define`);
        wanted.add(name);
        queue.push(...refsIn(schema));
    }
    // in the source's order, so that the subset reads like the full file
    const schemas = Object.fromEntries(Object.entries(full.components.schemas).filter(([name]) => wanted.has(name)));

    const operations = Object.values(paths).flatMap((item) => Object.entries(item).filter(([key]) => HTTP_METHODS.has(key)).map(([, op]) => op));
    const tagNames = new Set(operations.flatMap((op) => op.tags ?? []));
    const schemeNames = new Set(
        [...(full.security ?? []), ...operations.flatMap((op) => op.security ?? [])].flatMap((requirement) => Object.keys(requirement)),
    );
    const securitySchemes = Object.fromEntries(Object.entries(full.components.securitySchemes ?? {}).filter(([name]) => schemeNames.has(name)));

    const subset = {};
    for (const key of Object.keys(full)) {
        if (key === "paths") subset.paths = paths;
        else if (key === "components") subset.components = { securitySchemes, schemas };
        else if (key === "tags") subset.tags = full.tags.filter((tag) => tagNames.has(tag.name));
        else if (["openapi", "info", "servers", "security"].includes(key)) subset[key] = full[key];
        // any other top-level key (none in the verified revision) describes what the subset leaves out
    }
    return subset;
}

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");

function main(argv) {
    const [source, second] = argv;
    if (!source || source.startsWith("-")) {
        console.error("usage: node scripts/extract-twilio-oai-subset.js FULL_twilio_api_v2010.json [OUT_FILE | --check]");
        return 2;
    }
    const raw = fs.readFileSync(source);
    const text = JSON.stringify(extractSubset(JSON.parse(raw.toString("utf8"))), null, 2) + "\n";
    const out = second && second !== "--check" ? path.resolve(second) : DEFAULT_OUT;
    console.log(`source ${source}: ${raw.length} bytes, sha256 ${sha256(raw)}`);
    console.log(`subset: ${Buffer.byteLength(text)} bytes, sha256 ${sha256(text)}`);
    if (second === "--check") {
        const current = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
        if (current === text) {
            console.log(`${out} is up to date`);
            return 0;
        }
        console.error(`${out} differs from the subset of ${source}: run without --check to rewrite it`);
        return 1;
    }
    fs.writeFileSync(out, text);
    console.log(`wrote ${out}`);
    return 0;
}

module.exports = { extractSubset, PATHS };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
