/**
 * The editor of the alert node (src/editor/twilio-alert.html registers it): its settings checked property by
 * property with the runtime's own rule (rules/alert-settings.ts, with the account's default country and allowed
 * destinations), and its dialog: the webhook node to choose among those of the flows, and the contacts as an
 * editable list (name, number, SMS, call), in escalation order.
 */
import { ACCOUNT_NODE_TYPE, ALERT_NODE_TYPE, WEBHOOK_NODE_TYPE } from "../../../catalog/node-types";
import { ALERT_DEFAULTS, readAlertSettings, type AlertConfig, type AlertSetting } from "../../../rules/alert-settings";
import { CONFIG_VERSIONS } from "../../../rules/config-migrations";
import { looksLikeNumber } from "../../../rules/phone-numbers";
import type { RecipientRules } from "../../../rules/recipient-settings";
import { ENV_REFERENCE, migrateOnLoad } from "../dialog-common";

type AlertNode = EditorNode & Partial<AlertConfig>;

interface ContactRow {
    name?: unknown;
    number?: unknown;
    sms?: unknown;
    call?: unknown;
}

/** Stands in for the settings before the one checked, so that each property is judged on its own. */
const SAMPLE = { from: "+15005550006", contacts: [{ name: "-", number: "+15005550006", sms: true, call: false }] };
const ORDER: AlertSetting[] = ["from", "contacts", "ackWait", "rounds", "cooldown"];

/** The problem of one property of the node, as the runtime would say it; undefined when it is usable. */
function problemOf(node: AlertNode, setting: AlertSetting, value: unknown): string | undefined {
    if (typeof value === "string" && ENV_REFERENCE.test(value.trim())) return undefined;
    const account = node.account ? RED.nodes.node(node.account) : undefined;
    // the allowed destinations are checked at deploy, with the numbers read in full there (E.164)
    const country = typeof account?.defaultCountry === "string" ? account.defaultCountry.trim().toUpperCase() : "";
    const rules: RecipientRules = { destinations: { kind: "any" }, defaultCountry: country || undefined };
    const config: AlertConfig = {
        account: "",
        webhook: "",
        from: node.from ?? "",
        contacts: node.contacts,
        ackWait: node.ackWait,
        rounds: node.rounds,
        cooldown: node.cooldown,
    };
    const earlier = ORDER.slice(0, ORDER.indexOf(setting));
    if (earlier.includes("from")) config.from = SAMPLE.from;
    if (earlier.includes("contacts")) config.contacts = SAMPLE.contacts;
    (config as unknown as Record<string, unknown>)[setting] = value;
    const read = readAlertSettings(config, rules, node._, writtenNumber);
    return !read.ok && read.setting === setting ? read.problem : undefined;
}

/** A number as the editor can tell it without libphonenumber's metadata: written as one (the runtime reads it in full). */
function writtenNumber(text: string, defaultCountry?: string): string | undefined {
    return looksLikeNumber(text, defaultCountry) ? text.replace(/^\s*00/, "+").replace(/[\s().\/-]/g, "") : undefined;
}

function check(setting: AlertSetting) {
    return function (this: AlertNode, value: unknown, options?: ValidateOptions): boolean | string {
        const problem = problemOf(this, setting, value);
        return problem === undefined ? true : options ? problem : false;
    };
}

/** The webhook nodes of the flows, for the dropdown. */
function webhookNodes(): EditorNode[] {
    const found: EditorNode[] = [];
    RED.nodes.eachNode((node) => {
        if (node.type === WEBHOOK_NODE_TYPE) found.push(node);
    });
    return found;
}

