export * from "./types";
export { OPERATIONS, operationsOf } from "./operations";
export { RESOURCES, LISTS, PAGE_FIELDS } from "./result-shapes";
export { addressPattern, sidPattern, isHttpUrl, isCalendarDate, DATE_PATTERN, URL_PATTERN } from "./patterns";
export { ACCOUNT_NODE_TYPE, ALERT_NODE_TYPE, COLLECTION_NODE_TYPES, WEBHOOK_NODE_TYPE } from "./node-types";
export { pageUriPattern } from "./patterns";
