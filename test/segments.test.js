/**
 * What a message costs before it is sent (issue 14): the Body's encoding and segments, the node's maxSegments cap
 * and smartEncoding setting. The package and the stand-in both count with Twilio's calculator
 * (sms-segments-calculator), so neither judges here: the expected counts are Twilio's published examples and
 * hand-counted cases written as literals, and for random texts an independent count written out below from
 * GSM 03.38 and Twilio's rules; the expected Body on the wire is a literal too (smart encoding's look-alikes
 * included). Each case is checked against the request the stand-in received (the Body sent, or nothing at all
 * when capped), through Node-RED.
 */
"use strict";
const assert = require("node:assert/strict");
const fc = require("fast-check");
const { SegmentedMessage } = require("sms-segments-calculator");
const { textCost, smartEncode, lookAlikeTable } = require("../build/rules/segments");
const { parseMaxSegments, showCharacter } = require("../build/rules/sms-text");
const { helper, useStandin, loadNode, run } = require("./support/harness");

const SMS = { To: "+16175551212", From: "+15005550006" };

/** Twilio's calculator's answer: what the package relies on, checked against the literals (never their source). */
function calculator(body, smartEncoding = false) {
    const message = new SegmentedMessage(body, "auto", smartEncoding);
    return { encoding: message.encodingName, segments: message.segmentsCount };
}

/**
 * An independent count, from the standard and Twilio's published rules rather than any library: GSM 03.38's
 * basic character set (one septet each) and its extension table (two: the escape and the character), 160 septets
 * in a message of one segment and 153 per segment of a longer one (the rest of each is the concatenation header);
 * a text with any other character is UCS-2, counted in UTF-16 code units (a surrogate pair is two), 70 in one
 * segment or 67 per segment. A character as a reader sees it (a grapheme cluster, split by Intl.Segmenter) is
 * never cut across two segments.
 */
const GSM7_BASIC = new Set([..."@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"]);
const GSM7_EXTENSION = new Set([..."^{}\\[~]|€"]);
const graphemes = (text) => [...new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text)].map(({ segment }) => segment);
const isGsm7 = (char) => GSM7_BASIC.has(char) || GSM7_EXTENSION.has(char);

function handCount(text) {
    const gsm7 = [...text].every(isGsm7);
    const size = gsm7 ? (grapheme) => [...grapheme].reduce((n, char) => n + (GSM7_EXTENSION.has(char) ? 2 : 1), 0) : (grapheme) => grapheme.length;
    const [single, perSegment] = gsm7 ? [160, 153] : [70, 67];
    const sizes = graphemes(text).map(size);
    let segments = 1;
    if (sizes.reduce((sum, n) => sum + n, 0) > single) {
        let used = 0;
        for (const n of sizes) {
            if (used + n > perSegment) segments++, (used = 0);
            used += n;
        }
    }
    return { encoding: gsm7 ? "GSM-7" : "UCS-2", segments };
}

/** The characters of a text that are not GSM-7, each once, in order: what makes it UCS-2. */
const forcingUcs2 = (text) => [...new Set(graphemes(text).filter((grapheme) => ![...grapheme].every(isGsm7)))];

/**
 * Smart encoding's look-alikes for the characters the properties below draw from, written out: the quotes, dashes
 * and ellipsis as Twilio lists them (twilio.com/docs/messaging/services/smart-encoding-char-list); the no-break
 * space (two spaces), the tab (seven) and the zero-width space (removed) as the package's table (Twilio's
 * calculator's, 1.3.0) has them today, so that a change of table shows here.
 */
const LOOK_ALIKES = { "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": "  ", "\t": "       ", "\u200b": "" };
const smartLiteral = (text) => [...text].map((char) => LOOK_ALIKES[char] ?? char).join("");

const a = (n) => "a".repeat(n);
const u = (n) => "’".repeat(n);

/**
 * [title, Body, expected {encoding, segments} from Twilio's documented rules (GSM-7 160/153, UCS-2 70/67,
 * extension characters two septets, a character never split), smartEncoding, Body expected on the wire].
 */
