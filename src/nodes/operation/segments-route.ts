/**
 * The admin route the editor's SMS counter asks (as core's serial node lists ports through one): the text is
 * counted here by the rule postMessage sends with (rules/segments.measureText), so the dialog shows the runtime's
 * own answer, and the editor page does not carry Twilio's calculator and its grapheme tables (about 38 KB).
 */
import type { NodeAPI } from "node-red";
import { SEGMENTS_PERMISSION, SEGMENTS_ROUTE } from "../../catalog/node-types";
import { measureText } from "../../rules/segments";

/** Ten times the 1,600 characters Twilio takes, so that a pasted text is still counted, but not any text. */
const MAX_COUNTED_LENGTH = 16_000;

export function registerSegmentsRoute(RED: NodeAPI): void {
    RED.httpAdmin.post(`/${SEGMENTS_ROUTE}`, RED.auth.needsPermission(SEGMENTS_PERMISSION), (req, res) => {
        const { text, smartEncoding } = (req.body ?? {}) as { text?: unknown; smartEncoding?: unknown };
        if (typeof text !== "string" || typeof smartEncoding !== "boolean") {
            res.status(400).json({ error: "send JSON {text: string, smartEncoding: boolean}" });
        } else if (text.length > MAX_COUNTED_LENGTH) {
            res.status(413).json({ error: `text longer than ${MAX_COUNTED_LENGTH} characters is not counted` });
        } else {
            res.json(measureText(text, smartEncoding));
        }
    });
}
