/**
 * Reads the product's reference spec (/work/shared/spec/twilio-service.txt, i.e. ../../../shared/spec from
 * here) into tables, independently of the package's own catalog, so the parity test can hold the package to
 * the spec rather than to itself.
 *
 *   loadReferenceSpec() → [{ name, arguments: [{name, type, enum?, default?, description}],
 *                            result: "object" | "nil", responses: [{name, type, enum?, description}] }]
 *
 * in the order of the file. `type` is the spec's type column as written (e.g. `string(E.164)`,
 * `integer {..1000}`, `^[0-9a-zA-Z]{34}$`, `"GET", "PUT", "POST"`); an enumeration also gets `enum` (the
 * values without quotes); a `Default: ...` line under a row becomes `default` (a string, quotes removed).
 * `responses` is the success table only (never the "Request error" table); a "... - nil" response has none.
 *
 * The parser is strict on purpose, so that a change of format cannot silently shrink a table: it throws if
 * one of the eleven operations is missing or repeated, if a section is not where the format puts it, if a
 * table line is neither a row with a known type, a `Default:` line, nor plain prose continuing the previous
 * row's description (as createCall's Url does over several lines), or if a row name repeats.
 *
 * Environment: REFERENCE_SPEC=/path/to/file reads another copy of the spec (used to prove that the parity
 * test fails when the spec drifts); without it the shared spec is read.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const DEFAULT_SPEC_PATH = path.resolve(__dirname, "../../../shared/spec/twilio-service.txt");

/** The operations the spec's README announces; each must be found exactly once. */
const EXPECTED_OPERATIONS = Object.freeze([
    "createCall",
    "deleteCall",
    "getCall",
    "listCall",
    "deleteMedia",
    "getMedia",
    "listMedia",
    "deleteMessage",
    "getMessage",
    "listMessage",
    "postMessage",
]);

/** The formats a `string(...)` type may carry; another one is a change the tests must be told about. */
const STRING_FORMATS = new Set(["E.164", "uri", "date", "date-time", "ISO 4127", "mime-type", "integer"]);

const ARGUMENTS_INTRO = "parameters - object - Object containing service call parameters.";
const TABLE_HEADER = "Name Type Description";
const ERROR_TABLE = "Request error - object";
const ROW_NAME = /^([A-Za-z_][A-Za-z0-9_]*(?:\[\]\.[A-Za-z_][A-Za-z0-9_]*)?) (.+)$/;

/**
 * The type column at the start of `rest` (what follows a row's name), or undefined if `rest` does not start
 * with a type this parser knows. Throws for a `string(...)` format it does not know.
 */
