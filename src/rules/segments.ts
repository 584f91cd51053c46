/**
 * What an SMS text costs before it is sent: its encoding (GSM-7 or UCS-2), its number of segments, the
 * characters that force UCS-2, and Twilio's Smart Encoding, which swaps Unicode look-alikes for GSM-7
 * characters. The counting and the look-alike table are Twilio's own calculator's (sms-segments-calculator);
 * this module only shapes their answers.
 *
 * A rule: no Node-RED, no runtime, no DOM. The runtime calls it before sending postMessage, and the editor's
 * counter runs the very same code, bundled for the browser (src/editor/browser/segments.ts).
 */
import { SegmentedMessage } from "sms-segments-calculator";
// the table is not among the package's exports; its file is part of the published dist (no "exports" map)
import SMART_ENCODING_MAP from "sms-segments-calculator/dist/libs/SmartEncodingMap";

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

/** A WhatsApp message is not split into SMS segments. */
const WHATSAPP_PREFIX = "whatsapp:";

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
    const message = new SegmentedMessage(text);
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
    return Object.prototype.hasOwnProperty.call(SMART_ENCODING_MAP, char) ? SMART_ENCODING_MAP[char] : undefined;
}

/** Every entry of the look-alike table: character -> replacement (some are removed: the replacement is ""). */
export function lookAlikeTable(): Readonly<Record<string, string>> {
    return SMART_ENCODING_MAP;
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

/** Whether a message's text goes out as SMS segments: there is a text, and it is not for WhatsApp. */
export function isSmsText(text: unknown, to: unknown): text is string {
    return typeof text === "string" && text !== "" && !(typeof to === "string" && to.startsWith(WHATSAPP_PREFIX));
}

/**
 * The maxSegments setting: blank (or absent) is no cap; otherwise a whole number of 1 or more, as a number or
 * as the text a dialog stores.
 */
export function parseMaxSegments(value: unknown): { ok: true; max: number | undefined } | { ok: false } {
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return { ok: true, max: undefined };
    const number = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    return Number.isSafeInteger(number) && number >= 1 ? { ok: true, max: number } : { ok: false };
}

export function isOverCap(cost: TextCost, max: number | undefined): boolean {
    return max !== undefined && cost.segments > max;
}

/** How many characters a list shows before "+N": a Japanese text would otherwise list every one of its characters. */
const SHOWN_CHARACTERS = 10;

/** A character as people can tell it apart, invisible ones included: ’ (U+2019). */
export function showCharacter(char: string): string {
    const codes = [...char].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`);
    return `${char} (${codes.join(" ")})`;
}

/** A list of characters for a sentence: the first ten, then how many more. */
export function showCharacters(chars: readonly string[], separator: string): string {
    const shown = chars.slice(0, SHOWN_CHARACTERS).map(showCharacter).join(separator);
    return chars.length > SHOWN_CHARACTERS ? `${shown}${separator}+${chars.length - SHOWN_CHARACTERS}` : shown;
}
