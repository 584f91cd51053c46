/**
 * The account's proxy setting as the flow holds it: the id of one of core's "http proxy" config nodes, or a
 * proxy URL. The user and password are credentials: the proxy node's own, or the account's (proxyUsername,
 * proxyPassword); a URL in the flow never carries them.
 */
import type { Node, NodeAPI } from "node-red";
import { noProxyList, type ProxyConfig } from "./proxy";

/** Core's proxy config node type (node-red/nodes/core/network/06-httpproxy.js). */
export const HTTP_PROXY_NODE_TYPE = "http proxy";

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
    const value = typeof setting === "string" ? setting.trim() : "";
    if (value === "") return undefined;
    const node = RED.nodes.getNode(value) as HttpProxyNode | null;
    if (node && node.type === HTTP_PROXY_NODE_TYPE) {
        return {
            url: typeof node.url === "string" ? node.url : "",
            noProxy: noProxyList(node.noproxy),
            username: node.credentials?.username,
            password: node.credentials?.password,
            urlMayCarryCredentials: true,
        };
    }
    // an id of a node that is gone or of another type is not a URL: it is refused as one
    return { url: value, username: credentials.proxyUsername, password: credentials.proxyPassword, urlMayCarryCredentials: false };
}
