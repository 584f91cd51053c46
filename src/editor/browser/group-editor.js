/* global RED, $, twilioShared */
/**
 * Editor behaviour shared by twilio-calls, twilio-messages and twilio-media. The build inlines this file once
 * into twilio.html, where each of the three registers with what this makes of its group of the catalog the
 * runtime validates with: the dialog shows exactly the fields of the chosen operation.
 */
// eslint-disable-next-line no-unused-vars
function twilioGroupEditor(type, group) {
    "use strict";
    const operations = twilioShared.editorModel(group);
    const t = function (key, substitutions) { return RED._(twilioShared.CATALOG_NAMESPACE + ":" + key, substitutions); };
    // the dialog and the sidebar help, as the templates Node-RED looks up by type (it makes some of its own
    // dialogs alike); the help first, since the palette reads it when the type is registered
    $("<script>", { type: "text/html", "data-help-name": type }).text(twilioShared.groupHelpHtml(type, group, t)).appendTo("body");
    $("<script>", { type: "text/html", "data-template-name": type }).text(twilioShared.operationDialog(group)).appendTo("body");
    const byName = {};
    const fieldNames = [];
    operations.forEach(function (op) {
        byName[op.name] = op;
        op.fields.forEach(function (field) {
            if (fieldNames.indexOf(field.name) === -1) fieldNames.push(field.name);
        });
    });

    function fieldOf(operation, name) {
        const op = byName[operation];
        return op && op.fields.find(function (field) { return field.name === name; });
    }

    function firstFieldNamed(name) {
        for (const op of operations) {
            const field = fieldOf(op.name, name);
            if (field) return field;
        }
    }

    /** The dialog's current value of a property when the dialog is open, else the node's. */
    function current(node, property) {
        const input = $("#node-input-" + property);
        return input.length ? input.val() : node[property];
    }

    /** Whether a literal value fits the field's pattern or range; msg, env, jsonata and the like are checked at runtime. */
    function fits(field, valueType, value) {
        if (valueType === "num") {
            const number = Number(value);
            return Number.isInteger(number) &&
                (field.min === undefined || number >= field.min) &&
                (field.max === undefined || number <= field.max);
        }
        if (valueType !== "str") return true;
        if (field.max !== undefined && String(value).length > field.max) return false;
        return !field.pattern || new RegExp(field.pattern).test(value);
    }

    /** Node-RED 3.1+ passes options and shows a returned text as the reason of the red border. */
    function validateField(name) {
        return function (value, options) {
            const field = fieldOf(current(this, "operation"), name);
            if (!field || value === "" || value === undefined || value === null) return true;
            if (fits(field, current(this, name + "Type"), value)) return true;
            return options ? t("twilio.tip.invalidField", { param: name }) : false;
        };
    }

    // postMessage and createCall can take a twilio-webhook node's public URL as their StatusCallback
    const WEBHOOK_TYPE = "twilio-webhook";
    const hasStatusWebhook = twilioShared.hasStatusWebhook(group);

    // postMessage's Body is counted by the runtime, with the rule it sends with (src/editor/browser/segments.ts
    // asks src/runtime/segments-route.ts)
    const hasSmsText = twilioShared.hasSmsText(group);
    /** Typing is counted once it pauses this long, not on every key. */
    const COUNT_DELAY = 120;

    /** The counter under the SMS text, updated on any input in the dialog (Body, its type, To, the settings). */
    function watchSmsText(node, select) {
        const counter = document.getElementById("twilio-segments-counter");
        function typed(name) {
            const input = $("#node-input-" + name);
            return input.length ? { type: input.typedInput("type"), value: input.typedInput("value") } : { type: "", value: "" };
        }
        let latest = 0;
        let timer;
        function update() {
            const op = byName[select.val()];
            if (!op || !op.smsText) return;
            const body = typed(op.smsText);
            const to = typed("To");
            // answers can overtake each other: only the one for the latest input is shown
            const asked = ++latest;
            twilioShared.counterView({
                bodyType: body.type,
                body: body.value,
                toType: to.type,
                to: to.value,
                smartEncoding: $("#node-input-smartEncoding").prop("checked") === true,
                maxSegments: $("#node-input-maxSegments").val(),
            }, function (key, substitutions) { return node._(key, substitutions); }).then(function (view) {
                if (asked === latest) twilioShared.renderCounter(counter, view);
            });
        }
        $(".twilio-dialog").on("input change keyup", function () {
            clearTimeout(timer);
            timer = setTimeout(update, COUNT_DELAY);
        });
        update();
    }

    function isWebhook(id) {
        const webhook = RED.nodes.node(id);
        return !!webhook && webhook.type === WEBHOOK_TYPE;
    }

    /** The flow's webhook nodes (any tab), blank first: none. */
    function fillWebhookSelect(node) {
        const select = $("#node-input-statusWebhook");
        $("<option>").val("").text(node._("twilio.label.noStatusWebhook")).appendTo(select);
        const webhooks = [];
        RED.nodes.eachNode(function (n) {
            if (n.type === WEBHOOK_TYPE) webhooks.push(n);
        });
        webhooks.forEach(function (webhook) {
            $("<option>").val(webhook.id).text(webhook.name || webhook.path || webhook.id).appendTo(select);
        });
        // a webhook deleted since: kept visible, so that the dialog says what the node points at
        if (node.statusWebhook && !isWebhook(node.statusWebhook)) {
            $("<option>").val(node.statusWebhook).text(node._("twilio.label.missingStatusWebhook")).appendTo(select);
        }
        select.val(node.statusWebhook || "");
    }

    function typedInputTypes(node, field) {
        return field.types.map(function (valueType) {
            if (valueType !== "option") return valueType;
            const blank = field.default !== undefined
                ? node._("twilio.placeholder.default", { value: field.default })
                : node._("twilio.placeholder.fromPayload", { param: field.name });
            const options = field.options.map(function (value) { return { value: value, label: value }; });
            return {
                value: "option",
                label: node._("twilio.label.choice"),
                icon: "fa fa-list",
                multiple: field.multiple,
                options: field.multiple ? options : [{ value: "", label: blank }].concat(options),
            };
        });
    }

    function showOperation(node, operation) {
        const op = byName[operation];
        $(".twilio-field").hide();
        $("#twilio-row-statusWebhook").toggle(!!op && op.statusWebhook);
        $("#twilio-segments-counter, #twilio-row-maxSegments, #twilio-row-smartEncoding").toggle(!!op && !!op.smsText);
        if (!op) return;
        $("#twilio-operation-summary").text(node._("twilio.summaries." + op.name));
        op.fields.forEach(function (field) {
            // rows are shared by the group's operations: put them in this operation's order
            const row = $("#twilio-row-" + field.name);
            row.appendTo(row.parent()).show();
            row.find(".twilio-required").toggle(field.required);
            row.find(".twilio-help").text(node._("twilio.params." + op.name + "." + field.name));
            const placeholder = field.default !== undefined
                ? node._("twilio.placeholder.default", { value: field.default })
                : node._("twilio.placeholder.fromPayload", { param: field.name });
            row.find(".red-ui-typedInput-input, #node-input-" + field.name).attr("placeholder", placeholder);
        });
        // the status webhook stands in for a blank StatusCallback: shown right below it
        if (op.statusWebhook) $("#twilio-row-statusWebhook").insertAfter("#twilio-row-StatusCallback");
        // the setting that lets AccountSid and AuthToken come from messages: right below those fields, last
        const credentialsRow = $("#twilio-row-allowMessageCredentials");
        credentialsRow.appendTo(credentialsRow.parent());
        // the counter under the SMS text, the cap and smart encoding right below it
        if (op.smsText) {
            $("#twilio-segments-counter").appendTo("#twilio-row-" + op.smsText);
            $("#twilio-row-smartEncoding").insertAfter("#twilio-row-" + op.smsText);
            $("#twilio-row-maxSegments").insertAfter("#twilio-row-" + op.smsText);
        }
    }

    twilioShared.migrateOnLoad(RED, type);
    const defaults = {
        configVersion: { value: twilioShared.CONFIG_VERSIONS[type] },
        name: { value: "" },
        account: { value: "", type: "twilio-account", required: true },
        operation: {
            value: operations[0].name,
            required: true,
            validate: function (value) { return byName.hasOwnProperty(value); },
        },
    };
    fieldNames.forEach(function (name) {
        defaults[name] = { value: "", validate: validateField(name) };
        defaults[name + "Type"] = { value: firstFieldNamed(name).defaultType };
    });
    // off by default, and for flows saved before the setting existed (undefined is off at runtime too)
    defaults.allowMessageCredentials = { value: false };
    if (hasStatusWebhook) {
        defaults.statusWebhook = {
            value: "",
            validate: function (value) {
                return !value || isWebhook(value);
            },
        };
    }

    if (hasSmsText) {
        defaults.maxSegments = {
            value: "",
            validate: function (value, options) {
                if (twilioShared.parseMaxSegments(value).ok) return true;
                return options ? t("twilio.segments.badMaxSegments", { value: value }) : false;
            },
        };
        defaults.smartEncoding = { value: false };
    }

    return {
        defaults: defaults,
        label: function () {
            return this.name || (byName[this.operation] ? this._("twilio.operations." + this.operation) : type);
        },
        paletteLabel: function () {
            return this._("twilio.paletteLabel." + type);
        },
        labelStyle: function () {
            return this.name ? "node_label_italic" : "";
        },
        outputLabels: function (index) {
            return this._(index === 0 ? "twilio.label.outputs.result" : "twilio.label.outputs.error");
        },
        oneditprepare: function () {
            const node = this;
            const select = $("#node-input-operation");
            operations.forEach(function (op) {
                $("<option>").val(op.name).text(op.name + " - " + node._("twilio.operations." + op.name)).appendTo(select);
            });
            select.val(byName[node.operation] ? node.operation : operations[0].name);
            fieldNames.forEach(function (name) {
                const field = firstFieldNamed(name);
                $("#node-input-" + name).typedInput({
                    default: field.defaultType,
                    typeField: "#node-input-" + name + "Type",
                    types: typedInputTypes(node, field),
                });
            });
            if (hasStatusWebhook) fillWebhookSelect(node);
            select.on("change", function () { showOperation(node, select.val()); });
            showOperation(node, select.val());
            if (hasSmsText) watchSmsText(node, select);
        },
        oneditsave: function () {
            // operations share property names (To, From, PageSize...): a value left in a field the chosen
            // operation does not show would linger in the flow file, so it is cleared
            const op = byName[$("#node-input-operation").val()];
            fieldNames.forEach(function (name) {
                if (op && !fieldOf(op.name, name)) $("#node-input-" + name).typedInput("value", "");
            });
            if (hasStatusWebhook && op && !op.statusWebhook) $("#node-input-statusWebhook").val("");
        },
    };
}
