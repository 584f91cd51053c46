/**
 * The sidebar help of an operation node in Node-RED's help format, made from the catalog by the editor code in
 * the browser, in the editor's language: every operation, every parameter with what it accepts (the same
 * sentences validation errors use), both outputs.
 */
import { operationsOf } from "../../../catalog/operations";
import { LISTS, PAGE_FIELDS, RESOURCES } from "../../../catalog/result-shapes";
import type { CollectionName, OperationSpec, ParamSpec, ResultKind } from "../../../catalog/types";
import type { Translate } from "../../../rules/translate";
import { describeExpected } from "../../../rules/validation-messages";

interface CollectionHelp {
    example: Record<string, unknown>;
    exampleOperation: string;
    /** Twilio's documentation of the collection's resource (its title is twilio.help.reference.<collection>). */
    reference: string;
    notes: string[];
    /** Message catalog keys of further paragraphs of the details. */
    details: string[];
}

/** Who may receive, and how numbers are written: for the collections whose creates have a recipient. */
const RECIPIENT_DETAILS = ["twilio.recipients.help.recipients", "twilio.recipients.help.numbers", "twilio.recipients.help.destinations"];

const COLLECTION_HELP: Readonly<Record<CollectionName, CollectionHelp>> = {
    calls: {
        exampleOperation: "createCall",
        example: { To: "+16175551212", From: "+15005550006", Url: "https://demo.twilio.com/docs/voice.xml" },
        reference: "https://www.twilio.com/docs/voice/api/call-resource",
        notes: ["ifMachine", "methodPut", "statusWebhook"],
        details: RECIPIENT_DETAILS,
    },
    messages: {
        exampleOperation: "postMessage",
        example: { To: "+16175551212", From: "+15005550006", Body: "Your device is in an error state." },
        reference: "https://www.twilio.com/docs/messaging/api/message-resource",
        notes: ["statusWebhook"],
        details: RECIPIENT_DETAILS,
    },
    media: {
        exampleOperation: "getMedia",
        example: { MessageSid: "MM00000000000000000000000000000001", MediaSid: "ME00000000000000000000000000000001" },
        reference: "https://www.twilio.com/docs/messaging/api/media-resource",
        notes: [],
        details: [],
    },
};

function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function propertyType(spec: ParamSpec): string {
    switch (spec.kind) {
        case "integer":
            return "number";
        case "boolean":
            return "boolean";
        case "url":
            return spec.maxItems ? "string | array" : "string";
        case "enum":
            return spec.multiple ? "string | array" : "string";
        case "json":
            return "object | string";
        default:
            return "string";
    }
}

function paramEntry(op: OperationSpec, spec: ParamSpec, t: Translate): string {
    const notes: string[] = [];
    if (spec.required) notes.push(t("twilio.help.required"));
    const collection = op.requireOneOf?.find((names) => names.includes(spec.name));
    if (collection) notes.push(t("twilio.help.requiredOneOf", { names: collection.join(t("twilio.expected.or")) }));
    if (spec.default !== undefined) notes.push(t("twilio.help.defaultValue", { value: spec.default }));
    const prefix = notes.length ? `<i>${escapeHtml(t("twilio.help.notes", { notes: notes.join(t("twilio.help.separator")) }))}</i> ` : "";
    const accepts = t("twilio.help.accepts", { expected: describeExpected(spec, t) });
    return `    <dt${spec.required ? "" : ' class="optional"'}>${spec.name} <span class="property-type">${propertyType(spec)}</span></dt>
    <dd>${prefix}${escapeHtml(t(`twilio.params.${op.name}.${spec.name}`))} ${escapeHtml(accepts)}</dd>`;
}

/** postMessage's msg.segments, msg.encoding and msg.replaced: on both outputs, so listed in each. */
function smsCostProperties(collection: CollectionName, t: Translate): string {
    if (!operationsOf(collection).some((op) => op.smsText)) return "";
    const entries: Array<[string, string]> = [
        ["segments", "number"],
        ["encoding", "string"],
        ["replaced", "object"],
    ];
    return entries
        .map(([name, kind]) => `
            <dt class="optional">${name} <span class="property-type">${kind}</span></dt>
            <dd>${escapeHtml(t(`twilio.segments.help.${name}`))}</dd>`)
        .join("");
}

