/**
 * The stand-in's routing table for Twilio's REST API: which path is which resource, Basic auth against the
 * account in the path, and what each method does to the account's calls, messages and media.
 */
import { answerCall, answerMessage } from "./answers";
import { progressCall, progressMessage, type LifecycleOptions } from "./lifecycle";
import { listPage } from "./paging";
import { createCall, createMessage, type Form, type Resource } from "./resources";
import type { Account, Store } from "./store";
import { dayOf, TwilioApiError } from "./twilio-format";

/** An answer before it is written: a status and, unless 204, a JSON body. */
export interface Reply {
    status: number;
    body?: Resource;
}

interface Route {
    pattern: RegExp;
    handle(method: string, account: Account, ids: string[], query: URLSearchParams, form: Form, path: string): Reply;
}

export function notFound(path: string): never {
    throw new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);
}

export function methodNotAllowed(): never {
    throw new TwilioApiError(405, 20004, "Method not allowed");
}

export class ApiRoutes {
    private readonly routes: Route[];

    /** @param lifecycle how created messages and calls move on (and its clock, which dates them) */
    constructor(
        private readonly store: Store,
        lifecycle: LifecycleOptions,
    ) {
        this.routes = routesOf(lifecycle);
    }

    /** The answer to an API request; throws a TwilioApiError (401, 404, 405, or the resource's own). */
    route(method: string, url: URL, username: string | undefined, password: string | undefined, form: Form): Reply {
        for (const route of this.routes) {
            const match = route.pattern.exec(url.pathname);
            if (!match) continue;
            const [, accountSid, ...ids] = match;
            const account = this.store.accounts.get(accountSid);
            if (!username || !password || !account || !this.store.authorizes(username, password, accountSid)) {
                throw new TwilioApiError(401, 20003, "Authenticate");
            }
            return route.handle(method, account, ids, url.searchParams, form, url.pathname);
        }
        notFound(url.pathname);
    }
}

/** A path under the account's (its Sid the first group), with a group for each Sid in it. */
function under(path: string): RegExp {
    return new RegExp(String.raw`^/2010-04-01/Accounts/(AC\w+)/${path}\.json$`);
}

type Filters = Record<string, (item: Resource) => unknown>;

/** A list answer: the resources a query's filters keep, newest first (a Map keeps creation order), paged. */
function listOf(resources: Map<string, Resource>, filters: Filters, query: URLSearchParams, path: string, key: string): Reply {
    const items = [...resources.values()]
        .reverse()
        .filter((item) => Object.entries(filters).every(([name, value]) => !query.has(name) || value(item) === query.get(name)));
    return { status: 200, body: listPage(items, { path, query, key }) };
}

/** GET or DELETE of one resource by Sid. */
function single(method: string, resources: Map<string, Resource>, sid: string, path: string): Reply {
    const resource = resources.get(sid);
    if (method !== "GET" && method !== "DELETE") methodNotAllowed();
    if (!resource) notFound(path);
    if (method === "GET") return { status: 200, body: resource };
    resources.delete(sid);
    return { status: 204 };
}

/** A list resource: POST creates an item, GET lists them as the query filters them. */
function collection(pattern: RegExp, key: string, itemsOf: (account: Account) => Map<string, Resource>, filters: Filters, create: (account: Account, form: Form) => Resource): Route {
    return {
        pattern,
        handle: (method, account, _ids, query, form, path) => {
            if (method === "POST") return { status: 201, body: create(account, form) };
            if (method !== "GET") methodNotAllowed();
            return listOf(itemsOf(account), filters, query, path, key);
        },
    };
}

const CALL_FILTERS: Filters = {
    To: (c) => c.to,
    From: (c) => c.from,
    Status: (c) => c.status,
    ParentCallSid: (c) => c.parent_call_sid,
    StartTime: (c) => dayOf((c.start_time ?? c.date_created) as string),
};

const MESSAGE_FILTERS: Filters = {
    To: (m) => m.to,
    From: (m) => m.from,
    DateSent: (m) => dayOf((m.date_sent ?? m.date_created) as string),
};

const MEDIA_FILTERS: Filters = { DateCreated: (m) => dayOf(m.date_created as string) };

function routesOf(lifecycle: LifecycleOptions): Route[] {
    return [
        collection(under("Calls"), "calls", (account) => account.calls, CALL_FILTERS, (account, form) => {
            const call = createCall(account.sid, form, lifecycle.now());
            account.calls.set(String(call.sid), call);
            progressCall(account, call, form, lifecycle);
            answerCall(account, call, form, lifecycle);
            return call;
        }),
        {
            pattern: under(String.raw`Calls/(\w+)`),
            handle: (method, account, [callSid], _query, _form, path) => single(method, account.calls, callSid, path),
        },
        collection(under("Messages"), "messages", (account) => account.messages, MESSAGE_FILTERS, (account, form) => {
            const { message, media } = createMessage(account.sid, form, lifecycle.now());
            account.messages.set(String(message.sid), message);
            account.media.set(String(message.sid), new Map(media.map((item) => [String(item.sid), item])));
            progressMessage(account, message, form, lifecycle);
            answerMessage(account, message, lifecycle);
            return message;
        }),
        {
            pattern: under(String.raw`Messages/(\w+)`),
            handle: (method, account, [messageSid], _query, _form, path) => {
                const reply = single(method, account.messages, messageSid, path);
                if (method === "DELETE") account.media.delete(messageSid);
                return reply;
            },
        },
        {
            pattern: under(String.raw`Messages/(\w+)/Media`),
            handle: (method, account, [messageSid], query, _form, path) => {
                if (method !== "GET") methodNotAllowed();
                const media = account.media.get(messageSid);
                if (!media) notFound(path);
                return listOf(media, MEDIA_FILTERS, query, path, "media_list");
            },
        },
        {
            pattern: under(String.raw`Messages/(\w+)/Media/(\w+)`),
            handle: (method, account, [messageSid, mediaSid], _query, _form, path) => {
                const media = account.media.get(messageSid);
                if (!media) notFound(path);
                return single(method, media, mediaSid, path);
            },
        },
    ];
}
