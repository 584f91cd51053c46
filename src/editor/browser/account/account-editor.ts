/**
 * The editor of the account's config node (src/editor/twilio-account.html registers it): its settings with their
 * defaults and checks, which are the runtime's own rules, its credentials, and its dialog.
 */
import { ACCOUNT_DEFAULTS as DEFAULTS, OUTBOX_DEFAULTS } from "../../../catalog/account-defaults";
import { ACCOUNT_NODE_TYPE } from "../../../catalog/node-types";
import { ACCOUNT_SID_PATTERN, API_KEY_SID_PATTERN } from "../../../rules/account-rules";
import { parseBaseUrl } from "../../../rules/base-url";
import { CONFIG_VERSIONS } from "../../../rules/config-migrations";
import { validProxySetting, HTTP_PROXY_NODE_TYPE } from "../../../rules/proxy-setting";
import { parseDestinations } from "../../../rules/recipients";
import { hostSettingRefused } from "../../../rules/twilio-host";
import { ENV_REFERENCE, migrateOnLoad } from "../dialog-common";
import { COUNTRIES } from "./countries";
import { prepareWhere, savedProxy, type AccountNode } from "./where";

/** A blank numeric setting means its default, here as in the runtime. */
const NUMERIC = ["timeout", "maxRetries", "maxConcurrent", "rate", "queueSize"] as const;

function isBlank(value: unknown): boolean {
    return value === "" || value === undefined || value === null;
}

function validDestinations(value: unknown): boolean {
    return ENV_REFERENCE.test(String(value)) || parseDestinations(value).kind !== "unusable";
}

function validCountry(value: unknown): boolean {
    const country = String(value || "").trim().toUpperCase();
    return !country || ENV_REFERENCE.test(country) || COUNTRIES.indexOf(country) !== -1;
}

function isProxyNode(id: string): boolean {
    const node = RED.nodes.node(id);
    return !!node && node.type === HTTP_PROXY_NODE_TYPE;
}

/** A ${ENV_VAR} is resolved by Node-RED; anything else must be what the runtime takes. */
function validProxy(value: unknown): boolean {
    return ENV_REFERENCE.test(String(value)) || validProxySetting(value, isProxyNode);
}

function blankOrMatch(pattern: RegExp): (value: unknown) => boolean {
    return (value) => !value || ENV_REFERENCE.test(value as string) || pattern.test(value as string);
}

function wholeNumber(min: number): (value: unknown) => boolean {
    return (value) => isBlank(value) || (Number.isInteger(Number(value)) && Number(value) >= min);
}

function positive(value: unknown): boolean {
    return isBlank(value) || Number(value) > 0;
}

function validBaseUrl(value: unknown): boolean {
    return !value || ENV_REFERENCE.test(value as string) || parseBaseUrl(value as string).ok;
}

/** The dialog: spinners, the outbox's settings and file, the risk of any destination, the advanced part. */
function oneditprepare(this: AccountNode): void {
    $("#node-config-input-timeout").spinner({ min: 1 });
    $("#node-config-input-maxRetries").spinner({ min: 0 });
    $("#node-config-input-maxConcurrent").spinner({ min: 1 });
    $("#node-config-input-queueSize").spinner({ min: 0 });
    for (const name of NUMERIC) if (name !== "rate") $(`#node-config-input-${name}`).attr("placeholder", DEFAULTS[name]);
    $("#node-config-input-outboxMaxAge").spinner({ min: 0 }).attr("placeholder", OUTBOX_DEFAULTS.maxAge);
    $("#node-config-input-outboxMaxEntries").spinner({ min: 1 }).attr("placeholder", OUTBOX_DEFAULTS.maxEntries);
    $("#node-config-input-outboxMaxSize").spinner({ min: 0 }).attr("placeholder", OUTBOX_DEFAULTS.maxSize);
    const outbox = $("#node-config-input-outbox");
    outbox.on("change", () => $("#twilio-account-outbox-settings").toggle(outbox.prop("checked") === true)).trigger("change");
    // the file belongs to one Node-RED; Valkey/Redis is shared by every instance given its URL (a credential)
    const store = $("#node-config-input-outboxStore");
    store.on("change", () => {
        const redis = store.val() === "redis";
        $("#twilio-account-outbox-redis").toggle(redis);
        $("#twilio-account-outbox-file-row").toggle(!redis);
    });
    store.val(this.outboxStore === "redis" ? "redis" : "sqlite").trigger("change");
    // the file belongs to the Node-RED the editor talks to: ask it
    $.getJSON<{ file?: string } | null>("twilio-account/outbox").done((info) => {
        if (info && info.file) $("#twilio-account-outbox-file").text(info.file);
    });
    const advanced = $("#twilio-account-advanced");
    const changed = (["timeout", "maxRetries", "maxConcurrent", "queueSize"] as const).some(
        (name) => !isBlank(this[name]) && Number(this[name]) !== DEFAULTS[name],
    );
    // blank allowed destinations: any destination, which the dialog calls the risky choice
    const destinations = $("#node-config-input-allowedDestinations");
    const showRisk = (): void => {
        $("#twilio-account-any-destination").toggle(String(destinations.val() || "").trim() === "");
    };
    destinations.on("input change", showRisk);
    showRisk();
    const hasAdvanced = !!this.apiBaseUrl || !!this.rate || changed || !!this.region || !!this.edge || !!this.proxy;
    advanced.toggle(hasAdvanced);
    $("#twilio-account-advanced-toggle").on("click", (event) => {
        event.preventDefault();
        advanced.toggle();
    });
    prepareWhere(this);
}

