#!/usr/bin/env node
/**
 * Regenerates test/fixtures/reference-spec/tables.json from the product's reference spec (twilio-service.txt):
 * its argument and response tables (name, type, pattern, enum, default), without its prose, read by the strict
 * parser of test/support/reference-spec.js (which throws rather than drop a row it cannot read).
 *
 *   node scripts/extract-reference-spec.js SPEC_FILE [OUT_FILE]
 *   node scripts/extract-reference-spec.js SPEC_FILE --check    (exit 1 if the fixture differs)
 *
 * To run the parity test against another copy of the spec without touching the fixture, set
 * REFERENCE_SPEC=/path/to/copy instead (see test/support/reference-spec.js).
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { loadReferenceSpec, tablesOf, TABLES_FILE } = require("../test/support/reference-spec");

function main(argv) {
    const [source, second] = argv;
    if (!source || source.startsWith("-")) {
        console.error("usage: node scripts/extract-reference-spec.js path/to/twilio-service.txt [OUT_FILE | --check]");
        return 2;
    }
    const raw = fs.readFileSync(source);
    const fixture = {
        source: {
            document: "the product's reference spec, twilio-service.txt",
            sha256: crypto.createHash("sha256").update(raw).digest("hex"),
            generator: "scripts/extract-reference-spec.js",
            note: "argument and response tables only; the spec's prose (summaries, descriptions) is left out",
        },
        operations: tablesOf(loadReferenceSpec(source)),
    };
    const text = JSON.stringify(fixture, null, 2) + "\n";
    const out = second && second !== "--check" ? path.resolve(second) : TABLES_FILE;
    const rows = fixture.operations.reduce((n, op) => n + op.arguments.length + op.responses.length, 0);
    console.log(`source ${source}: sha256 ${fixture.source.sha256}; ${fixture.operations.length} operations, ${rows} rows`);
    if (second === "--check") {
        const current = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
        if (current === text) {
            console.log(`${out} is up to date`);
            return 0;
        }
        console.error(`${out} differs from the tables of ${source}: run without --check to rewrite it`);
        return 1;
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, text);
    console.log(`wrote ${out} (${Buffer.byteLength(text)} bytes)`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
