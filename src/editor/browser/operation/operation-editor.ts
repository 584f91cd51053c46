/**
 * The editor of the operation nodes (calls, messages, media): what each registers with (src/editor/
 * operation-nodes.html) is made here from its collection of the catalog the runtime validates with; the dialog shows
 * exactly the fields of the chosen operation.
 */
import { ACCOUNT_NODE_TYPE, CATALOG_NAMESPACE, WEBHOOK_NODE_TYPE } from "../../../catalog/node-types";
import type { CollectionName } from "../../../catalog/types";
import { CONFIG_VERSIONS } from "../../../rules/config-migrations";
import { parseMaxSegments } from "../../../rules/sms-text";
import { migrateOnLoad } from "../dialog-common";
import { operationDialog } from "./dialog";
import { editorModel, fieldNames as collectionFieldNames, hasSmsText as collectionHasSmsText, hasStatusWebhook as collectionHasStatusWebhook, type EditorField, type EditorOperation } from "./editor-model";
import { collectionHelpHtml } from "./help-html";
import { counterView, renderCounter } from "./sms-counter";

interface OperationNode extends EditorNode {
    operation: string;
    statusWebhook?: string;
}

interface WebhookNode extends EditorNode {
    path?: string;
}

/** Typing is counted once it pauses this long, not on every key. */
const COUNT_DELAY = 120;

/**
 * The definition of the operation node `type`, offering the operations of `collection`. Its dialog and sidebar help go
 * to the page as the templates Node-RED looks up by type (it makes some of its own dialogs alike); the help first,
 * since the palette reads it when the type is registered.
 */