/** The definition of the account's config node; its flows' nodes are brought to the current version as they load. */
export function accountEditor(): NodeDefinition<AccountNode> {
    migrateOnLoad(ACCOUNT_NODE_TYPE);
    return {
        defaults: {
            name: { value: "" },
            apiBaseUrl: { value: "", validate: validBaseUrl },
            configVersion: { value: CONFIG_VERSIONS[ACCOUNT_NODE_TYPE] },
            timeout: { value: DEFAULTS.timeout, validate: positive },
            maxRetries: { value: DEFAULTS.maxRetries, validate: wholeNumber(0) },
            maxConcurrent: { value: DEFAULTS.maxConcurrent, validate: wholeNumber(1) },
            rate: { value: "", validate: (value) => isBlank(value) || Number(value) >= 0 },
            queueSize: { value: DEFAULTS.queueSize, validate: wholeNumber(0) },
            allowedDestinations: { value: "", validate: validDestinations },
            defaultCountry: { value: "", validate: validCountry },
            // each judged with the other setting as the node holds it
            region: { value: "", validate(value) { return !hostSettingRefused("region", value, this.edge); } },
            edge: { value: "", validate(value) { return !hostSettingRefused("edge", this.region, value); } },
            // an "http proxy" node's id or a URL: kept as text, since the node type may be absent (nodesExcludes)
            proxy: { value: "", validate: validProxy },
            // on for a new account; a flow saved without it keeps sending from memory (the runtime reads undefined as off)
            outbox: { value: true },
            outboxMaxAge: { value: OUTBOX_DEFAULTS.maxAge, validate: positive },
            outboxMaxEntries: { value: OUTBOX_DEFAULTS.maxEntries, validate: wholeNumber(1) },
            // megabytes of all the entries the account's outbox holds; fractions allowed
            outboxMaxSize: { value: OUTBOX_DEFAULTS.maxSize, validate: positive },
            // the file (blank, as a flow saved before this setting has it) or Valkey/Redis with the credential redisUrl
            outboxStore: { value: "sqlite" },
        },
        credentials: {
            accountSid: { type: "text", validate: blankOrMatch(ACCOUNT_SID_PATTERN) },
            authToken: { type: "password" },
            apiKeySid: { type: "text", validate: blankOrMatch(API_KEY_SID_PATTERN) },
            apiKeySecret: { type: "password" },
            proxyUsername: { type: "text" },
            proxyPassword: { type: "password" },
            redisUrl: { type: "password" },
        },
        paletteLabel() {
            return this._("twilio.paletteLabel.twilio-account");
        },
        label() {
            return this.name || (this.credentials && (this.credentials.accountSid as string)) || this._("twilio.paletteLabel.twilio-account");
        },
        oneditprepare,
        oneditsave() {
            $("#node-config-input-proxy").val(savedProxy());
        },
    };
}