const CASES = [
    ["160 GSM-7 characters: one segment", a(160), { encoding: "GSM-7", segments: 1 }],
    ["161 GSM-7 characters: two segments", a(161), { encoding: "GSM-7", segments: 2 }],
    ["306 GSM-7 characters: two segments of 153", a(306), { encoding: "GSM-7", segments: 2 }],
    ["307 GSM-7 characters: three segments", a(307), { encoding: "GSM-7", segments: 3 }],
    ["159 characters and a €: 161 septets, two segments", a(159) + "€", { encoding: "GSM-7", segments: 2 }],
    ["158 characters and a ^: 160 septets, one segment", a(158) + "^", { encoding: "GSM-7", segments: 1 }],
    ["80 extension characters { } [ ] ~ | \\ €: 160 septets, one segment", "{}[]~|\\€".repeat(10), { encoding: "GSM-7", segments: 1 }],
    ["152 characters and a ] at the end of segment one: the ] moves whole to segment two", a(152) + "]" + a(10), { encoding: "GSM-7", segments: 2 }],
    ["305 characters and a €: 307 septets, three segments", a(305) + "€", { encoding: "GSM-7", segments: 3 }],
    ["70 UCS-2 characters: one segment", u(70), { encoding: "UCS-2", segments: 1 }],
    ["71 UCS-2 characters: two segments", u(71), { encoding: "UCS-2", segments: 2 }],
    ["134 UCS-2 characters: two segments of 67", u(134), { encoding: "UCS-2", segments: 2 }],
    ["135 UCS-2 characters: three segments", u(135), { encoding: "UCS-2", segments: 3 }],
    ["69 characters and an emoji (two UCS-2 units): 71 units, two segments", u(69) + "🚨", { encoding: "UCS-2", segments: 2 }],
    ["68 characters and an emoji: 70 units, one segment", u(68) + "🚨", { encoding: "UCS-2", segments: 1 }],
    ["66 characters and an emoji across the 67 boundary: the emoji moves whole", u(66) + "🚨" + u(10), { encoding: "UCS-2", segments: 2 }],
    [
        "a 155-character alarm with one curly apostrophe: UCS-2, three segments",
        "Pump 3 at site North-7 reports pressure 9.8 bar, above its limit of 8 bar. It’s been high for 15 minutes. Check the relief valve and call the on-duty tech.",
        { encoding: "UCS-2", segments: 3 },
    ],
    [
        "the same alarm with smart encoding: the apostrophe becomes ' and it is one GSM-7 segment",
        "Pump 3 at site North-7 reports pressure 9.8 bar, above its limit of 8 bar. It’s been high for 15 minutes. Check the relief valve and call the on-duty tech.",
        { encoding: "GSM-7", segments: 1 },
        true,
        "Pump 3 at site North-7 reports pressure 9.8 bar, above its limit of 8 bar. It's been high for 15 minutes. Check the relief valve and call the on-duty tech.",
    ],
    ["smart encoding keeps characters without a look-alike: 日本 stays UCS-2", "Alarm “日本” – ok", { encoding: "UCS-2", segments: 1 }, true, 'Alarm "日本" - ok'],
    ["GSM-7 letters beyond ASCII (é ñ Ä ß Ω) stay GSM-7", "Température élevée, Añejo Äß ΩΔ", { encoding: "GSM-7", segments: 1 }],
];

/**
 * Twilio's own published examples: the test data of its calculator (TwilioDevEd/message-segment-calculator,
 * tests/index.test.js, MIT), as literals: [title, Body, expected].
 */
