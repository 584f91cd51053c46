/**
 * A strict well-formedness check of the TwiML a flow replies with, before it goes to Twilio: Twilio answers a
 * malformed document with error 12100 (the caller hears "an application error has occurred", an SMS gets no
 * reply), so a bad reply is replaced by the empty <Response/> and reported instead. No DTD and no processing
 * instruction besides the XML declaration: TwiML needs neither.
 */

/** Why a document is not well-formed: a key of twilio.webhook.xml in the message catalog, with the element's name. */
export type XmlProblem =
    | "character"
    | "declaration"
    | "text"
    | "reference"
    | "markup"
    | "doctype"
    | "attribute"
    | "nesting"
    | "unclosed"
    | "root";

export type XmlCheck = { ok: true; root: string } | { ok: false; problem: XmlProblem; name?: string };

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/;
const REFERENCE = /^&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
// characters XML 1.0 allows nowhere: C0 controls other than tab, LF and CR; U+FFFE and U+FFFF
// eslint-disable-next-line no-control-regex
const ILLEGAL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const DECLARATION = /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;

type NotWellFormed = { ok: false; problem: XmlProblem; name?: string };
const fail = (problem: XmlProblem, name?: string): NotWellFormed => ({ ok: false, problem, name });

/** Character data or an attribute value: every "&" starts a reference; text may not hold "]]>". */
function textIsWellFormed(text: string): boolean {
    if (text.includes("]]>")) return false;
    for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
        if (!REFERENCE.test(text.slice(i))) return false;
    }
    return true;
}

/** A start or empty-element tag at the start of `source` ("<Name attr='v' ...>" or ".../>"). */
function startTag(source: string): { name: string; length: number; empty: boolean } | NotWellFormed {
    const name = NAME.exec(source.slice(1));
    if (!name) return fail("markup");
    let at = 1 + name[0].length;
    const seen = new Set<string>();
    for (;;) {
        const space = /^\s*/.exec(source.slice(at))![0];
        at += space.length;
        if (source.startsWith("/>", at)) return { name: name[0], length: at + 2, empty: true };
        if (source.startsWith(">", at)) return { name: name[0], length: at + 1, empty: false };
        if (space === "") return fail(at >= source.length ? "unclosed" : "attribute", name[0]);
        const attribute = /^([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/.exec(source.slice(at));
        if (!attribute || seen.has(attribute[1]) || !textIsWellFormed(attribute[2] ?? attribute[3])) return fail("attribute", name[0]);
        seen.add(attribute[1]);
        at += attribute[0].length;
    }
}

export function checkXml(document: string): XmlCheck {
    if (ILLEGAL_CHAR.test(document)) return fail("character");
    let rest = document;
    const declaration = DECLARATION.exec(rest);
    if (declaration) rest = rest.slice(declaration[0].length);
    else if (/^<\?xml/i.test(rest)) return fail("declaration");
    const open: string[] = [];
    let root: string | undefined;
    let rootClosed = false;
    while (rest !== "") {
        const lt = rest.indexOf("<");
        const text = lt < 0 ? rest : rest.slice(0, lt);
        if (open.length === 0 && text.trim() !== "") return fail("text");
        if (!textIsWellFormed(text)) return fail("reference");
        if (lt < 0) break;
        rest = rest.slice(lt);
        if (rest.startsWith("<!--")) {
            const end = rest.indexOf("-->", 4);
            if (end < 0 || rest.slice(4, end).includes("--")) return fail("markup");
            rest = rest.slice(end + 3);
        } else if (rest.startsWith("<![CDATA[")) {
            const end = rest.indexOf("]]>");
            if (open.length === 0) return fail("text");
            if (end < 0) return fail("markup");
            rest = rest.slice(end + 3);
        } else if (rest.startsWith("<!") || rest.startsWith("<?")) {
            return fail("doctype");
        } else if (rest.startsWith("</")) {
            const end = /^<\/([^\s>]+)\s*>/.exec(rest);
            if (!end) return fail("markup");
            const expected = open.pop();
            if (expected !== end[1]) return fail("nesting", end[1]);
            if (open.length === 0) rootClosed = true;
            rest = rest.slice(end[0].length);
        } else {
            const tag = startTag(rest);
            if ("ok" in tag) return tag;
            if (open.length === 0) {
                if (root !== undefined) return fail("root");
                root = tag.name;
                rootClosed = tag.empty;
            }
            if (!tag.empty) open.push(tag.name);
            rest = rest.slice(tag.length);
        }
    }
    if (root === undefined) return fail("root");
    if (!rootClosed || open.length > 0) return fail("unclosed", open[open.length - 1] ?? root);
    return { ok: true, root };
}
