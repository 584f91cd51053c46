/**
 * The eleven operations of the product's reference spec (twilio-service.txt), grouped as the nodes
 * present them. Paths follow Twilio's 2010-04-01 API.
 */
import {
    CALL_EVENTS,
    CALL_STATUSES,
    CallSid,
    MediaSid,
    MessageSid,
    PageSize,
    callbackUrl,
    httpMethod,
    withCredentials,
    withPaging,
} from "./params";
import type { GroupName, OperationSpec } from "./types";

const ACCOUNT = "/2010-04-01/Accounts/{AccountSid}";

const createCall: OperationSpec = {
    name: "createCall",
    group: "calls",
    method: "POST",
    path: `${ACCOUNT}/Calls.json`,
    summary: "Make a phone call.",
    result: "call",
    requireOneOf: [["Url", "ApplicationSid", "Twiml"]],
    params: withCredentials([
        {
            name: "To",
            kind: "address",
            forms: ["e164", "client", "sip"],
            destination: true,
            in: "form",
            required: true,
            help: "The phone number, SIP address or client identifier to call. Several (at most 50) as a list or separated by commas, semicolons or new lines: one call each, each result its own message with msg.parts, for a join node.",
        },
        {
            name: "From",
            kind: "address",
            forms: ["e164", "client"],
            in: "form",
            required: true,
            help: "The caller ID: a Twilio number or verified caller ID of the account, or a client identifier.",
        },
        callbackUrl(
            "Url",
            "The URL Twilio fetches TwiML from when the call connects (hostnames may not contain underscores).",
        ),
        httpMethod("Method", "The HTTP method Twilio uses to request Url.", ["PUT"]),
        {
            name: "Record",
            kind: "boolean",
            in: "form",
            help: "true records the whole call; the RecordingUrl is sent to StatusCallback.",
        },
        {
            name: "Timeout",
            kind: "integer",
            min: 1,
            max: 600,
            in: "form",
            help: "Seconds to let the phone ring before assuming there is no answer.",
        },
        {
            name: "IfMachine",
            kind: "enum",
            values: ["Continue", "Hangup"],
            in: "form",
            mapsTo: { name: "MachineDetection", value: "Enable" },
            help: "Detect an answering machine. Twilio retired IfMachine: both values are sent as MachineDetection=Enable and the result arrives in answered_by; Hangup no longer hangs up by itself.",
        },
        {
            name: "SendDigits",
            kind: "text",
            pattern: /^[0-9#*w]+$/,
            maxLength: 32,
            in: "form",
            help: "Keys to dial after the call connects: digits, # and *, w for a half-second pause; at most 32.",
        },
        callbackUrl("FallbackUrl", "The URL Twilio requests if an error occurs requesting or executing the TwiML at Url."),
        {
            name: "ApplicationSid",
            kind: "sid",
            prefixes: ["AP"],
            in: "form",
            help: "The Sid of the TwiML application that handles the call, instead of Url.",
        },
        httpMethod("FallbackMethod", "The HTTP method Twilio uses to request FallbackUrl."),
        callbackUrl("StatusCallback", "The URL Twilio calls on every call event listed in StatusCallbackEvent."),
        {
            name: "StatusCallbackEvent",
            kind: "enum",
            values: CALL_EVENTS,
            multiple: true,
            in: "form",
            help: "The call progress events that trigger StatusCallback: a list, or values separated by spaces.",
        },
        httpMethod("StatusCallbackMethod", "The HTTP method Twilio uses to request StatusCallback.", ["PUT"]),
        {
            name: "MachineDetection",
            kind: "enum",
            values: ["Enable", "DetectMessageEnd"],
            in: "form",
            beyondSpec: true,
            help: "Answering machine detection as Twilio names it today: Enable, or DetectMessageEnd to wait for the end of the greeting. Wins over IfMachine.",
        },
        {
            name: "Twiml",
            kind: "text",
            pattern: /^\s*</,
            maxLength: 4000,
            in: "form",
            beyondSpec: true,
            help: "TwiML instructions for the call, e.g. <Response><Say>Pump 3 alarm</Say></Response>, instead of a Url (at most 4000 characters).",
        },
    ]),
};

const getCall: OperationSpec = {
    name: "getCall",
    group: "calls",
    method: "GET",
    path: `${ACCOUNT}/Calls/{CallSid}.json`,
    summary: "Return the details of a call.",
    result: "call",
    params: withCredentials([CallSid]),
};

const listCall: OperationSpec = {
    name: "listCall",
    group: "calls",
    method: "GET",
    path: `${ACCOUNT}/Calls.json`,
    summary: "List the calls of the account, newest first, one page at a time.",
    result: "callList",
    params: withCredentials(withPaging([
        PageSize,
        {
            name: "From",
            kind: "address",
            forms: ["e164", "client"],
            in: "query",
            help: "Only show calls from this phone number or client identifier.",
        },
        {
            name: "To",
            kind: "address",
            forms: ["e164", "client"],
            in: "query",
            help: "Only show calls to this phone number or client identifier.",
        },
        {
            name: "Status",
            kind: "enum",
            values: CALL_STATUSES,
            in: "query",
            help: "Only show calls currently in this status.",
        },
        {
            name: "StartTime",
            kind: "date",
            in: "query",
            help: "Only show calls that started on this date (GMT), given as YYYY-MM-DD.",
        },
        {
            name: "ParentCallSid",
            kind: "sid",
            prefixes: ["CA"],
            in: "query",
            help: "Only show calls spawned by the call with this Sid.",
        },
    ])),
};

const deleteCall: OperationSpec = {
    name: "deleteCall",
    group: "calls",
    method: "DELETE",
    path: `${ACCOUNT}/Calls/{CallSid}.json`,
    summary: "Delete the record of a call.",
    result: "none",
    params: withCredentials([CallSid]),
};

const postMessage: OperationSpec = {
    name: "postMessage",
    group: "messages",
    method: "POST",
    path: `${ACCOUNT}/Messages.json`,
    summary: "Send an SMS, MMS or WhatsApp message.",
    result: "message",
    stringPayload: "Body",
    smsText: "Body",
    requireOneOf: [
        ["From", "MessagingServiceSid"],
        ["Body", "MediaUrl", "ContentSid"],
    ],
    dependencies: {
        SendAt: ["ScheduleType", "MessagingServiceSid"],
        ScheduleType: ["SendAt", "MessagingServiceSid"],
    },
    params: withCredentials([
        {
            name: "To",
            kind: "address",
            forms: ["e164", "whatsapp"],
            destination: true,
            in: "form",
            required: true,
            help: "The destination phone number in E.164 format, e.g. +16175551212, or whatsapp:+16175551212. Several (at most 50) as a list or separated by commas, semicolons or new lines: one message each, each result its own message with msg.parts, for a join node.",
        },
        {
            name: "Body",
            kind: "text",
            maxLength: 1600,
            in: "form",
            help: "The text of the message, at most 1600 characters. A string msg.payload is taken as the Body.",
        },
        {
            name: "From",
            kind: "address",
            forms: ["e164", "alphanumeric", "whatsapp"],
            in: "form",
            help: "A Twilio phone number of the account (E.164), an alphanumeric sender ID enabled for it, or whatsapp:+E.164.",
        },
        {
            name: "MaxPrice",
            kind: "decimal",
            scale: 4,
            in: "form",
            help: "The maximum price in US dollars, up to four decimals, acceptable for delivery. Twilio has not applied it since 2024-06-03.",
        },
        {
            name: "MediaUrl",
            kind: "url",
            maxItems: 10,
            in: "form",
            help: "The URL of an image (gif, png or jpeg) to send with the message, or a list of up to 10 URLs.",
        },
        {
            name: "ApplicationSid",
            kind: "sid",
            prefixes: ["AP"],
            in: "form",
            help: "A TwiML application whose MessageStatusCallback URL receives the MessageSid and MessageStatus.",
        },
        callbackUrl("StatusCallback", "The URL Twilio POSTs to each time the message status changes."),
        {
            name: "MessagingServiceSid",
            kind: "sid",
            prefixes: ["MG"],
            in: "form",
            help: "The Messaging Service to send from, instead of From.",
        },
        {
            name: "ContentSid",
            kind: "sid",
            prefixes: ["HX"],
            in: "form",
            beyondSpec: true,
            help: "A Content template (e.g. an approved WhatsApp template) to send instead of a Body.",
        },
        {
            name: "ContentVariables",
            kind: "json",
            in: "form",
            beyondSpec: true,
            help: 'The values of the template\'s variables, as an object or its JSON text, e.g. {"1": "pump 3"}.',
        },
        {
            name: "SendAt",
            kind: "datetime",
            in: "form",
            beyondSpec: true,
            help: "Schedule the message for this time (ISO 8601, 15 minutes to 35 days ahead); needs ScheduleType fixed and a MessagingServiceSid.",
        },
        {
            name: "ScheduleType",
            kind: "enum",
            values: ["fixed"],
            in: "form",
            beyondSpec: true,
            help: "fixed, with SendAt, schedules the message.",
        },
    ]),
};

const getMessage: OperationSpec = {
    name: "getMessage",
    group: "messages",
    method: "GET",
    path: `${ACCOUNT}/Messages/{MessageSid}.json`,
    summary: "Return the details of a message.",
    result: "message",
    params: withCredentials([MessageSid]),
};

const listMessage: OperationSpec = {
    name: "listMessage",
    group: "messages",
    method: "GET",
    path: `${ACCOUNT}/Messages.json`,
    summary: "List the messages of the account, newest first, one page at a time.",
    result: "messageList",
    params: withCredentials(withPaging([
        PageSize,
        {
            name: "From",
            kind: "address",
            forms: ["e164", "alphanumeric", "whatsapp"],
            in: "query",
            help: "Only show messages from this phone number or alphanumeric sender ID.",
        },
        {
            name: "To",
            kind: "address",
            forms: ["e164", "whatsapp"],
            in: "query",
            help: "Only show messages to this phone number.",
        },
        {
            name: "DateSent",
            kind: "date",
            in: "query",
            help: "Only show messages sent on this date (GMT), given as YYYY-MM-DD.",
        },
    ])),
};

const deleteMessage: OperationSpec = {
    name: "deleteMessage",
    group: "messages",
    method: "DELETE",
    path: `${ACCOUNT}/Messages/{MessageSid}.json`,
    summary: "Delete a message from the account's logs.",
    result: "none",
    params: withCredentials([MessageSid]),
};

const getMedia: OperationSpec = {
    name: "getMedia",
    group: "media",
    method: "GET",
    path: `${ACCOUNT}/Messages/{MessageSid}/Media/{MediaSid}.json`,
    summary: "Return the details of one media item of a message.",
    result: "media",
    params: withCredentials([MessageSid, MediaSid]),
};

const listMedia: OperationSpec = {
    name: "listMedia",
    group: "media",
    method: "GET",
    path: `${ACCOUNT}/Messages/{MessageSid}/Media.json`,
    summary: "List the media items of a message.",
    result: "mediaList",
    params: withCredentials(withPaging([
        MessageSid,
        PageSize,
        {
            name: "DateCreated",
            kind: "date",
            in: "query",
            help: "Only show media created on this date (GMT), given as YYYY-MM-DD.",
        },
    ])),
};

const deleteMedia: OperationSpec = {
    name: "deleteMedia",
    group: "media",
    method: "DELETE",
    path: `${ACCOUNT}/Messages/{MessageSid}/Media/{MediaSid}.json`,
    summary: "Delete one media item of a message.",
    result: "none",
    params: withCredentials([MessageSid, MediaSid]),
};

/** All operations by name, in the order the editor lists them. */
export const OPERATIONS: Readonly<Record<string, OperationSpec>> = Object.freeze(
    Object.fromEntries(
        [
            createCall,
            getCall,
            listCall,
            deleteCall,
            postMessage,
            getMessage,
            listMessage,
            deleteMessage,
            getMedia,
            listMedia,
            deleteMedia,
        ].map((op) => [op.name, op]),
    ),
);

export function operationsOf(group: GroupName): OperationSpec[] {
    return Object.values(OPERATIONS).filter((op) => op.group === group);
}
