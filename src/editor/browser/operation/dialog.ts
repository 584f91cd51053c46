/**
 * The dialog of an operation node (calls, messages, media), made from the catalog in the browser: one row per
 * parameter, then the node's own settings. operation-editor.ts adds it to the page as the node's template.
 */
import type { CollectionName } from "../../../catalog/types";
import { fieldNames, hasSmsText, hasStatusWebhook } from "./editor-model";

/**
 * Parameter names run to 20 characters (StatusCallbackMethod): labels are wider than Node-RED's 100px. A
 * typedInput takes its width from the input's own style attribute, hence the inline width on field inputs.
 */
const DIALOG_STYLE = `<style>
    .twilio-dialog .form-row > label { width: 160px; }
    .twilio-dialog .form-row > input, .twilio-dialog .form-row > select { width: calc(100% - 170px); }
    .twilio-dialog .twilio-help { margin: 4px 0 0 164px; padding: 2px 6px; }
    .twilio-dialog .twilio-segments { margin: 4px 0 0 164px; padding: 2px 6px; }
    .twilio-dialog .twilio-segments-over { color: var(--red-ui-text-color-error, #d6615f); font-weight: bold; }
</style>`;

function fieldRow(name: string): string {
    return `    <div class="form-row twilio-field" id="twilio-row-${name}">
        <label for="node-input-${name}">${name}<span class="twilio-required" data-i18n="[title]twilio.tip.required"> *</span></label>
        <input type="text" id="node-input-${name}" style="width: calc(100% - 170px)">
        <input type="hidden" id="node-input-${name}Type">
        <div class="form-tips twilio-help"></div>
    </div>`;
}

/** The status webhook setting: not a parameter of Twilio's, so not a typedInput field of the catalog's. */
const STATUS_WEBHOOK_ROW = `    <div class="form-row" id="twilio-row-statusWebhook">
        <label for="node-input-statusWebhook"><i class="fa fa-reply"></i> <span data-i18n="twilio.label.statusWebhook"></span></label>
        <select id="node-input-statusWebhook"></select>
        <div class="form-tips twilio-help" data-i18n="twilio.tip.statusWebhook"></div>
    </div>`;

/** Per-message credentials: a setting of the node, off unless ticked, for every operation (all take AccountSid). */
const MESSAGE_CREDENTIALS_ROW = `    <div class="form-row" id="twilio-row-allowMessageCredentials">
        <label for="node-input-allowMessageCredentials"><i class="fa fa-id-card-o"></i> <span data-i18n="twilio.messageCredentials.label"></span></label>
        <input type="checkbox" id="node-input-allowMessageCredentials" style="display: inline-block; width: auto; vertical-align: top;">
        <label for="node-input-allowMessageCredentials" style="width: auto" data-i18n="twilio.messageCredentials.checkbox"></label>
        <div class="form-tips twilio-help" data-i18n="twilio.messageCredentials.tip"></div>
    </div>`;

/**
 * The SMS cost of postMessage's Body: the counter (placed under the Body by the editor code), the cap and
 * Smart Encoding. Settings of the node, not parameters of Twilio's.
 */
const SMS_TEXT_ROWS = `    <div class="form-tips twilio-segments" id="twilio-segments-counter" aria-live="polite"></div>
    <div class="form-row" id="twilio-row-maxSegments">
        <label for="node-input-maxSegments"><i class="fa fa-scissors"></i> <span data-i18n="twilio.segments.label.maxSegments"></span></label>
        <input type="text" id="node-input-maxSegments" inputmode="numeric" style="width: 100px" data-i18n="[placeholder]twilio.segments.placeholder.maxSegments">
        <div class="form-tips twilio-help" data-i18n="twilio.segments.tip.maxSegments"></div>
    </div>
    <div class="form-row" id="twilio-row-smartEncoding">
        <label for="node-input-smartEncoding"><i class="fa fa-magic"></i> <span data-i18n="twilio.segments.label.smartEncoding"></span></label>
        <input type="checkbox" id="node-input-smartEncoding" style="width: auto; vertical-align: top">
        <label for="node-input-smartEncoding" style="width: calc(100% - 200px)" data-i18n="twilio.segments.label.smartEncodingCheckbox"></label>
    </div>`;

/** The template of an operation node's dialog (the inside of its data-template-name script). */
export function operationDialog(collection: CollectionName): string {
    const smsText = hasSmsText(collection);
    return `${DIALOG_STYLE}
<div class="twilio-dialog">
    <div class="form-row">
        <label for="node-input-name"><i class="fa fa-tag"></i> <span data-i18n="twilio.label.name"></span></label>
        <input type="text" id="node-input-name" data-i18n="[placeholder]twilio.label.name">
    </div>
    <div class="form-row">
        <label for="node-input-account"><i class="fa fa-user"></i> <span data-i18n="twilio.label.account"></span></label>
        <input type="text" id="node-input-account">
    </div>
    <div class="form-row">
        <label for="node-input-operation"><i class="fa fa-tasks"></i> <span data-i18n="twilio.label.operation"></span></label>
        <select id="node-input-operation"></select>
    </div>
    <div class="form-tips" id="twilio-operation-summary"></div>
${fieldNames(collection).map(fieldRow).join("\n")}
${hasStatusWebhook(collection) ? STATUS_WEBHOOK_ROW : ""}
${MESSAGE_CREDENTIALS_ROW}
${smsText ? SMS_TEXT_ROWS : ""}
</div>
`;
}