const TWILIO_EXAMPLES = [
    ["Twilio: GSM-7 in one segment (160 digits)", "1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890", { encoding: "GSM-7", segments: 1 }],
    ["Twilio: GSM-7 in two segments (161 digits)", "12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901", { encoding: "GSM-7", segments: 2 }],
    ["Twilio: GSM-7 in three segments (307 digits)", "1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567", { encoding: "GSM-7", segments: 3 }],
    ["Twilio: UCS-2 in one segment (😜 and 68 digits: 70 units)", "😜23456789012345678901234567890123456789012345678901234567890123456789", { encoding: "UCS-2", segments: 1 }],
    ["Twilio: UCS-2 in two segments (😜 and 69 digits: 71 units)", "😜234567890123456789012345678901234567890123456789012345678901234567890", { encoding: "UCS-2", segments: 2 }],
    ["Twilio: UCS-2 in three segments (😜 and 133 digits: 135 units)", "😜2345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234", { encoding: "UCS-2", segments: 3 }],
    ["Twilio: a flag (two surrogate pairs) and 66 digits: 70 units, one segment", "\u{1F1EE}\u{1F1F9}234567890123456789012345678901234567890123456789012345678901234567", { encoding: "UCS-2", segments: 1 }],
    ["Twilio: a flag and 67 digits: 71 units, two segments", "\u{1F1EE}\u{1F1F9}2345678901234567890123456789012345678901234567890123456789012345678", { encoding: "UCS-2", segments: 2 }],
    ["Twilio: the rainbow flag (6 units) and 64 digits: one segment", "\u{1F3F3}\uFE0F\u200D\u{1F308}2345678901234567890123456789012345678901234567890123456789012345", { encoding: "UCS-2", segments: 1 }],
    ["Twilio: the rainbow flag and 65 digits: two segments", "\u{1F3F3}\uFE0F\u200D\u{1F308}23456789012345678901234567890123456789012345678901234567890123456", { encoding: "UCS-2", segments: 2 }],
    ["Twilio: { and 158 digits: 160 septets, one segment", "{12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678", { encoding: "GSM-7", segments: 1 }],
    ["Twilio: { and 159 digits: 161 septets, two segments", "{123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", { encoding: "GSM-7", segments: 2 }],
    ["Twilio: € and 158 digits: 160 septets, one segment", "€12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678", { encoding: "GSM-7", segments: 1 }],
    ["Twilio: \\ and 159 digits: 161 septets, two segments", "\\123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", { encoding: "GSM-7", segments: 2 }],
    ["Twilio: 70 Á (not GSM-7): one UCS-2 segment", "ÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁ", { encoding: "UCS-2", segments: 1 }],
    ["Twilio: 71 Á: two UCS-2 segments", "ÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁÁ", { encoding: "UCS-2", segments: 2 }],
    ["Twilio: 😀 and 68 ] (one unit each in UCS-2): one segment", "😀]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", { encoding: "UCS-2", segments: 1 }],
    ["Twilio: 😀 and 69 ]: two segments", "😀]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", { encoding: "UCS-2", segments: 2 }],
    ["Twilio: e with three combining accents (4 units) and 66 a: one segment", "e\u0301\u0301\u0301aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", { encoding: "UCS-2", segments: 1 }],
    ["Twilio: e with three combining accents and 67 a: two segments", "e\u0301\u0301\u0301aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", { encoding: "UCS-2", segments: 2 }],
];

