/**
 * The editor's side of the SMS cost: the counter under postMessage's Body (operation-editor.ts places it). The
 * runtime counts the text, with the very rule it uses before sending (src/rules/segments.ts, through the admin
 * route of src/nodes/operation/segments-route.ts), so the dialog and the outputs cannot disagree; this file only asks and
 * shows the answer in the editor's language.
 */
import { SEGMENTS_ROUTE } from "../../../catalog/node-types";
import type { SmsEncoding, TextCost, TextMeasure } from "../../../rules/segments";
import { isOverCap, isSmsText, parseMaxSegments, showCharacters } from "../../../rules/sms-text";

/** How the runtime counts `text` (after Smart Encoding when `smartEncoding`). */
export function measureText(text: string, smartEncoding: boolean): Promise<TextMeasure> {
    return new Promise((resolve, reject) => {
        $.ajax({ url: SEGMENTS_ROUTE, method: "POST", contentType: "application/json", data: JSON.stringify({ text, smartEncoding }), dataType: "json" }).then(
            (answer) => resolve(answer as TextMeasure),
            (xhr: JqXhr<unknown>) => reject(new Error(xhr.responseJSON?.error ?? `HTTP ${xhr.status}`)),
        );
    });
}

/** Twilio's cost of a text as the runtime counts it before sending. */
export function textCost(text: string): Promise<TextCost> {
    return measureText(text, false).then((measure) => measure.cost);
}

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

/** What the counter shows for the dialog's input; `t` is the node's `_`. */
export async function counterView(input: CounterInput, t: EditorTranslate): Promise<CounterView> {
    if (input.toType === "str" && !isSmsText("x", input.to)) return { lines: [{ text: t(`${KEY}whatsapp`) }] };
    // a Body from msg, flow, env, JSONata... or left to msg.payload is only known when a message comes
    if (input.bodyType !== "str" || input.body === "") return { lines: [{ text: t(`${KEY}dynamic`) }] };
    let measure: TextMeasure;
    try {
        measure = await measureText(input.body, input.smartEncoding);
    } catch (error) {
        return { lines: [{ text: t(`${KEY}unavailable`, { reason: (error as Error).message }), warning: true }] };
    }
    const { cost, replaced } = measure;
    const separator = t("twilio.expected.separator");
    const lines: CounterLine[] = [{ text: t(`${KEY}summary`, { characters: cost.characters, encoding: cost.encoding, segments: cost.segments }) }];
    if (replaced.length > 0) lines.push({ text: t(`${KEY}replaced`, { characters: showCharacters(replaced, separator) }) });
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
