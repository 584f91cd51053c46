/**
 * A list answer as Twilio pages it: newest first, PageSize items from page Page, with the uri of this,
 * the first, the previous and the next page (null at either end).
 */
import type { Resource } from "./resources";
import { TwilioApiError } from "./twilio-format";

export interface PageRequest {
    /** The list's path, e.g. /2010-04-01/Accounts/AC.../Messages.json */
    path: string;
    /** The query as received: the filters are repeated in every page uri. */
    query: URLSearchParams;
    /** The JSON key of the items: calls, messages or media_list. */
    key: string;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

function integerParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
    const text = query.get(name);
    if (text === null) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
        throw new TwilioApiError(400, 20001, `Invalid ${name}: ${text} (expected ${min} to ${max})`);
    }
    return value;
}

export function listPage(items: Resource[], request: PageRequest): Resource {
    const pageSize = integerParam(request.query, "PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const page = integerParam(request.query, "Page", 0, 0, Number.MAX_SAFE_INTEGER);
    const filters = new URLSearchParams(request.query);
    for (const name of ["PageSize", "Page", "PageToken"]) filters.delete(name);

    // Twilio pages by PageToken (PA + the Sid of the previous page's last item); Page is reported back
    const token = request.query.get("PageToken");
    const after = token?.startsWith("PA") ? items.findIndex((item) => item.sid === token.slice(2)) : -1;
    const start = after >= 0 ? after + 1 : page * pageSize;
    const pageItems = items.slice(start, start + pageSize);
    const uriOf = (n: number, token?: string) => {
        const query = new URLSearchParams(filters);
        query.set("PageSize", String(pageSize));
        query.set("Page", String(n));
        if (token) query.set("PageToken", token);
        return `${request.path}?${query}`;
    };
    const last = pageItems[pageItems.length - 1];
    const hasNext = start + pageSize < items.length;
    return {
        [request.key]: pageItems,
        end: start + Math.max(pageItems.length - 1, 0),
        first_page_uri: uriOf(0),
        next_page_uri: hasNext ? uriOf(page + 1, `PA${String(last.sid)}`) : null,
        page,
        page_size: pageSize,
        previous_page_uri: page > 0 ? uriOf(page - 1) : null,
        start,
        uri: uriOf(page, request.query.get("PageToken") ?? undefined),
    };
}
