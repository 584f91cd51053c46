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
};

export const AuthToken: TextParam = {
    name: "AuthToken",
    kind: "text",
    secret: true,
    in: "auth",
};

export const CallSid: SidParam = {
    name: "CallSid",
    kind: "sid",
    prefixes: ["CA"],
    in: "path",
    required: true,
};

export const MessageSid: SidParam = {
    name: "MessageSid",
    kind: "sid",
    prefixes: ["SM", "MM"],
    in: "path",
    required: true,
};

export const MediaSid: SidParam = {
    name: "MediaSid",
    kind: "sid",
    prefixes: ["ME"],
    in: "path",
    required: true,
};

export const PageSize: IntegerParam = {
    name: "PageSize",
    kind: "integer",
    min: 1,
    max: 1000,
    default: 50,
    in: "query",
};

/** Paging beyond the reference spec: Twilio pages by PageToken; Page is the index it reports back. */
export const Page: IntegerParam = {
    name: "Page",
    kind: "integer",
    min: 0,
    in: "query",
    beyondSpec: true,
};

export const PageToken: TextParam = {
    name: "PageToken",
    kind: "text",
    pattern: /^[\w.~-]{1,256}$/,
    in: "query",
    beyondSpec: true,
};

export const NextPageUri: PageUriParam = {
    name: "NextPageUri",
    kind: "pageUri",
    in: "pageUri",
    beyondSpec: true,
};

/** Every list accepts the paging parameters after its own. */
export function withPaging(params: readonly ParamSpec[]): readonly ParamSpec[] {
    return [...params, Page, PageToken, NextPageUri];
}

export function callbackUrl(name: string): UrlParam {
    return { name, kind: "url", in: "form" };
}

/** @param specOnlyValues what the reference spec adds for this parameter and Twilio refuses (PUT) */
export function httpMethod(name: string, specOnlyValues?: readonly string[]): EnumParam {
    return { name, kind: "enum", values: HTTP_METHODS, specOnlyValues, default: "POST", in: "form" };
}

/** Every operation accepts per-message credentials after its own parameters (rarely used: listed last). */
export function withCredentials(params: readonly ParamSpec[]): readonly ParamSpec[] {
    return [...params, AccountSid, AuthToken];
}
