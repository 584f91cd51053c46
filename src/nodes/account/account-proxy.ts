/**
 * The account's proxy setting as the flow holds it: the id of one of core's "http proxy" config nodes, or a
 * proxy URL. The user and password are credentials: the proxy node's own, or the account's (proxyUsername,
 * proxyPassword); a URL in the flow never carries them.
 */
import type { Node, NodeAPI } from "node-red";
import { HTTP_PROXY_NODE_TYPE, readProxySetting } from "../../rules/proxy-setting";
import { noProxyList, type ProxyConfig } from "../../sender/proxy";

interface HttpProxyNode extends Node<{ username?: string; password?: string }> {
    url?: string;
    noproxy?: unknown;
}

export interface ProxyCredentials {
    proxyUsername?: string;
    proxyPassword?: string;
}

/** Undefined for none (blank); a setting naming no usable proxy comes back as a URL that chooseProxy refuses. */
export function resolveProxySetting(RED: NodeAPI, setting: unknown, credentials: ProxyCredentials): ProxyConfig | undefined {
    const proxyNode = (id: string) => {
        const node = RED.nodes.getNode(id) as HttpProxyNode | null;
        return node && node.type === HTTP_PROXY_NODE_TYPE ? node : undefined;
    };
    // the same reading as the account dialog's (rules/proxy-setting.ts)
    const read = readProxySetting(setting, (id) => proxyNode(id) !== undefined);
    if (read.kind === "none") return undefined;
    if (read.kind === "url") {
        // an id of a node that is gone or of another type is not a URL: it is refused as one
        return { url: read.url, username: credentials.proxyUsername, password: credentials.proxyPassword, urlMayCarryCredentials: false };
    }
    const node = proxyNode(read.id);
    return {
        url: typeof node?.url === "string" ? node.url : "",
        noProxy: noProxyList(node?.noproxy),
        username: node?.credentials?.username,
        password: node?.credentials?.password,
        urlMayCarryCredentials: true,
    };
}
