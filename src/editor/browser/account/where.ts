/**
 * Where the account's requests go, in its dialog: region and edge dropdowns with the host they make, and the
 * proxy (none, an "http proxy" node, or a URL). The region, edge and proxy rules are the runtime's
 * (src/rules/twilio-host.ts, proxy-setting.ts).
 */
import { HTTP_PROXY_NODE_TYPE } from "../../../rules/proxy-setting";
import { apiHost, EDGES, REGIONS } from "../../../rules/twilio-host";

export interface AccountNode extends EditorNode {
    apiBaseUrl?: string;
    rate?: unknown;
    region?: string;
    edge?: string;
    proxy?: string;
    outboxStore?: string;
}

interface HttpProxyNode extends EditorNode {
    url?: string;
}

/** The proxy dropdown's choice for a URL, which the text field below it then holds. */
export const PROXY_URL_CHOICE = "_url";

export function prepareWhere(node: AccountNode): void {
    const region = $("#node-config-input-region");
    const edge = $("#node-config-input-edge");
    region.append($("<option>").val("").text(node._("twilio.where.option.defaultRegion")));
    for (const name of REGIONS) region.append($("<option>").val(name).text(name.toUpperCase()));
    edge.append($("<option>").val("").text(node._("twilio.where.option.defaultEdge")));
    for (const name of EDGES) edge.append($("<option>").val(name).text(name));
    // a value from a flow that is not in the lists stays selectable
    for (const [select, value] of [[region, node.region], [edge, node.edge]] as const) {
        if (value && select.find("option").filter((_, option) => (option as HTMLOptionElement).value === value).length === 0) {
            select.append($("<option>").val(value).text(value));
        }
        select.val(value || "");
    }
    function showHost(): void {
        const baseUrl = $("#node-config-input-apiBaseUrl").val().trim();
        const host = apiHost(region.val(), edge.val());
        $("#twilio-account-host").text(baseUrl ? node._("twilio.where.tip.baseUrlWins") : `${node._("twilio.where.tip.host")} ${host.ok ? host.origin : "?"}`);
    }
    region.on("change", showHost);
    edge.on("change", showHost);
    $("#node-config-input-apiBaseUrl").on("change keyup", showHost);
    showHost();

    const choice = $("#twilio-account-proxy-choice");
    choice.append($("<option>").val("").text(node._("twilio.where.option.noProxy")));
    if (RED.nodes.getType(HTTP_PROXY_NODE_TYPE)) {
        RED.nodes.eachConfig((config: HttpProxyNode) => {
            if (config.type === HTTP_PROXY_NODE_TYPE) choice.append($("<option>").val(config.id).text(config.name || config.url || config.id));
        });
    }
    choice.append($("<option>").val(PROXY_URL_CHOICE).text(node._("twilio.where.option.proxyUrl")));
    const current = node.proxy || "";
    const isNode = current && RED.nodes.node(current);
    choice.val(!current ? "" : isNode ? current : PROXY_URL_CHOICE);
    $("#twilio-account-proxy-url").val(isNode ? "" : current);
    function showProxy(): void {
        $(".twilio-account-proxy-url-row").toggle(choice.val() === PROXY_URL_CHOICE);
    }
    choice.on("change", showProxy);
    showProxy();
}

/** The proxy setting the dialog saves: the chosen node's id, or the URL typed, or blank. */
export function savedProxy(): string {
    const choice = $("#twilio-account-proxy-choice").val();
    return choice === PROXY_URL_CHOICE ? $("#twilio-account-proxy-url").val().trim() : choice;
}
