/**
 * Webhook nodes under test: an HTTP server on 127.0.0.1 in front of the RED.httpNode of the flow loaded last,
 * mounted under a node root as Node-RED mounts it under httpNodeRoot; requests signed with the Twilio SDK's own
 * signing code; and a strict XML parser for every TwiML answer - sax in strict mode, the parser under Node-RED's
 * own xml node (node-red > @node-red/nodes > xml2js > sax), so no dependency is added and the check shares
 * nothing with the package's own TwiML check.
 */
"use strict";
const http = require("node:http");
const path = require("node:path");
const twilio = require("twilio");
const { httpNode } = require("./runtime");

const NODE_RED_DIR = path.dirname(require.resolve("node-red/package.json"));
const NODES_DIR = path.dirname(require.resolve("@node-red/nodes/package.json", { paths: [NODE_RED_DIR] }));
const XML2JS_DIR = path.dirname(require.resolve("xml2js/package.json", { paths: [NODES_DIR] }));
const sax = require(require.resolve("sax", { paths: [XML2JS_DIR] }));

/**
 * Node-RED's HTTP server for flow nodes, as scripts/start.js builds it: requests under `root` go to the current
 * RED.httpNode with the root stripped from req.url and kept in req.originalUrl.
 */
class NodeServer {
    constructor(root = "") {
        this.root = root;
        this.server = http.createServer((req, res) => this.handle(req, res));
    }

    handle(req, res) {
        const notFound = (err) => {
            if (res.headersSent) return res.end();
            res.writeHead(err ? 500 : 404, { "Content-Type": "text/plain" }).end(err ? "error" : "not found");
        };
        const app = httpNode();
        if (!app || !(req.url === this.root || req.url.startsWith(`${this.root}/`) || req.url.startsWith(`${this.root}?`))) return notFound();
        req.originalUrl = req.url;
        const rest = req.url.slice(this.root.length);
        req.url = rest.startsWith("/") ? rest : `/${rest}`;
        app(req, res, notFound);
    }

    async start() {
        await new Promise((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.origin = `http://127.0.0.1:${this.server.address().port}`;
        return this.origin;
    }

    async stop() {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }
}

/** X-Twilio-Signature as Twilio computes it, by the SDK's own code. */
function sign(authToken, url, params) {
    return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/**
 * POSTs a form as Twilio does. `signature` is sent as X-Twilio-Signature unless undefined.
 * Resolves with {status, contentType, body, ms}.
 */
async function postForm(url, params, { signature, body, contentType = "application/x-www-form-urlencoded; charset=UTF-8" } = {}) {
    const headers = { "Content-Type": contentType };
    if (signature !== undefined) headers["X-Twilio-Signature"] = signature;
    const started = Date.now();
    const response = await fetch(url, { method: "POST", headers, body: body ?? new URLSearchParams(params).toString() });
    return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text(), ms: Date.now() - started };
}

/**
 * Parses XML strictly into {name, attributes, children, text} elements; throws with the parser's reason and the
 * document. sax in strict mode, with XML's five entities only, refuses unbalanced or crossed tags, a second
 * root, text outside the root, a bare "&", an unknown entity and unquoted attributes; it lets through a few
 * things XML forbids (a repeated attribute, "<" in an attribute value, "]]>" in text, control characters), which
 * test/twiml.test.js checks the package's own check refuses.
 */
function parseXml(text) {
    const parser = sax.parser(true, { trim: false, normalize: false, strictEntities: true });
    // sax only records some errors (an unclosed root at the end, a bad entity) unless told to throw
    parser.onerror = (err) => {
        throw err;
    };
    const stack = [];
    let root;
    parser.onopentag = (node) => {
        const element = { name: node.name, attributes: node.attributes, children: [], text: "" };
        if (stack.length) stack[stack.length - 1].children.push(element);
        else if (root) throw new Error("more than one root element");
        else root = element;
        stack.push(element);
    };
    parser.onclosetag = () => stack.pop();
    parser.ontext = (chunk) => {
        if (stack.length) stack[stack.length - 1].text += chunk;
    };
    parser.oncdata = parser.ontext;
    try {
        parser.write(text).close();
    } catch (err) {
        throw new Error(`not well-formed XML (${err.message.split("\n")[0]}): ${text}`);
    }
    if (!root) throw new Error(`no root element: ${text}`);
    return root;
}

/** The TwiML of an answer: checks the content type and well-formedness, returns the <Response> element. */
function twimlOf(answer) {
    if (!/^text\/xml\b/.test(answer.contentType ?? "")) throw new Error(`TwiML answered as ${answer.contentType}: ${answer.body}`);
    const root = parseXml(answer.body);
    if (root.name !== "Response") throw new Error(`the TwiML's root is <${root.name}>: ${answer.body}`);
    return root;
}

module.exports = { NodeServer, sign, postForm, parseXml, twimlOf };
