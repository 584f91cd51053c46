/**
 * Twilio's own OpenAPI contract for the 2010-04-01 API, as the in-repo subset
 * test/fixtures/twilio-oai/twilio_api_v2010.subset.json (its Calls, Messages and Media paths and what they
 * reference, unedited; provenance and license beside it), used as an oracle no one on this project wrote: checkRequest() says what the contract finds wrong with a request the
 * stand-in recorded, responseValidator() checks a response body against the operation's response schema.
 *
 * Two readings of the contract are spelled out here because the file contradicts itself, and both follow
 * the contract's own words and examples rather than our code:
 * - format "uri" on responses: its named examples (and Twilio's API) give uri, next_page_uri, ... relative
 *   to https://api.twilio.com, so response URIs are checked as URI references;
 * - format "date-time" on the list filters whose description says "Specify a date as YYYY-MM-DD" (StartTime,
 *   DateSent, DateCreated; the contract's examples for them are dates such as 2008-01-02): a date is accepted.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

const CONTRACT_FILE = path.resolve(__dirname, "..", "fixtures", "twilio-oai", "twilio_api_v2010.subset.json");
const contract = JSON.parse(fs.readFileSync(CONTRACT_FILE, "utf8"));

/** Twilio's own format names carry no definition a validator could check: they are annotations here. */
const TWILIO_FORMATS = ["phone-number", "endpoint", "http-method", "twiml", "date-time-rfc-2822", "uri-map", "currency"];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function newAjv(uriFormat) {
    const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: "array" });
    addFormats(ajv);
    for (const format of TWILIO_FORMATS) ajv.addFormat(format, true);
    ajv.addFormat("date-or-date-time", (value) => DATE.test(value) || ajv.formats["date-time"].validate(value));
    if (uriFormat) ajv.addFormat("uri", uriFormat);
    return ajv;
}

const requestAjv = newAjv();
const responseAjv = newAjv(requestAjv.formats["uri-reference"]);

/** Compiling is the slow part: once per distinct schema. */
const compiled = new Map();
function compile(ajv, schema) {
    const key = (ajv === requestAjv ? "request:" : "response:") + JSON.stringify(schema);
    if (!compiled.has(key)) compiled.set(key, ajv.compile(schema));
    return compiled.get(key);
}

/** The contract's schema with every #/components/schemas/ reference put in place. */
function deref(schema) {
    if (Array.isArray(schema)) return schema.map(deref);
    if (!schema || typeof schema !== "object") return schema;
    if (typeof schema.$ref === "string") {
        const name = schema.$ref.replace("#/components/schemas/", "");
        return deref(contract.components.schemas[name]);
    }
    return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, deref(value)]));
}

function describe(errors) {
    return (errors ?? []).map((error) => `${error.instancePath || "(value)"} ${error.message}`.trim());
}

/** The contract's path template matching a concrete path, e.g. .../Calls/{Sid}.json, with the path values. */
function findPath(concretePath) {
    for (const template of Object.keys(contract.paths)) {
        const names = [];
        const pattern = new RegExp(
            "^" +
                template.replace(/[.]/g, "\\.").replace(/\{(\w+)\}/g, (_, name) => {
                    names.push(name);
                    return "([^/]+)";
                }) +
                "$",
        );
        const match = pattern.exec(concretePath);
        if (match) return { template, values: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
    }
    return undefined;
}

/** A parameter's schema as a request value is checked: date filters described as YYYY-MM-DD take a date. */
function parameterSchema(parameter) {
    const schema = deref(parameter.schema);
    if (schema.format === "date-time" && /YYYY-MM-DD/.test(parameter.description ?? "")) return { ...schema, format: "date-or-date-time" };
    return schema;
}

function checkValue(where, name, schema, value) {
    // wrapped in an object, so that type coercion (query values are text) can replace the value
    const validate = compile(requestAjv, { type: "object", properties: { value: schema } });
    if (validate({ value: JSON.parse(JSON.stringify(value)) })) return [];
    return describe(validate.errors).map((message) => `${where} ${name}: ${message.replace("/value", "").trim()}`);
}

/**
 * What the contract finds wrong with a request as the stand-in recorded it ({method, path, query, form,
 * headers}); an empty list when it has nothing to say.
 */
function checkRequest(request) {
    const found = findPath(request.path);
    if (!found) return [`no path of the contract matches ${request.path}`];
    const operation = contract.paths[found.template][request.method.toLowerCase()];
    if (!operation) return [`the contract has no ${request.method} on ${found.template}`];
    const violations = [];
    const parameters = operation.parameters ?? [];
    for (const parameter of parameters.filter((p) => p.in === "path")) {
        violations.push(...checkValue("path", parameter.name, parameterSchema(parameter), found.values[parameter.name]));
    }
    const queryParameters = new Map(parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
    for (const [name, value] of Object.entries(request.query)) {
        const parameter = queryParameters.get(name);
        if (!parameter) violations.push(`query ${name}: not a parameter of ${operation.operationId}`);
        else violations.push(...checkValue("query", name, parameterSchema(parameter), value));
    }
    for (const parameter of queryParameters.values()) {
        if (parameter.required && !(parameter.name in request.query)) violations.push(`query ${parameter.name}: required`);
    }
    const body = operation.requestBody?.content?.["application/x-www-form-urlencoded"]?.schema;
    if (body) {
        if (!String(request.headers?.["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
            violations.push(`body: ${operation.operationId} takes application/x-www-form-urlencoded`);
        }
        const schema = deref(body);
        for (const name of Object.keys(request.form)) {
            if (!(name in schema.properties)) violations.push(`body ${name}: not a parameter of ${operation.operationId}`);
        }
        const validate = compile(requestAjv, schema);
        if (!validate(JSON.parse(JSON.stringify(request.form)))) violations.push(...describe(validate.errors).map((m) => `body ${m}`));
    } else if (Object.keys(request.form).length > 0) {
        violations.push(`body: ${operation.operationId} takes no body`);
    }
    return violations;
}

/** The contract operation by its operationId, with its path template and method. */
function operationById(operationId) {
    for (const [template, methods] of Object.entries(contract.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
            if (operation && operation.operationId === operationId) return { template, method, operation };
        }
    }
    throw new Error(`the contract has no operation ${operationId}`);
}

/** The success response of an operation: its status, its schema (dereferenced) and its named examples. */
function successResponse(operationId) {
    const { operation } = operationById(operationId);
    const [status, response] = Object.entries(operation.responses).find(([code]) => code.startsWith("2"));
    const content = response.content?.["application/json"];
    return {
        status: Number(status),
        schema: content ? deref(content.schema) : undefined,
        examples: Object.entries(content?.examples ?? {}).map(([name, example]) => ({ name, value: example.value })),
    };
}

/** Checks a response body against a schema; returns the violations. */
function checkResponse(schema, body) {
    const validate = compile(responseAjv, schema);
    return validate(JSON.parse(JSON.stringify(body))) ? [] : describe(validate.errors);
}

module.exports = { contract, checkRequest, operationById, successResponse, checkResponse, CONTRACT_FILE };
