/**
 * The editor of the webhook node (src/editor/twilio-webhook.html registers it): its settings checked with the
 * runtime's own rules for the path, the public base URL, the node root and the reply timeout, and its dialog,
 * which shows the URL to give Twilio and warns when signatures cannot be checked.
 */
import { ACCOUNT_NODE_TYPE, WEBHOOK_NODE_TYPE } from "../../../catalog/node-types";
import { CONFIG_VERSIONS } from "../../../rules/config-migrations";
import { nodeRootPrefix, parsePublicBaseUrl, REPLY_TIMEOUT, WEBHOOK_PATH_PATTERN as PATH_PATTERN } from "../../../rules/public-url";
import { ENV_REFERENCE, migrateOnLoad } from "../dialog-common";

interface WebhookNode extends EditorNode {
    path?: string;
}

/** The editor keeps this placeholder for a password it did not load. */
const UNCHANGED_PASSWORD = "__PWRD__";

/** The dialog's value of a property when the dialog is open, else the node's. */
function current(node: WebhookNode, property: string): unknown {
    const input = $(`#node-input-${property}`);
    if (!input.length) return node[property];
    return input.attr("type") === "checkbox" ? input.is(":checked") : input.val();
}

function validatesSignatures(node: WebhookNode): boolean {
    const value = current(node, "validate");
    return value !== false && value !== "false";
}

/** The public base URL as the runtime reads it (undefined: unusable); an env reference is taken as it is. */
function publicBase(value: string | undefined): string | undefined {
    const text = (value || "").trim();
    if (ENV_REFERENCE.test(text)) return text;
    const base = parsePublicBaseUrl(text);
    return base.ok ? base.url : undefined;
}

/** httpNodeRoot as a prefix without trailing slash, as the runtime joins it. */
function nodeRoot(): string {
    return nodeRootPrefix(RED.settings.httpNodeRoot) || "";
}

/**
 * Whether the account has an auth token, which Twilio signs with: true, false, or undefined when it cannot be
 * known (an account not deployed yet). Edits made in this session win over the deployed one.
 */
function accountHasToken(id: string, done: (hasToken: boolean | undefined) => void): void {
    const account = RED.nodes.node(id);
    if (!account) return done(undefined);
    const local = account.credentials || {};
    if (typeof local.authToken === "string" && local.authToken !== UNCHANGED_PASSWORD) return done(local.authToken !== "");
    if (typeof local.has_authToken === "boolean") return done(local.has_authToken);
    $.getJSON<{ has_authToken?: unknown }>(`credentials/${ACCOUNT_NODE_TYPE}/${encodeURIComponent(id)}`)
        .done((data) => done(typeof data.has_authToken === "boolean" ? data.has_authToken : undefined))
        .fail(() => done(undefined));
}

/** The dialog: the URL to give Twilio, and the warnings when signatures are not checked or cannot be. */
function oneditprepare(): void {
    $("#node-input-replyTimeout").spinner({ min: 0.5, max: REPLY_TIMEOUT.below - 1, step: 0.5 });

    function showUrl(): void {
        const base = publicBase($("#node-input-publicBaseUrl").val());
        const path = $("#node-input-path").val() || "";
        const url = base !== undefined && PATH_PATTERN.test(path) ? base + nodeRoot() + path : "";
        $("#twilio-webhook-url-row").toggle(url !== "");
        $("#twilio-webhook-url").text(url);
    }

    let asked = 0;
    function showChecks(): void {
        const checking = $("#node-input-validate").is(":checked");
        $("#twilio-webhook-unchecked").toggle(!checking);
        $("#twilio-webhook-no-token").hide();
        const accountId = $("#node-input-account").val();
        if (!checking || !accountId || accountId === "_ADD_") return;
        const question = ++asked;
        accountHasToken(accountId, (hasToken) => {
            // only the answer to the latest question counts
            if (question === asked) $("#twilio-webhook-no-token").toggle(hasToken === false && $("#node-input-validate").is(":checked"));
        });
    }

    $("#node-input-path, #node-input-publicBaseUrl").on("input change", showUrl);
    $("#node-input-validate").on("change", () => {
        showChecks();
        // publicBaseUrl is required only while signatures are checked
        $("#node-input-publicBaseUrl").trigger("change");
    });
    $("#node-input-account").on("change", showChecks);
    showUrl();
    showChecks();
}

/** The definition of the webhook node; its flows' nodes are brought to the current version as they load. */
export function webhookEditor(): NodeDefinition<WebhookNode> {
    migrateOnLoad(WEBHOOK_NODE_TYPE);
    return {
        defaults: {
            configVersion: { value: CONFIG_VERSIONS[WEBHOOK_NODE_TYPE] },
            name: { value: "" },
            account: { value: "", type: ACCOUNT_NODE_TYPE, required: true },
            path: {
                value: "",
                required: true,
                validate: (value) => PATH_PATTERN.test((value as string) || ""),
            },
            publicBaseUrl: {
                value: "",
                validate(value, options) {
                    if (!value && !validatesSignatures(this)) return true;
                    if (publicBase(value as string) !== undefined) return true;
                    return options ? this._("twilio.webhook.tip.badBaseUrl") : false;
                },
            },
            validate: { value: true },
            replyTimeout: {
                value: REPLY_TIMEOUT.default,
                required: true,
                validate: (value) => {
                    // blank means the default, as in the runtime
                    const seconds = Number(value);
                    return value === "" || value === undefined || (seconds > 0 && seconds < REPLY_TIMEOUT.below);
                },
            },
        },
        paletteLabel() {
            return this._("twilio.paletteLabel.twilio-webhook");
        },
        label() {
            return this.name || this.path || this._("twilio.paletteLabel.twilio-webhook");
        },
        labelStyle() {
            return this.name ? "node_label_italic" : "";
        },
        inputLabels() {
            return this._("twilio.webhook.label.input");
        },
        outputLabels() {
            return this._("twilio.webhook.label.output");
        },
        oneditprepare,
    };
}
