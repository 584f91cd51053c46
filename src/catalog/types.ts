/**
 * The shape of the operation catalog: the one description of the Twilio operations from which
 * validation, requests, editor fields and help are all derived. Its texts (each operation's summary, each
 * parameter's help) are in the message catalogs, locales/<lang>/twilio.json (twilio.summaries.<operation>,
 * twilio.params.<operation>.<parameter>), en-US included.
 */

/** The node collections, each registered as one flow node type. */
export type CollectionName = "calls" | "messages" | "media";

/** Where a parameter travels in the HTTP request Twilio receives. */
export type ParamLocation =
    | "path" // a Sid in the URL path
    | "query" // a list filter or paging value
    | "form" // a field of the x-www-form-urlencoded body of a create
    | "auth" // credentials: never sent as a field, used for Basic auth only
    | "pageUri"; // a previous page's next_page_uri: never sent itself, it stands for the parameters it carries

/** The address forms a phone-like parameter accepts besides nothing at all. */
export type AddressForm =
    | "e164" // +16175551212
    | "client" // client:alice
    | "sip" // sip:alice@example.com
    | "whatsapp" // whatsapp:+16175551212
    | "alphanumeric"; // an alphanumeric sender ID, e.g. ACME

interface ParamBase {
    /** The reference spec's name: the msg.payload key, the node property and, unless mapped, the Twilio field. */
    name: string;
    in: ParamLocation;
    required?: boolean;
    /** The reference spec's default, applied when neither the node nor msg.payload sets the parameter. */
    default?: string | number;
    /** Sent to Twilio under another name and value (a spec parameter that Twilio renamed). */
    mapsTo?: { name: string; value: string };
    /** Twilio's API has it and the reference spec does not (the README lists these; spec-parity checks the mark). */
    beyondSpec?: boolean;
}

export interface AddressParam extends ParamBase {
    kind: "address";
    forms: readonly AddressForm[];
    /**
     * The recipient of a create: the account's allowedDestinations apply, and a list of recipients is sent as
     * one request per recipient (src/rules/recipients.ts).
     */
    destination?: boolean;
}
export interface UrlParam extends ParamBase {
    kind: "url";
    /** A list of up to this many URLs is accepted as well as a single one. */
    maxItems?: number;
}
export interface EnumParam extends ParamBase {
    kind: "enum";
    values: readonly string[];
    /** Values the reference spec lists that Twilio's API refuses: refused with that reason. */
    specOnlyValues?: readonly string[];
    /** Several values, as a list or a space- or comma-separated string. */
    multiple?: boolean;
}
export interface TextParam extends ParamBase {
    kind: "text";
    maxLength?: number;
    pattern?: RegExp;
    /** Never echoed in errors, never copied into an output. */
    secret?: boolean;
}
export interface IntegerParam extends ParamBase {
    kind: "integer";
    min?: number;
    max?: number;
}
export interface BooleanParam extends ParamBase {
    kind: "boolean";
}
export interface DecimalParam extends ParamBase {
    kind: "decimal";
    /** Digits allowed after the decimal point. */
    scale: number;
}
/** A JSON object, given as an object or as its JSON text; sent as JSON text. */
export interface JsonParam extends ParamBase {
    kind: "json";
}
/** The next_page_uri of a previous result of the same list operation. */
export interface PageUriParam extends ParamBase {
    kind: "pageUri";
}
export interface DateParam extends ParamBase {
    kind: "date";
}
export interface DateTimeParam extends ParamBase {
    kind: "datetime";
}
export interface SidParam extends ParamBase {
    kind: "sid";
    /** Twilio's two-letter type prefixes for this Sid, e.g. ["CA"] for a call. */
    prefixes: readonly string[];
}

export type ParamSpec =
    | AddressParam
    | UrlParam
    | EnumParam
    | TextParam
    | IntegerParam
    | BooleanParam
    | DecimalParam
    | DateParam
    | DateTimeParam
    | SidParam
    | JsonParam
    | PageUriParam;

export type ParamKind = ParamSpec["kind"];

/** What a successful answer carries on output 1. */
export type ResultKind = "call" | "message" | "media" | "callList" | "messageList" | "mediaList" | "none";

export interface OperationSpec {
    /** The reference spec's operation name, e.g. "postMessage". */
    name: string;
    collection: CollectionName;
    method: "GET" | "POST" | "DELETE";
    /** Path below the API origin; {Name} placeholders are filled from path parameters. */
    path: string;
    params: readonly ParamSpec[];
    /** Each inner list needs at least one of its parameters, e.g. Url or ApplicationSid. */
    requireOneOf?: readonly (readonly string[])[];
    /** A parameter that is only valid together with others, e.g. SendAt needs ScheduleType and MessagingServiceSid. */
    dependencies?: Readonly<Record<string, readonly string[]>>;
    result: ResultKind;
    /** msg.payload of type string stands for this parameter (postMessage: Body). */
    stringPayload?: string;
    /**
     * The parameter whose text goes out as SMS segments (postMessage: Body): counted before sending (msg.segments,
     * msg.encoding), capped by the node's maxSegments, and shown with a counter in the editor.
     */
    smsText?: string;
}

/** A response resource as the reference spec names its fields, and where Twilio's JSON names them otherwise. */
export interface ResourceSpec {
    /** The reference spec's response field names. */
    fields: readonly string[];
    /** spec name -> Twilio's JSON name, for the fields Twilio has since renamed. */
    aliases: Readonly<Record<string, string>>;
}