describe("segments: what a message costs", function () {
    const standin = useStandin();

    async function send(body, fields = {}, extra = {}) {
        await loadNode(standin, { type: "twilio-messages", operation: "postMessage", fields });
        return run({ payload: { ...SMS, Body: body, ...extra } });
    }

    describe("the table of cases and Twilio's examples, against the literals and the request sent", function () {
        for (const [title, body, expected, smartEncoding = false, sent = body] of [...CASES, ...TWILIO_EXAMPLES]) {
            it(title, async function () {
                assert.deepEqual(handCount(sent), expected, "the independent count agrees with the literal");
                assert.deepEqual(calculator(body, smartEncoding), expected, "Twilio's calculator counts as the documented rules say");
                if (smartEncoding) assert.equal(smartEncode(body).text, sent, "the package's smart encoding gives the literal Body");
                const rule = textCost(sent);
                assert.deepEqual({ encoding: rule.encoding, segments: rule.segments }, expected, "the package's rule");

                const { port, msg } = await send(body, { smartEncoding });
                assert.equal(port, 1, `sent: ${JSON.stringify(msg.payload)}`);
                assert.equal(msg.segments, expected.segments);
                assert.equal(msg.encoding, expected.encoding);
                assert.equal(standin.requests.length, 1);
                assert.equal(standin.requests[0].form.Body, sent, "the Body Twilio received");
                assert.equal(msg.payload.num_segments, String(expected.segments), "the stand-in (Twilio's calculator) agrees with the literal");
                if (smartEncoding) assert.ok(msg.replaced && typeof msg.replaced === "object", "msg.replaced is set with smart encoding on");
                else assert.equal("replaced" in msg, false, "no msg.replaced with smart encoding off");
            });

            if (expected.segments < 2) continue;
            it(`${title}: capped one below, nothing is sent`, async function () {
                const max = expected.segments - 1;
                const { port, msg } = await send(body, { smartEncoding, maxSegments: String(max) });
                assert.equal(port, 2);
                assert.equal(standin.requests.length, 0, "nothing reached the stand-in");
                assert.equal(msg.payload.type, "ValidationError");
                assert.equal(msg.segments, expected.segments, "output 2 carries msg.segments");
                assert.equal(msg.encoding, expected.encoding, "output 2 carries msg.encoding");
                const error = msg.payload.error;
                assert.match(error, new RegExp(`\\b${expected.segments}\\b`), "says how many segments");
                assert.match(error, new RegExp(`\\(${max}\\)`), "says what the cap is");
                assert.match(error, /maxSegments/);
                const forcing = forcingUcs2(sent);
                assert.deepEqual(textCost(sent).forcingUcs2, forcing, "the characters forcing UCS-2");
                for (const char of forcing) assert.ok(error.includes(showCharacter(char)), `names ${showCharacter(char)} as forcing UCS-2: ${error}`);
                if (expected.encoding === "GSM-7") assert.equal(forcing.length, 0);
            });
        }
    });

    describe("smart encoding", function () {
        const table = Object.entries(lookAlikeTable());

        it("uses Twilio's table: every entry replaced as Twilio's calculator replaces it", function () {
            assert.ok(table.length > 200, `the table has ${table.length} entries`);
            for (const [char, lookAlike] of table) {
                const body = `x${char}y`;
                const { text, replaced } = smartEncode(body);
                assert.equal(text, `x${lookAlike}y`, `${showCharacter(char)}`);
                assert.deepEqual(replaced, { [char]: 1 });
                const counted = textCost(text);
                assert.deepEqual({ encoding: counted.encoding, segments: counted.segments }, calculator(body, true), showCharacter(char));
                assert.equal(counted.encoding, "GSM-7", `${showCharacter(char)} becomes GSM-7`);
            }
        });

        it("replaces each entry of the table in the Body sent, and msg.replaced counts each character", async function () {
            // every entry twice, between letters, in Bodies of at most 1600 characters after replacement
            const chunks = [];
            let chunk = [];
            for (const entry of table) {
                chunk.push(entry);
                if (chunk.length === 60) chunks.push(chunk), (chunk = []);
            }
            if (chunk.length) chunks.push(chunk);
            for (const entries of chunks) {
                await helper.unload();
                standin.reset();
                const body = entries.map(([char]) => `q${char}${char}`).join("") + "z";
                const { port, msg } = await send(body, { smartEncoding: true });
                assert.equal(port, 1, JSON.stringify(msg.payload));
                const expected = entries.map(([, lookAlike]) => `q${lookAlike}${lookAlike}`).join("") + "z";
                assert.equal(standin.requests[0].form.Body, expected);
                assert.deepEqual(msg.replaced, Object.fromEntries(entries.map(([char]) => [char, 2])));
                assert.equal(msg.encoding, "GSM-7");
                assert.deepEqual({ encoding: msg.encoding, segments: msg.segments }, handCount(expected));
            }
        });

        it("is off by default: the Body is sent as it is", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const { msg } = await run({ payload: { ...SMS, Body: "It’s … done" } });
            assert.equal(standin.requests[0].form.Body, "It’s … done");
            assert.equal(msg.encoding, "UCS-2");
            assert.equal("replaced" in msg, false);
        });

        it("with nothing to replace, msg.replaced is empty", async function () {
            const { msg } = await send("plain", { smartEncoding: true });
            assert.deepEqual(msg.replaced, {});
        });

        it("a Body of nothing but removed characters is refused as an empty Body", async function () {
            const { port, msg } = await send("\u200b\u2060", { smartEncoding: true });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ValidationError");
            assert.match(msg.payload.error, /Body/);
            assert.equal(standin.requests.length, 0);
            assert.equal("segments" in msg, false);
        });

        it("a replacement that makes the Body longer than 1600 characters is refused before sending", async function () {
            const { port, msg } = await send("…".repeat(600), { smartEncoding: true });
            assert.equal(port, 2);
            assert.match(msg.payload.error, /Body/);
            assert.equal(standin.requests.length, 0);
            assert.equal(msg.parameters.Body, ".".repeat(1800), "output 2 shows the Body as it would have been sent");
        });

        it("the cap's error suggests smart encoding for characters that have a look-alike", async function () {
            const { msg } = await send(u(71) + "日", { maxSegments: "1" });
            assert.equal(msg.payload.type, "ValidationError");
            assert.match(msg.payload.error, /Smart encoding would replace these with GSM-7 look-alikes: ’ \(U\+2019\)\./);
            assert.ok(msg.payload.error.includes("日 (U+65E5)"), "names 日 among the characters forcing UCS-2");
        });
    });

    describe("what carries msg.segments and msg.encoding", function () {
        it("output 2 of a message refused for another reason", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const { port, msg } = await run({ payload: { To: "+16175551212", Body: a(200) } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "ValidationError");
            assert.equal(msg.segments, 2);
            assert.equal(msg.encoding, "GSM-7");
        });

        it("output 2 of a message Twilio refused", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            // a magic number of Twilio's test credentials: "not a valid phone number" (21211)
            const { port, msg } = await run({ payload: { ...SMS, To: "+15005550001", Body: "€" } });
            assert.equal(port, 2);
            assert.equal(msg.payload.type, "TwilioError");
            assert.equal(msg.segments, 1);
            assert.equal(msg.encoding, "GSM-7");
        });

        it("a string msg.payload, taken as the Body", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", fields: { To: SMS.To, From: SMS.From } });
            const { msg } = await run({ payload: u(71) });
            assert.equal(msg.segments, 2);
            assert.equal(msg.encoding, "UCS-2");
        });

        it("not a WhatsApp message, nor one without Body; what an earlier node left is removed", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage", fields: { maxSegments: "1" } });
            const whatsapp = await run({
                payload: { To: "whatsapp:+16175551212", From: "whatsapp:+15005550006", Body: u(200) },
                segments: 9,
                encoding: "UCS-2",
                replaced: {},
            });
            assert.equal(whatsapp.port, 1, "the cap does not apply to WhatsApp");
            assert.equal(standin.requests[0].form.Body, u(200));
            for (const property of ["segments", "encoding", "replaced"]) assert.equal(property in whatsapp.msg, false, property);
            const media = await run({ payload: { ...SMS, MediaUrl: "https://example.com/a.png" }, segments: 9 });
            assert.equal(media.port, 1);
            assert.equal("segments" in media.msg, false);
            assert.equal("encoding" in media.msg, false);
        });

        it("not the other operations of the messages node", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "listMessage" });
            const { port, msg } = await run({ payload: {}, segments: 4 });
            assert.equal(port, 1);
            assert.equal(msg.segments, 4, "left as it came");
        });
    });

    describe("the maxSegments setting", function () {
        it("blank is no cap", async function () {
            const { port, msg } = await send(u(600), { maxSegments: "" });
            assert.equal(port, 1);
            assert.equal(msg.segments, 9);
        });

        for (const bad of ["0", "-1", "2.5", "two"]) {
            it(`"${bad}" is a ConfigError, and nothing is sent`, async function () {
                const { port, msg } = await send("hi", { maxSegments: bad });
                assert.equal(port, 2);
                assert.equal(msg.payload.type, "ConfigError");
                assert.match(msg.payload.error, new RegExp(`maxSegments .*"${bad.replace(".", "\\.")}"`));
                assert.equal(standin.requests.length, 0);
            });
        }

        it("parseMaxSegments: blank, numbers and text", function () {
            assert.deepEqual(parseMaxSegments(""), { ok: true, max: undefined });
            assert.deepEqual(parseMaxSegments(undefined), { ok: true, max: undefined });
            assert.deepEqual(parseMaxSegments(" 3 "), { ok: true, max: 3 });
            assert.deepEqual(parseMaxSegments(2), { ok: true, max: 2 });
            assert.deepEqual(parseMaxSegments(0), { ok: false });
            assert.deepEqual(parseMaxSegments(1.5), { ok: false });
        });
    });

    describe("properties (fast-check)", function () {
        // GSM-7 letters, extension characters, look-alikes, other BMP characters, emoji and a combining mark
        const GSM7_CHARACTERS = "aZ0 .,\n@£$¥èéÄΩü€[]{}^~|\\";
        const LOOK_ALIKE_CHARACTERS = "’‘“”–—…\u00a0\t\u200b";
        const character = fc.constantFrom(...GSM7_CHARACTERS, ...LOOK_ALIKE_CHARACTERS, ..."日本😀🚨\u0301");
        // any of them, or GSM-7 and look-alikes only: without those, a text long enough to reach a GSM-7 segment
        // boundary nearly always has a UCS-2 character somewhere
        const gsm7OrLookAlike = fc.constantFrom(...GSM7_CHARACTERS, ...LOOK_ALIKE_CHARACTERS);
        const body = fc
            .oneof(fc.array(character, { minLength: 1, maxLength: 400, size: "max" }), fc.array(gsm7OrLookAlike, { minLength: 1, maxLength: 400, size: "max" }))
            .map((chars) => chars.join(""));
        /** Which encodings and segment counts the runs reached: each must have come up, or the property says little. */
        const reach = () => ({ "GSM-7 1": 0, "GSM-7 2+": 0, "UCS-2 1": 0, "UCS-2 2+": 0 });
        const note = (reached, { encoding, segments }) => reached[`${encoding} ${segments > 1 ? "2+" : "1"}`]++;
        const assertReached = (reached, floor) => {
            for (const [kind, count] of Object.entries(reached)) assert.ok(count >= floor, `${kind}: ${count} runs, at least ${floor}: ${JSON.stringify(reached)}`);
        };

        it("the rule counts what the independent count counts, and smart encoding gives the literal look-alikes", function () {
            const reached = reach();
            fc.assert(
                fc.property(body, fc.boolean(), (text, smart) => {
                    const sent = smart ? smartLiteral(text) : text;
                    if (smart) assert.equal(smartEncode(text).text, sent);
                    const rule = textCost(sent);
                    const expected = handCount(sent);
                    assert.deepEqual({ encoding: rule.encoding, segments: rule.segments }, expected);
                    assert.deepEqual(rule.forcingUcs2, forcingUcs2(sent));
                    note(reached, expected);
                }),
                { numRuns: 600 },
            );
            assertReached(reached, 20);
        });

        it("through the node: msg.segments is the independent count's, the cap holds, and the Body sent is the literal one", async function () {
            const reached = reach();
            await fc.assert(
                fc.asyncProperty(body, fc.integer({ min: 1, max: 6 }), fc.boolean(), async (text, max, smart) => {
                    await helper.unload();
                    standin.reset();
                    const { port, msg } = await send(text, { maxSegments: String(max), smartEncoding: smart });
                    const sent = smart ? smartLiteral(text) : text;
                    if (sent === "" || sent.length > 1600) {
                        assert.equal(port, 2);
                        assert.equal(standin.requests.length, 0);
                        return;
                    }
                    const expected = handCount(sent);
                    note(reached, expected);
                    assert.equal(msg.segments, expected.segments);
                    assert.equal(msg.encoding, expected.encoding);
                    if (expected.segments > max) {
                        assert.equal(port, 2);
                        assert.equal(msg.payload.type, "ValidationError");
                        assert.equal(standin.requests.length, 0, "capped: nothing sent");
                    } else {
                        assert.equal(port, 1, JSON.stringify(msg.payload));
                        assert.equal(standin.requests[0].form.Body, sent);
                    }
                }),
                { numRuns: 100 },
            );
            assertReached(reached, 1);
        });
    });

    describe("the editor's counter route (POST /gatewire-twilio/segments)", function () {
        const ROUTE = "/gatewire-twilio/segments";

        it("answers what Twilio's calculator counts, with and without smart encoding", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const text = "It’s 9.8 bar… check {valve} €";
            const plain = (await helper.request().post(ROUTE).send({ text, smartEncoding: false }).expect(200)).body;
            // 29 characters, two of them (’ …) not GSM-7: UCS-2, 29 units, one segment
            assert.deepEqual({ encoding: plain.cost.encoding, segments: plain.cost.segments }, { encoding: "UCS-2", segments: 1 });
            assert.deepEqual(plain.cost.forcingUcs2, ["’", "…"]);
            assert.deepEqual(plain.replaced, []);
            const smart = (await helper.request().post(ROUTE).send({ text, smartEncoding: true }).expect(200)).body;
            // "It's 9.8 bar... check {valve} €": 31 characters, three of them extension characters: 34 septets
            assert.deepEqual({ encoding: smart.cost.encoding, segments: smart.cost.segments }, { encoding: "GSM-7", segments: 1 });
            assert.deepEqual(smart.cost.doubleSeptets, ["{", "}", "€"]);
            assert.deepEqual(smart.replaced, ["’", "…"]);
            assert.equal(standin.requests.length, 0, "counting sends nothing");
        });

        it("refuses what is not a text to count, saying what to send", async function () {
            await loadNode(standin, { type: "twilio-messages", operation: "postMessage" });
            const missing = await helper.request().post(ROUTE).send({ smartEncoding: false }).expect(400);
            assert.match(missing.body.error, /text: string, smartEncoding: boolean/);
            await helper.request().post(ROUTE).send({ text: "hi", smartEncoding: "yes" }).expect(400);
            const long = await helper.request().post(ROUTE).send({ text: "a".repeat(16_001), smartEncoding: false }).expect(413);
            assert.match(long.body.error, /longer than 16000 characters/);
        });
    });
});
