/**
 * The editor's side of the SMS cost: the counter under postMessage's Body (bundled into twilioShared, see
 * editor.ts). It counts with the very rule the runtime uses before sending (src/rules/segments.ts), so the dialog and
 * the outputs cannot disagree.
 */
import { isOverCap, isSmsText, parseMaxSegments, showCharacters, smartEncode, textCost, type SmsEncoding } from "../../rules/segments";

export { parseMaxSegments, smartEncode, textCost };

/** node._ of the dialog: the node's message catalog, in the editor's language. */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/** What the dialog holds: the Body's typedInput type and text, To (if typed), and the node's two settings. */
export interface CounterInput {
    bodyType: string;
    body: string;
    toType: string;
    to: string;
    smartEncoding: boolean;
    maxSegments: string;
}

export interface CounterLine {
    text: string;
    warning?: boolean;
}

export interface CounterView {
    lines: CounterLine[];
    encoding?: SmsEncoding;
    segments?: number;
}

const KEY = "twilio.segments.counter.";

export function counterView(input: CounterInput, t: Translate): CounterView {
    if (input.toType === "str" && !isSmsText("x", input.to)) return { lines: [{ text: t(`${KEY}whatsapp`) }] };
    // a Body from msg, flow, env, JSONata... or left to msg.payload is only known when a message comes
    if (input.bodyType !== "str" || input.body === "") return { lines: [{ text: t(`${KEY}dynamic`) }] };
    let text = input.body;
    const lines: CounterLine[] = [];
    const separator = t("twilio.expected.separator");
    if (input.smartEncoding) {
        const encoded = smartEncode(text);
        text = encoded.text;
        const replaced = Object.keys(encoded.replaced);
        if (replaced.length > 0) lines.push({ text: t(`${KEY}replaced`, { characters: showCharacters(replaced, separator) }) });
    }
    const cost = textCost(text);
    lines.unshift({ text: t(`${KEY}summary`, { characters: cost.characters, encoding: cost.encoding, segments: cost.segments }) });
    if (cost.forcingUcs2.length > 0) lines.push({ text: t(`${KEY}forcedBy`, { characters: showCharacters(cost.forcingUcs2, separator) }) });
    if (cost.doubleSeptets.length > 0) lines.push({ text: t(`${KEY}doubleSeptets`, { characters: showCharacters(cost.doubleSeptets, separator) }) });
    const max = parseMaxSegments(input.maxSegments);
    if (max.ok && isOverCap(cost, max.max)) lines.push({ text: t(`${KEY}overCap`, { max: max.max! }), warning: true });
    return { lines, encoding: cost.encoding, segments: cost.segments };
}

/** Shows a view in the counter element; data-encoding and data-segments say the same for scripts and tests. */
export function renderCounter(element: HTMLElement, view: CounterView): void {
    element.textContent = "";
    for (const line of view.lines) {
        const div = document.createElement("div");
        div.textContent = line.text;
        if (line.warning) div.className = "twilio-segments-over";
        element.appendChild(div);
    }
    element.dataset.encoding = view.encoding ?? "";
    element.dataset.segments = view.segments === undefined ? "" : String(view.segments);
}
