/**
 * Parameters that several operations share, so that each is described once.
 */
import type { EnumParam, IntegerParam, PageUriParam, ParamSpec, SidParam, TextParam, UrlParam } from "./types";

/** Twilio's HTTP method values for callbacks. */
export const HTTP_METHODS = ["GET", "POST"] as const;

export const CALL_STATUSES = [
    "queued",
    "ringing",
    "in-progress",
    "canceled",
    "completed",
    "failed",
    "busy",
    "no-answer",
] as const;

export const CALL_EVENTS = ["initiated", "ringing", "answered", "completed"] as const;

/** Credentials that may come with one message; both are optional because the config node normally has them. */
export const AccountSid: SidParam = {
    name: "AccountSid",
    kind: "sid",
    prefixes: ["AC"],
    in: "path",
    help: "Act on this account or subaccount instead of the config node's. Alone, the config node's credentials are used on it.",
};

export const AuthToken: TextParam = {
    name: "AuthToken",
    kind: "text",
    secret: true,
    in: "auth",
    help: "Auth token of AccountSid, for this one request. Never put it in the node as plain text: use msg, flow, global or env.",
};

export const CallSid: SidParam = {
    name: "CallSid",
    kind: "sid",
    prefixes: ["CA"],
    in: "path",
    required: true,
    help: "The Sid of the call, e.g. from msg.payload.sid of createCall or listCall.",
};

export const MessageSid: SidParam = {
    name: "MessageSid",
    kind: "sid",
    prefixes: ["SM", "MM"],
    in: "path",
    required: true,
    help: "The Sid of the message, e.g. from msg.payload.sid of postMessage or listMessage.",
};

export const MediaSid: SidParam = {
    name: "MediaSid",
    kind: "sid",
    prefixes: ["ME"],
    in: "path",
    required: true,
    help: "The Sid of the media item, e.g. from msg.payload.media_list of listMedia.",
};

export const PageSize: IntegerParam = {
    name: "PageSize",
    kind: "integer",
    min: 1,
    max: 1000,
    default: 50,
    in: "query",
    help: "How many resources to return in each list page (1 to 1000).",
};

/** Paging beyond the reference spec: Twilio pages by PageToken; Page is the index it reports back. */
export const Page: IntegerParam = {
    name: "Page",
    kind: "integer",
    min: 0,
    in: "query",
    beyondSpec: true,
    help: "The index of the page to return, with the PageToken of that page (both are in next_page_uri).",
};

export const PageToken: TextParam = {
    name: "PageToken",
    kind: "text",
    pattern: /^[\w.~-]{1,256}$/,
    in: "query",
    beyondSpec: true,
    help: "The token Twilio gave for the next page, in next_page_uri.",
};

export const NextPageUri: PageUriParam = {
    name: "NextPageUri",
    kind: "pageUri",
    in: "pageUri",
    beyondSpec: true,
    help: "The next_page_uri of a previous result of this list: fetches that page, with the filters and page size it carries.",
};

/** Every list accepts the paging parameters after its own. */
export function withPaging(params: readonly ParamSpec[]): readonly ParamSpec[] {
    return [...params, Page, PageToken, NextPageUri];
}

export function callbackUrl(name: string, help: string): UrlParam {
    return { name, kind: "url", in: "form", help };
}

/** @param specOnlyValues what the reference spec adds for this parameter and Twilio refuses (PUT) */
export function httpMethod(name: string, help: string, specOnlyValues?: readonly string[]): EnumParam {
    return { name, kind: "enum", values: HTTP_METHODS, specOnlyValues, default: "POST", in: "form", help };
}

/** Every operation accepts per-message credentials after its own parameters (rarely used: listed last). */
export function withCredentials(params: readonly ParamSpec[]): readonly ParamSpec[] {
    return [...params, AccountSid, AuthToken];
}
