/**
 * What an SMS text costs before it is sent: its encoding (GSM-7 or UCS-2), its number of segments, the
 * characters that force UCS-2, and Twilio's Smart Encoding, which swaps Unicode look-alikes for GSM-7
 * characters. The counting and the look-alike table are Twilio's own calculator's (sms-segments-calculator);
 * this module only shapes their answers.
 *
 * A rule: no Node-RED, no runtime, no DOM. The runtime calls it before sending postMessage, and the editor's
 * counter asks the runtime for the same answer (`measureText`, through nodes/operation/segments-route.ts) instead of
 * downloading the calculator and its grapheme tables. What needs no calculator is in sms-text.ts.
 */
import { dependency } from "./dependency";

const calculator = dependency<typeof import("sms-segments-calculator")>("sms-segments-calculator");
// the table is not among the package's exports; its file is part of the published dist (no "exports" map)
const smartEncodingMap = dependency<typeof import("sms-segments-calculator/dist/libs/SmartEncodingMap")>("sms-segments-calculator/dist/libs/SmartEncodingMap");

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface TextCost {
    /** Characters as a reader counts them (grapheme clusters, as the calculator splits them). */
    characters: number;
    encoding: SmsEncoding;
    segments: number;
    /** The distinct characters that make the text UCS-2, in order of appearance; empty for GSM-7. */
    forcingUcs2: string[];
    /** The distinct GSM-7 extension characters (€ [ ] { } ^ ~ | \ ...) of a GSM-7 text: two septets each. */
    doubleSeptets: string[];
}

export interface SmartEncoded {
    text: string;
    /** How many times each replaced character occurred, e.g. {"’": 2, "…": 1}. */
    replaced: Record<string, number>;
}

function distinct(values: readonly string[]): string[] {
    return [...new Set(values)];
}

/**
 * The calculator takes about 0.1 ms for a short text and 1 ms for 150 characters (measured on the 2-core test
 * machine). Alarms repeat their texts, and every recipient of a list shares one: the latest results are kept.
 */
const COST_CACHE_SIZE = 256;
const costCache = new Map<string, Readonly<TextCost>>();

/** The text's cost as Twilio's calculator counts it (a shared, frozen answer: do not change it). */
export function textCost(text: string): Readonly<TextCost> {
    const cached = costCache.get(text);
    if (cached) return cached;
    const cost = Object.freeze(countText(text));
    if (costCache.size >= COST_CACHE_SIZE) costCache.delete(costCache.keys().next().value as string);
    costCache.set(text, cost);
    return cost;
}

function countText(text: string): TextCost {
    const message = new (calculator().SegmentedMessage)(text);
    const encoding = message.encodingName;
    const doubleSeptets =
        encoding === "GSM-7" ? message.encodedChars.filter((char) => char.codeUnits.length === 2).map((char) => char.raw) : [];
    return {
        characters: message.graphemes.length,
        encoding,
        segments: message.segmentsCount,
        forcingUcs2: Object.freeze(distinct(message.getNonGsmCharacters())) as string[],
        doubleSeptets: Object.freeze(distinct(doubleSeptets)) as string[],
    };
}

/** The GSM-7 look-alike of one character (code point), if Twilio's Smart Encoding has one. */
export function lookAlikeOf(char: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(smartEncodingMap().default, char) ? smartEncodingMap().default[char] : undefined;
}

/** Every entry of the look-alike table: character -> replacement (some are removed: the replacement is ""). */
export function lookAlikeTable(): Readonly<Record<string, string>> {
    return smartEncodingMap().default;
}

/** Replaces each character that has a look-alike, code point by code point as the calculator does. */
export function smartEncode(text: string): SmartEncoded {
    const replaced: Record<string, number> = {};
    let result = "";
    for (const char of text) {
        const lookAlike = lookAlikeOf(char);
        if (lookAlike === undefined) {
            result += char;
        } else {
            result += lookAlike;
            replaced[char] = (replaced[char] ?? 0) + 1;
        }
    }
    return { text: result, replaced };
}

/** What the editor's counter shows of a text: its cost after Smart Encoding (if on), and what was replaced. */
export interface TextMeasure {
    cost: Readonly<TextCost>;
    /** The replaced characters, in order of appearance; empty when smartEncoding is off. */
    replaced: string[];
}

export function measureText(text: string, smartEncoding: boolean): TextMeasure {
    if (!smartEncoding) return { cost: textCost(text), replaced: [] };
    const encoded = smartEncode(text);
    return { cost: textCost(encoded.text), replaced: Object.keys(encoded.replaced) };
}