function oneditprepare(this: AlertNode): void {
    const node = this;
    const select = $("#node-input-webhook");
    select.append($("<option>", { value: "" }).text(node._("twilio.alert.label.webhook") + "…"));
    for (const hook of webhookNodes()) {
        const label = hook.name || (hook.path as string | undefined) || hook.id;
        select.append($("<option>", { value: hook.id }).text(label));
    }
    select.val(node.webhook ?? "");

    $("#node-input-contacts-list").editableList({
        addButton: node._("twilio.alert.label.addContact"),
        removable: true,
        sortable: true,
        height: 180,
        addItem(row, _index, data: ContactRow) {
            const line = $("<div>", { class: "twilio-alert-contact" }).appendTo(row);
            $("<input>", { type: "text", class: "twilio-alert-contact-name", placeholder: node._("twilio.alert.label.contactName") })
                .val(typeof data.name === "string" ? data.name : "")
                .appendTo(line);
            $("<input>", { type: "text", class: "twilio-alert-contact-number", placeholder: "+16175551212" })
                .val(typeof data.number === "string" ? data.number : "")
                .appendTo(line);
            for (const channel of ["sms", "call"] as const) {
                const label = $("<label>").appendTo(line);
                $("<input>", { type: "checkbox", class: `twilio-alert-contact-${channel}` })
                    .prop("checked", data[channel] === undefined ? channel === "sms" : data[channel] === true || data[channel] === "true")
                    .appendTo(label);
                label.append($("<span>").text(node._(`twilio.alert.label.${channel}`)));
            }
        },
    });
    const contacts = Array.isArray(node.contacts) ? (node.contacts as ContactRow[]) : [];
    for (const contact of contacts) $("#node-input-contacts-list").editableList("addItem", { ...contact });
    for (const id of ["ackWait", "cooldown"]) $(`#node-input-${id}`).spinner({ min: 0, step: 0.5 });
    $("#node-input-rounds").spinner({ min: 1, max: 10, step: 1 });
}

/** The contacts as the flow keeps them: an array of {name, number, sms, call}, in the list's order. */
function oneditsave(this: AlertNode): void {
    const contacts: Array<{ name: string; number: string; sms: boolean; call: boolean }> = [];
    $("#node-input-contacts-list")
        .editableList("items")
        .each((_index, element) => {
            const row = $(element);
            contacts.push({
                name: row.find(".twilio-alert-contact-name").val().trim(),
                number: row.find(".twilio-alert-contact-number").val().trim(),
                sms: row.find(".twilio-alert-contact-sms").is(":checked"),
                call: row.find(".twilio-alert-contact-call").is(":checked"),
            });
        });
    this.contacts = contacts;
}

/** The definition of the alert node. */
export function alertEditor(): NodeDefinition<AlertNode> {
    migrateOnLoad(ALERT_NODE_TYPE);
    return {
        defaults: {
            configVersion: { value: CONFIG_VERSIONS[ALERT_NODE_TYPE] },
            name: { value: "" },
            account: { value: "", type: ACCOUNT_NODE_TYPE, required: true },
            webhook: {
                value: "",
                required: true,
                validate(value, options) {
                    if (RED.nodes.node(value as string)?.type === WEBHOOK_NODE_TYPE) return true;
                    return options ? this._("twilio.alert.errors.noWebhook") : false;
                },
            },
            from: { value: "", required: true, validate: check("from") },
            contacts: { value: [], validate: check("contacts") },
            ackWait: { value: ALERT_DEFAULTS.ackWait, validate: check("ackWait") },
            rounds: { value: ALERT_DEFAULTS.rounds, validate: check("rounds") },
            cooldown: { value: ALERT_DEFAULTS.cooldown, validate: check("cooldown") },
            notifyClear: { value: false },
        },
        paletteLabel() {
            return this._("twilio.paletteLabel.twilio-alert");
        },
        label() {
            return this.name || this._("twilio.paletteLabel.twilio-alert");
        },
        labelStyle() {
            return this.name ? "node_label_italic" : "";
        },
        inputLabels() {
            return this._("twilio.alert.label.input");
        },
        outputLabels() {
            return this._("twilio.alert.label.output");
        },
        oneditprepare,
        oneditsave,
    };
}