export function operationEditor(type: string, collection: CollectionName): NodeDefinition<OperationNode> {
    const operations = editorModel(collection);
    const t: EditorTranslate = (key, substitutions) => RED._(`${CATALOG_NAMESPACE}:${key}`, substitutions);
    $("<script>", { type: "text/html", "data-help-name": type }).text(collectionHelpHtml(type, collection, t)).appendTo("body");
    $("<script>", { type: "text/html", "data-template-name": type }).text(operationDialog(collection)).appendTo("body");
    // a plain object, looked up by the name a flow holds
    const byName: Record<string, EditorOperation | undefined> = {};
    for (const op of operations) byName[op.name] = op;
    const fieldNames = collectionFieldNames(collection);

    function fieldOf(operation: string, name: string): EditorField | undefined {
        const op = byName[operation];
        return op && op.fields.find((field) => field.name === name);
    }

    function firstFieldNamed(name: string): EditorField {
        for (const op of operations) {
            const field = fieldOf(op.name, name);
            if (field) return field;
        }
        throw new Error(`no operation of ${collection} has the field ${name}`);
    }

    /** The dialog's current value of a property when the dialog is open, else the node's. */
    function current(node: OperationNode, property: string): unknown {
        const input = $(`#node-input-${property}`);
        return input.length ? input.val() : node[property];
    }

    /** Whether a literal value fits the field's pattern or range; msg, env, jsonata and the like are checked at runtime. */
    function fits(field: EditorField, valueType: unknown, value: unknown): boolean {
        if (valueType === "num") {
            const number = Number(value);
            return Number.isInteger(number) && (field.min === undefined || number >= field.min) && (field.max === undefined || number <= field.max);
        }
        if (valueType !== "str") return true;
        if (field.max !== undefined && String(value).length > field.max) return false;
        return !field.pattern || new RegExp(field.pattern).test(String(value));
    }

    function validateField(name: string): NodeProperty<OperationNode>["validate"] {
        return function (value, options) {
            const field = fieldOf(current(this, "operation") as string, name);
            if (!field || value === "" || value === undefined || value === null) return true;
            if (fits(field, current(this, `${name}Type`), value)) return true;
            return options ? t("twilio.tip.invalidField", { param: name }) : false;
        };
    }

    // postMessage and createCall can take a twilio-webhook node's public URL as their StatusCallback
    const hasStatusWebhook = collectionHasStatusWebhook(collection);
    // postMessage's Body is counted by the runtime, with the rule it sends with (sms-counter.ts asks
    // src/nodes/operation/segments-route.ts)
    const hasSmsText = collectionHasSmsText(collection);

    /** The counter under the SMS text, updated on any input in the dialog (Body, its type, To, the settings). */
    function watchSmsText(node: OperationNode, select: JQuery): void {
        const counter = document.getElementById("twilio-segments-counter")!;
        function typed(name: string): { type: string; value: string } {
            const input = $(`#node-input-${name}`);
            return input.length ? { type: input.typedInput("type"), value: input.typedInput("value") } : { type: "", value: "" };
        }
        let latest = 0;
        let timer: ReturnType<typeof setTimeout> | undefined;
        function update(): void {
            const op = byName[select.val()];
            if (!op || !op.smsText) return;
            const body = typed(op.smsText);
            const to = typed("To");
            // answers can overtake each other: only the one for the latest input is shown
            const asked = ++latest;
            void counterView(
                {
                    bodyType: body.type,
                    body: body.value,
                    toType: to.type,
                    to: to.value,
                    smartEncoding: $("#node-input-smartEncoding").prop("checked") === true,
                    maxSegments: $("#node-input-maxSegments").val(),
                },
                (key, substitutions) => node._(key, substitutions),
            ).then((view) => {
                if (asked === latest) renderCounter(counter, view);
            });
        }
        $(".twilio-dialog").on("input change keyup", () => {
            clearTimeout(timer);
            timer = setTimeout(update, COUNT_DELAY);
        });
        update();
    }

    function isWebhook(id: string): boolean {
        const webhook = RED.nodes.node(id);
        return !!webhook && webhook.type === WEBHOOK_NODE_TYPE;
    }

    /** The flow's webhook nodes (any tab), blank first: none. */
    function fillWebhookSelect(node: OperationNode): void {
        const select = $("#node-input-statusWebhook");
        $("<option>").val("").text(node._("twilio.label.noStatusWebhook")).appendTo(select);
        const webhooks: WebhookNode[] = [];
        RED.nodes.eachNode((n) => {
            if (n.type === WEBHOOK_NODE_TYPE) webhooks.push(n);
        });
        for (const webhook of webhooks) $("<option>").val(webhook.id).text(webhook.name || webhook.path || webhook.id).appendTo(select);
        // a webhook deleted since: kept visible, so that the dialog says what the node points at
        if (node.statusWebhook && !isWebhook(node.statusWebhook)) {
            $("<option>").val(node.statusWebhook).text(node._("twilio.label.missingStatusWebhook")).appendTo(select);
        }
        select.val(node.statusWebhook || "");
    }

    function placeholder(node: OperationNode, field: EditorField): string {
        return field.default !== undefined
            ? node._("twilio.placeholder.default", { value: field.default })
            : node._("twilio.placeholder.fromPayload", { param: field.name });
    }

    function typedInputTypes(node: OperationNode, field: EditorField): TypedInputSettings["types"] {
        return field.types.map((valueType) => {
            if (valueType !== "option") return valueType;
            const options = (field.options ?? []).map((value) => ({ value, label: value }));
            return {
                value: "option",
                label: node._("twilio.label.choice"),
                icon: "fa fa-list",
                multiple: field.multiple,
                options: field.multiple ? options : [{ value: "", label: placeholder(node, field) }, ...options],
            };
        });
    }

    function showOperation(node: OperationNode, operation: string): void {
        const op = byName[operation];
        $(".twilio-field").hide();
        $("#twilio-row-statusWebhook").toggle(!!op && op.statusWebhook);
        $("#twilio-segments-counter, #twilio-row-maxSegments, #twilio-row-smartEncoding").toggle(!!op && !!op.smsText);
        if (!op) return;
        $("#twilio-operation-summary").text(node._(`twilio.summaries.${op.name}`));
        for (const field of op.fields) {
            // rows are shared by the collection's operations: put them in this operation's order
            const row = $(`#twilio-row-${field.name}`);
            row.appendTo(row.parent()).show();
            row.find(".twilio-required").toggle(field.required);
            row.find(".twilio-help").text(node._(`twilio.params.${op.name}.${field.name}`));
            row.find(`.red-ui-typedInput-input, #node-input-${field.name}`).attr("placeholder", placeholder(node, field));
        }
        // the status webhook stands in for a blank StatusCallback: shown right below it
        if (op.statusWebhook) $("#twilio-row-statusWebhook").insertAfter("#twilio-row-StatusCallback");
        // the setting that lets AccountSid and AuthToken come from messages: right below those fields, last
        const credentialsRow = $("#twilio-row-allowMessageCredentials");
        credentialsRow.appendTo(credentialsRow.parent());
        // the counter under the SMS text, the cap and smart encoding right below it
        if (op.smsText) {
            $("#twilio-segments-counter").appendTo(`#twilio-row-${op.smsText}`);
            $("#twilio-row-smartEncoding").insertAfter(`#twilio-row-${op.smsText}`);
            $("#twilio-row-maxSegments").insertAfter(`#twilio-row-${op.smsText}`);
        }
    }

    migrateOnLoad(type);
    const defaults: NodeDefinition<OperationNode>["defaults"] = {
        configVersion: { value: CONFIG_VERSIONS[type] },
        name: { value: "" },
        account: { value: "", type: ACCOUNT_NODE_TYPE, required: true },
        operation: {
            value: operations[0].name,
            required: true,
            validate: (value) => Object.prototype.hasOwnProperty.call(byName, value as string),
        },
    };
    for (const name of fieldNames) {
        defaults[name] = { value: "", validate: validateField(name) };
        defaults[`${name}Type`] = { value: firstFieldNamed(name).defaultType };
    }
    // off by default, and for flows saved before the setting existed (undefined is off at runtime too)
    defaults.allowMessageCredentials = { value: false };
    if (hasStatusWebhook) {
        defaults.statusWebhook = { value: "", validate: (value) => !value || isWebhook(value as string) };
    }
    if (hasSmsText) {
        defaults.maxSegments = {
            value: "",
            validate: (value, options) => {
                if (parseMaxSegments(value).ok) return true;
                return options ? t("twilio.segments.badMaxSegments", { value: value as string }) : false;
            },
        };
        defaults.smartEncoding = { value: false };
    }

    return {
        defaults,
        label() {
            return this.name || (byName[this.operation] ? this._(`twilio.operations.${this.operation}`) : type);
        },
        paletteLabel() {
            return this._(`twilio.paletteLabel.${type}`);
        },
        labelStyle() {
            return this.name ? "node_label_italic" : "";
        },
        outputLabels(index) {
            return this._(index === 0 ? "twilio.label.outputs.result" : "twilio.label.outputs.error");
        },
        oneditprepare() {
            const node = this;
            const select = $("#node-input-operation");
            for (const op of operations) $("<option>").val(op.name).text(`${op.name} - ${node._(`twilio.operations.${op.name}`)}`).appendTo(select);
            select.val(byName[node.operation] ? node.operation : operations[0].name);
            for (const name of fieldNames) {
                const field = firstFieldNamed(name);
                $(`#node-input-${name}`).typedInput({
                    default: field.defaultType,
                    typeField: `#node-input-${name}Type`,
                    types: typedInputTypes(node, field),
                });
            }
            if (hasStatusWebhook) fillWebhookSelect(node);
            select.on("change", () => showOperation(node, select.val()));
            showOperation(node, select.val());
            if (hasSmsText) watchSmsText(node, select);
        },
        oneditsave() {
            // operations share property names (To, From, PageSize...): a value left in a field the chosen
            // operation does not show would linger in the flow file, so it is cleared
            const op = byName[$("#node-input-operation").val()];
            for (const name of fieldNames) if (op && !fieldOf(op.name, name)) $(`#node-input-${name}`).typedInput("value", "");
            if (hasStatusWebhook && op && !op.statusWebhook) $("#node-input-statusWebhook").val("");
        },
    };
}
