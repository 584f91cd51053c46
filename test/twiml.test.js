/**
 * The TwiML the webhook node answers with, without Node-RED: its own well-formedness check agrees with a real
 * XML parser (sax, strict), and whatever a flow replies with - random text, random markup, any value - the
 * answer is well-formed TwiML with a <Response> root (property-based, fast-check).
 */
"use strict";
const assert = require("node:assert/strict");
const fc = require("fast-check");
const { checkXml } = require("../build/nodes/webhook/xml-check");
const { replyTwiml, EMPTY_TWIML } = require("../build/nodes/webhook/twiml");
const { classify } = require("../build/nodes/webhook/events");
const { parseXml } = require("./support/webhook");

const SEED = Number(process.env.FAST_CHECK_SEED ?? 20261126);

/** Whether sax in strict mode parses the document (one root, nothing after it but white space and comments). */
function saxAccepts(text) {
    try {
        parseXml(text);
        return true;
    } catch {
        return false;
    }
}

const WELL_FORMED = [
    "<Response/>",
    '<?xml version="1.0" encoding="UTF-8"?><Response/>',
    "<?xml version='1.0'?>\n<Response>\n  <Message>ACK</Message>\n</Response>\n",
    '<Response><Message to="+16175551212" action=\'https://example.com/a?x=1&amp;y=2\'>Pump &lt;3&gt; &amp; &#233;&#x1F600;</Message></Response>',
    "<Response><!-- a comment --><Say voice=\"alice\"><![CDATA[a < b & c]]></Say></Response><!-- after -->",
    "<Response><Gather input=\"dtmf\" numDigits=\"1\"><Say>Press 1</Say></Gather><Redirect>https://example.com</Redirect></Response>",
    "<ns:Response xmlns:ns=\"urn:x\"><ns:Say>hi</ns:Say></ns:Response>",
    "<Response attr = \"a>b\" />",
];

const MALFORMED = [
    "",
    "ACK",
    "<Response>",
    "<Response><Message>ACK</Response>",
    "<Response><Message>A & B</Message></Response>",
    "<Response><Message>&nbsp;</Message></Response>",
    "<Response/><Response/>",
    "<Response/>trailing",
    "text<Response/>",
    "<Response a=b/>",
    "<Response><!-- a -- b --></Response>",
    "<Response><![CDATA[x</Response>",
    "<1Response/>",
    "<Response></response>",
];

/** What XML forbids and sax lets through: the package's check refuses it all the same. */
const BEYOND_SAX = {
    "a repeated attribute": '<Response a="1" a="2"/>',
    "< in an attribute value": '<Response a="<"/>',
    "]]> in text": "<Response><Say>]]></Say></Response>",
    "a control character": "<Response>\u0001</Response>",
    "an XML version other than 1.x": '<?xml version="2.0"?><Response/>',
};

/** What the package refuses although it is well-formed: TwiML needs no DTD and no processing instruction. */
const REFUSED_ON_PURPOSE = ['<!DOCTYPE Response [<!ENTITY x "y">]><Response>&x;</Response>', "<?pi data?><Response/>", "<Response><?pi data?></Response>"];

describe("TwiML answers", function () {
    describe("the well-formedness check agrees with a strict XML parser", function () {
        for (const document of WELL_FORMED) {
            it(`accepts ${JSON.stringify(document).slice(0, 70)}`, function () {
                assert.equal(saxAccepts(document), true, "sax accepts it too (the sample is right)");
                assert.deepEqual(checkXml(document).ok, true, JSON.stringify(checkXml(document)));
            });
        }
        for (const document of MALFORMED) {
            it(`refuses ${JSON.stringify(document).slice(0, 70)}`, function () {
                assert.equal(saxAccepts(document), false, "sax refuses it too (the sample is right)");
                assert.equal(checkXml(document).ok, false);
            });
        }
        for (const [what, document] of Object.entries(BEYOND_SAX)) {
            it(`refuses ${what}, which sax lets through: ${JSON.stringify(document)}`, function () {
                assert.equal(checkXml(document).ok, false);
            });
        }
        for (const document of REFUSED_ON_PURPOSE) {
            it(`refuses a DTD or processing instruction: ${JSON.stringify(document).slice(0, 60)}`, function () {
                assert.deepEqual(checkXml(document), { ok: false, problem: "doctype", name: undefined });
            });
        }

        it("never accepts what sax refuses, on random markup (fast-check)", function () {
            const piece = fc.oneof(
                fc.constantFrom("<Response>", "</Response>", "<Say>", "</Say>", "<Say/>", "<Message to='x'>", "</Message>", "<!-- c -->", "<![CDATA[x]]>", "&amp;", "&", "<", ">", "]]>", '"', " ", "\n", "text"),
                fc.string({ maxLength: 5 }),
            );
            fc.assert(
                fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
                    const document = pieces.join("");
                    if (checkXml(document).ok) assert.ok(saxAccepts(document), `accepted, but sax refuses: ${JSON.stringify(document)}`);
                }),
                { numRuns: 2000, seed: SEED },
            );
        });
    });

    describe("whatever the flow replies, Twilio gets well-formed TwiML", function () {
        const wellFormedTwiml = (reply) => {
            const answer = reply.ok ? reply.twiml : EMPTY_TWIML;
            const root = parseXml(answer);
            assert.equal(root.name, "Response", answer);
        };

        it("text of any characters, to a message and to a call (fast-check)", function () {
            fc.assert(
                fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.constantFrom("incoming-message", "incoming-call"), (text, event) => {
                    const reply = replyTwiml(event, text);
                    wellFormedTwiml(reply);
                    if (!text.trim().startsWith("<")) assert.equal(reply.ok, true, "text is always answered");
                }),
                { numRuns: 1000, seed: SEED },
            );
        });

        it("any value at all (fast-check)", function () {
            fc.assert(
                fc.property(fc.anything(), (value) => wellFormedTwiml(replyTwiml("incoming-message", value))),
                { numRuns: 500, seed: SEED },
            );
        });

        it("the text survives: what the parser reads back is the reply without the characters XML cannot carry", function () {
            fc.assert(
                fc.property(fc.string({ unit: "grapheme", maxLength: 100 }).filter((text) => !text.trim().startsWith("<") && text !== ""), (text) => {
                    const reply = replyTwiml("incoming-message", text);
                    assert.equal(parseXml(reply.twiml).children[0].text, text);
                }),
                { numRuns: 500, seed: SEED },
            );
        });
    });

    describe("events", function () {
        it("a message status wins over the message's Sid; a call's status callback is told by its markers", function () {
            assert.equal(classify({ MessageSid: "SM1", MessageStatus: "sent" }), "message-status");
            assert.equal(classify({ SmsSid: "SM1", SmsStatus: "received" }), "incoming-message");
            assert.equal(classify({ CallSid: "CA1", CallStatus: "completed", Timestamp: "x" }), "call-status");
            assert.equal(classify({ CallSid: "CA1", CallStatus: "ringing" }), "incoming-call");
            assert.equal(classify({ CallSid: "", AccountSid: "AC1" }), "other");
        });
    });
});