function parseType(rest, where) {
    let match;
    if ((match = /^((?:"[^"]*", )*"[^"]*") (.*)$/.exec(rest))) {
        const values = [...match[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
        return { type: match[1], enum: values, description: match[2] };
    }
    if ((match = /^(\^\S*\$) (.*)$/.exec(rest))) return { type: match[1], description: match[2] };
    if ((match = /^(\[ object \]) (.*)$/.exec(rest))) return { type: match[1], description: match[2] };
    if ((match = /^(object) (.*)$/.exec(rest))) return { type: match[1], description: match[2] };
    if ((match = /^(integer(?: \{\.\.\d+\})?) (.*)$/.exec(rest))) return { type: match[1], description: match[2] };
    if ((match = /^(string(?:,null)?(?:\(([^)]*)\))?(?: \{\.\.\d+\})?) (.*)$/.exec(rest))) {
        if (match[2] !== undefined && !STRING_FORMATS.has(match[2])) {
            throw new Error(`reference spec: ${where}: unknown string format "(${match[2]})" in "${rest}"`);
        }
        return { type: match[1], description: match[3] };
    }
    return undefined;
}

function editDistance(a, b) {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

/** Whether a word looks like an attempt at a type (so its line is a broken row, not prose). */
function looksLikeType(word) {
    if (word === undefined) return true; // a lone word is no sentence
    if (/^[[^"({|,]/.test(word) || /[(){}]/.test(word)) return true;
    const bare = word.toLowerCase().replace(/[^a-z]/g, "");
    const short = ["int", "bool", "array", "null", "enum", "date", "uri", "float", "list"];
    const long = ["string", "integer", "object", "number", "boolean"];
    if (short.includes(bare) || long.some((keyword) => bare.startsWith(keyword))) return true;
    return bare.length >= 4 && long.some((keyword) => editDistance(bare, keyword) <= 2);
}

/**
 * The rows of one table, lines [from, to). Each line is a row, a `Default:` line (only where defaults are
 * allowed) or prose continuing the previous row's description; anything else throws.
 */
function parseTable(lines, from, to, where, { defaults }) {
    const rows = [];
    for (let i = from; i < to; i++) {
        const line = lines[i];
        const at = `${where}, line ${i + 1}`;
        if (line.trim() === "") throw new Error(`reference spec: ${at}: blank line inside the table`);
        const row = ROW_NAME.exec(line);
        const type = row && parseType(row[2], at);
        if (type) {
            if (/^[[({,|]/.test(type.description)) {
                throw new Error(`reference spec: ${at}: cannot tell the type from the description in "${line}"`);
            }
            if (rows.some((r) => r.name === row[1])) throw new Error(`reference spec: ${at}: row ${row[1]} appears twice`);
            rows.push({ name: row[1], ...type });
            continue;
        }
        const previous = rows[rows.length - 1];
        const fallback = /^Default: (.+)$/.exec(line);
        if (fallback) {
            if (!defaults) throw new Error(`reference spec: ${at}: a Default: line where none is expected`);
            if (!previous || previous.default !== undefined) {
                throw new Error(`reference spec: ${at}: "${line}" follows no row, or a row that has a default already`);
            }
            const value = fallback[1].trim().replace(/^"(.*)"$/, "$1");
            if (previous.enum && !previous.enum.includes(value)) {
                throw new Error(`reference spec: ${at}: default "${value}" of ${previous.name} is not one of its values`);
            }
            previous.default = value;
            continue;
        }
        const words = line.trim().split(/\s+/);
        if (!previous || /\t/.test(line) || looksLikeType(words[1])) {
            throw new Error(`reference spec: ${at}: cannot parse the table row "${line}"`);
        }
        previous.description += "\n" + line; // prose that continues the previous row's description
    }
    return rows;
}

function indexOf(lines, text, from, to, where) {
    for (let i = from; i < to; i++) if (lines[i] === text) return i;
    throw new Error(`reference spec: ${where}: "${text}" not found`);
}

/** Parses the spec's text; `source` names it in errors. */
function parseReferenceSpec(text, source = "reference spec") {
    const lines = text.split(/\r?\n/).map((line) => line.replace(/\s+$/, ""));
    const starts = [];
    lines.forEach((line, i) => line === "Arguments" && starts.push(i));
    const count = (text) => lines.filter((line) => line === text).length;
    for (const marker of ["Responses", ERROR_TABLE]) {
        if (count(marker) !== starts.length) {
            throw new Error(`${source}: ${starts.length} "Arguments" sections but ${count(marker)} "${marker}" lines`);
        }
    }

    const operations = starts.map((argumentsAt, k) => {
        // the name, a blank line, the summary, a blank line, then "Arguments"
        const [name, blank1, summary, blank2] = lines.slice(argumentsAt - 4, argumentsAt);
        if (!/^[a-z][A-Za-z]+$/.test(name ?? "") || blank1 !== "" || !summary || blank2 !== "") {
            throw new Error(`${source}: line ${argumentsAt + 1}: "Arguments" is not preceded by an operation name and summary`);
        }
        const where = `${source}: ${name}`;
        const end = k + 1 < starts.length ? starts[k + 1] - 4 : lines.length;
        if (lines[argumentsAt + 1] !== ARGUMENTS_INTRO || lines[argumentsAt + 2] !== TABLE_HEADER) {
            throw new Error(`${where}: the argument table does not start with "${ARGUMENTS_INTRO}" / "${TABLE_HEADER}"`);
        }
        const responsesAt = indexOf(lines, "Responses", argumentsAt, end, where);
        const errorAt = indexOf(lines, ERROR_TABLE, responsesAt, end, where);
        const args = parseTable(lines, argumentsAt + 3, responsesAt, `${where} arguments`, { defaults: true });

        const title = /^(.+) - (object|nil)$/.exec(lines[responsesAt + 1]);
        if (!title) throw new Error(`${where}: "Responses" is not followed by "<title> - object" or "<title> - nil"`);
        let responses = [];
        if (title[2] === "object") {
            if (lines[responsesAt + 2] !== TABLE_HEADER) throw new Error(`${where}: the response table has no "${TABLE_HEADER}" header`);
            responses = parseTable(lines, responsesAt + 3, errorAt, `${where} responses`, { defaults: false });
            if (responses.length === 0) throw new Error(`${where}: the response table is empty`);
        } else {
            const between = lines.slice(responsesAt + 2, errorAt).filter((line) => line !== "");
            if (between.some((line) => line !== title[1])) {
                throw new Error(`${where}: unexpected lines in the nil response: ${JSON.stringify(between)}`);
            }
        }
        return { name, summary, arguments: args, result: title[2], responses };
    });

    const names = operations.map((op) => op.name);
    const missing = EXPECTED_OPERATIONS.filter((name) => !names.includes(name));
    const unexpected = names.filter((name) => !EXPECTED_OPERATIONS.includes(name));
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    if (missing.length || unexpected.length || repeated.length) {
        throw new Error(
            `${source}: operations missing: [${missing}], unexpected: [${unexpected}], repeated: [${repeated}]`,
        );
    }
    return operations;
}

/** Reads and parses the spec: REFERENCE_SPEC if set, else the shared spec. */
function loadReferenceSpec(file = process.env.REFERENCE_SPEC || DEFAULT_SPEC_PATH) {
    return parseReferenceSpec(fs.readFileSync(file, "utf8"), file);
}

module.exports = loadReferenceSpec;
module.exports.loadReferenceSpec = loadReferenceSpec;
module.exports.parseReferenceSpec = parseReferenceSpec;
module.exports.DEFAULT_SPEC_PATH = DEFAULT_SPEC_PATH;
module.exports.EXPECTED_OPERATIONS = EXPECTED_OPERATIONS;
