/**
 * The cost of postMessage's Body as the node handles it: the node's maxSegments and smartEncoding settings, the
 * Body replaced and counted before validation (so that what is validated and sent is the replaced text), the
 * cap, and msg.segments / msg.encoding / msg.replaced on both outputs. The rules are in rules/segments and rules/sms-text.
 */
import type { NodeMessage } from "node-red";
import type { OperationSpec } from "../../catalog/types";
import { lookAlikeOf, smartEncode, textCost, type SmsEncoding } from "../../rules/segments";
import { isOverCap, isSmsText, parseMaxSegments, showCharacters } from "../../rules/sms-text";
import type { Translate } from "../../rules/translate";
import type { OperationParams } from "../../rules/validate";

export interface CostSettings {
    /** undefined: no cap. */
    maxSegments: number | undefined;
    smartEncoding: boolean;
}

/** What the outputs of postMessage carry about its Body. */
export interface CostNote {
    segments: number;
    encoding: SmsEncoding;
    /** Only with smartEncoding on: each replaced character and how often it occurred. */
    replaced?: Record<string, number>;
}

export interface Costing {
    note?: CostNote;
    /** The sentence of the ValidationError when the Body takes more segments than maxSegments. */
    overCap?: string;
}

/** The node's settings, or the ConfigError sentence for a maxSegments that is neither blank nor a whole number ≥ 1. */
export function costSettingsOf(config: { maxSegments?: unknown; smartEncoding?: unknown }, t: Translate): CostSettings | string {
    const max = parseMaxSegments(config.maxSegments);
    if (!max.ok) return t("twilio.segments.badMaxSegments", { value: String(config.maxSegments) });
    return { maxSegments: max.max, smartEncoding: config.smartEncoding === true || config.smartEncoding === "true" };
}

/** Replaces look-alikes in the operation's SMS text (in `input`, when smartEncoding is on) and counts it. */
export function costSmsText(op: OperationSpec, input: OperationParams, settings: CostSettings, t: Translate): Costing {
    const name = op.smsText;
    if (!name || !isSmsText(input[name], input.To)) return {};
    let text = input[name] as string;
    let replaced: Record<string, number> | undefined;
    if (settings.smartEncoding) {
        ({ text, replaced } = smartEncode(text));
        input[name] = text;
        // a text of nothing but removed characters: no Body left to count, validation says so
        if (text === "") return {};
    }
    const cost = textCost(text);
    const note: CostNote = { segments: cost.segments, encoding: cost.encoding };
    if (replaced) note.replaced = replaced;
    if (!isOverCap(cost, settings.maxSegments)) return { note };

    const separator = t("twilio.expected.separator");
    const sentences = [
        t("twilio.segments.overCap", {
            param: name,
            segments: cost.segments,
            encoding: cost.encoding,
            characters: cost.characters,
            max: settings.maxSegments!,
        }),
    ];
    if (cost.forcingUcs2.length > 0) {
        sentences.push(t("twilio.segments.forcedBy", { characters: showCharacters(cost.forcingUcs2, separator) }));
        const replaceable = cost.forcingUcs2.filter((char) => lookAlikeOf(char) !== undefined);
        if (!settings.smartEncoding && replaceable.length > 0) {
            sentences.push(t("twilio.segments.smartHint", { characters: showCharacters(replaceable, separator) }));
        }
    }
    sentences.push(t("twilio.segments.whatToDo", { param: name }));
    return { note, overCap: sentences.join(" ") };
}

/**
 * Puts the note on a message leaving the node; for a message whose text is not counted (WhatsApp, no Body)
 * it removes what an earlier node may have left, so that msg.segments always describes this message.
 */
export function noteCost(msg: NodeMessage, op: OperationSpec | undefined, note: CostNote | undefined): void {
    if (!op?.smsText) return;
    const out = msg as NodeMessage & Partial<CostNote>;
    delete out.segments;
    delete out.encoding;
    delete out.replaced;
    if (note) Object.assign(out, note);
}
