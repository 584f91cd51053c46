/**
 * The rules about an SMS text that need no calculator: which texts are counted, the maxSegments cap, and how
 * characters are named in a sentence. The editor bundles these; the counting itself is segments.ts.
 */
import type { TextCost } from "./segments";

/** A WhatsApp message is not split into SMS segments. */
const WHATSAPP_PREFIX = "whatsapp:";

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

export function isOverCap(cost: Pick<TextCost, "segments">, max: number | undefined): boolean {
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