function resultShape(kind: ResultKind, t: Translate): string {
    if (kind === "none") return t("twilio.help.deleted");
    const list = LISTS[kind];
    if (list) {
        return t("twilio.help.listShape", {
            pageFields: PAGE_FIELDS.join(", "),
            key: list.key,
            resource: t(`twilio.help.resource.${list.item}`),
        });
    }
    const resource = kind as keyof typeof RESOURCES;
    return t("twilio.help.resourceShape", {
        resource: t(`twilio.help.resource.${resource}`),
        fields: RESOURCES[resource].fields.join(", "),
    });
}

/** The help of the operation node `type` (the inside of its data-help-name script). */
export function collectionHelpHtml(type: string, collection: CollectionName, t: Translate): string {
    const operations = operationsOf(collection);
    const help = COLLECTION_HELP[collection];
    const results = new Map<ResultKind, string[]>();
    for (const op of operations) results.set(op.result, [...(results.get(op.result) ?? []), op.name]);

    const inputs = operations
        .map(
            (op) => `<h4>${op.name}</h4>
<dl class="message-properties">
${op.params.map((spec) => paramEntry(op, spec, t)).join("\n")}
</dl>`,
        )
        .join("\n");
    const resultItems = [...results]
        .map(([kind, names]) => `<li>${escapeHtml(t("twilio.help.resultOf", { operations: names.join(", "), shape: resultShape(kind, t) }))}</li>`)
        .join("\n");

    return `<p>${escapeHtml(t(`twilio.help.intro.${type}`))}</p>

<h3>${t("twilio.help.operations")}</h3>
<dl class="message-properties">
${operations.map((op) => `    <dt>${op.name}</dt><dd>${escapeHtml(t(`twilio.summaries.${op.name}`))}</dd>`).join("\n")}
</dl>

<h3>${t("twilio.help.inputs")}</h3>
<p>${escapeHtml(t("twilio.help.inputsIntro"))}</p>
${inputs}

<h3>${t("twilio.help.outputs")}</h3>
<ol class="node-ports">
    <li>${t("twilio.help.result")}
        <dl class="message-properties">
            <dt>payload <span class="property-type">object | null</span></dt>
            <dd><ul>
${resultItems}
            </ul>${escapeHtml(t("twilio.help.passThrough"))}</dd>${smsCostProperties(collection, t)}
        </dl>
    </li>
    <li>${t("twilio.help.error")}
        <dl class="message-properties">
            <dt>payload <span class="property-type">object</span></dt>
            <dd>${escapeHtml(t("twilio.help.errorPayload"))}</dd>
            <dt>operation <span class="property-type">string</span></dt>
            <dd>${escapeHtml(t("twilio.help.errorOperation"))}</dd>
            <dt>parameters <span class="property-type">object</span></dt>
            <dd>${escapeHtml(t("twilio.help.errorParameters"))}</dd>${smsCostProperties(collection, t)}
        </dl>
        <p>${escapeHtml(t("twilio.help.errorUnwired"))}</p>
    </li>
</ol>

<h3>${t("twilio.help.details")}</h3>
${["credentials", "status", ...help.notes].map((note) => `<p>${escapeHtml(t(`twilio.help.${note}`))}</p>`).join("\n")}
${["twilio.messageCredentials.help", ...help.details].map((key) => `<p>${escapeHtml(t(key))}</p>`).join("\n")}
${smsCostProperties(collection, t) ? `<p>${escapeHtml(t("twilio.segments.help.cost"))}</p>` : ""}

<h3>${t("twilio.help.example")}</h3>
<p>${escapeHtml(t("twilio.help.exampleIntro", { operation: help.exampleOperation }))}</p>
<pre>${escapeHtml(JSON.stringify(help.example, null, 2))}</pre>

<h3>${t("twilio.help.references")}</h3>
<ul>
    <li><a href="${help.reference}">${escapeHtml(t(`twilio.help.reference.${collection}`))}</a></li>
</ul>
`;
}
