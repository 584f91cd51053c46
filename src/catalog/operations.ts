/**
 * The eleven operations of the product's reference spec (twilio-service.txt), grouped as the nodes
 * present them. Paths follow Twilio's 2010-04-01 API. Their texts (summary, parameter help) are in
 * locales/<lang>/twilio.json, en-US included: twilio.summaries.<operation>, twilio.params.<operation>.<parameter>.
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
import type { CollectionName, OperationSpec } from "./types";

const ACCOUNT = "/2010-04-01/Accounts/{AccountSid}";

const createCall: OperationSpec = {
    name: "createCall",
    collection: "calls",
    method: "POST",
    path: `${ACCOUNT}/Calls.json`,
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
        },
        {
            name: "From",
            kind: "address",
            forms: ["e164", "client"],
            in: "form",
            required: true,
        },
        callbackUrl("Url"),
        httpMethod("Method", ["PUT"]),
        {
            name: "Record",
            kind: "boolean",
            in: "form",
        },
        {
            name: "Timeout",
            kind: "integer",
            min: 1,
            max: 600,
            in: "form",
        },
        {
            name: "IfMachine",
            kind: "enum",
            values: ["Continue", "Hangup"],
            in: "form",
            mapsTo: { name: "MachineDetection", value: "Enable" },
        },
        {
            name: "SendDigits",
            kind: "text",
            pattern: /^[0-9#*w]+$/,
            maxLength: 32,
            in: "form",
        },
        callbackUrl("FallbackUrl"),
        {
            name: "ApplicationSid",
            kind: "sid",
            prefixes: ["AP"],
            in: "form",
        },
        httpMethod("FallbackMethod"),
        callbackUrl("StatusCallback"),
        {
            name: "StatusCallbackEvent",
            kind: "enum",
            values: CALL_EVENTS,
            multiple: true,
            in: "form",
        },
        httpMethod("StatusCallbackMethod", ["PUT"]),
        {
            name: "MachineDetection",
            kind: "enum",
            values: ["Enable", "DetectMessageEnd"],
            in: "form",
            beyondSpec: true,
        },
        {
            name: "Twiml",
            kind: "text",
            pattern: /^\s*</,
            maxLength: 4000,
            in: "form",
            beyondSpec: true,
        },
    ]),
};

const getCall: OperationSpec = {
    name: "getCall",
    collection: "calls",
    method: "GET",
    path: `${ACCOUNT}/Calls/{CallSid}.json`,
    result: "call",
    params: withCredentials([CallSid]),
};

const listCall: OperationSpec = {
    name: "listCall",
    collection: "calls",
    method: "GET",
    path: `${ACCOUNT}/Calls.json`,
    result: "callList",
    params: withCredentials(withPaging([
        PageSize,
        {
            name: "From",
            kind: "address",
            forms: ["e164", "client"],
            in: "query",
        },
        {
            name: "To",
            kind: "address",
            forms: ["e164", "client"],
            in: "query",
        },
        {
            name: "Status",
            kind: "enum",
            values: CALL_STATUSES,
            in: "query",
        },
        {
            name: "StartTime",
            kind: "date",
            in: "query",
        },
        {
            name: "ParentCallSid",
            kind: "sid",
            prefixes: ["CA"],
            in: "query",
        },
    ])),
};

const deleteCall: OperationSpec = {
    name: "deleteCall",
    collection: "calls",
    method: "DELETE",
    path: `${ACCOUNT}/Calls/{CallSid}.json`,
    result: "none",
    params: withCredentials([CallSid]),
};

const postMessage: OperationSpec = {
    name: "postMessage",
    collection: "messages",
    method: "POST",
    path: `${ACCOUNT}/Messages.json`,
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
        },
        {
            name: "Body",
            kind: "text",
            maxLength: 1600,
            in: "form",
        },
        {
            name: "From",
            kind: "address",
            forms: ["e164", "alphanumeric", "whatsapp"],
            in: "form",
        },
        {
            name: "MaxPrice",
            kind: "decimal",
            scale: 4,
            in: "form",
        },
        {
            name: "MediaUrl",
            kind: "url",
            maxItems: 10,
            in: "form",
        },
        {
            name: "ApplicationSid",
            kind: "sid",
            prefixes: ["AP"],
            in: "form",
        },
        callbackUrl("StatusCallback"),
        {
            name: "MessagingServiceSid",
            kind: "sid",
            prefixes: ["MG"],
            in: "form",
        },
        {
            name: "ContentSid",
            kind: "sid",
            prefixes: ["HX"],
            in: "form",
            beyondSpec: true,
        },
        {
            name: "ContentVariables",
            kind: "json",
            in: "form",
            beyondSpec: true,
        },
        {
            name: "SendAt",
            kind: "datetime",
            in: "form",
            beyondSpec: true,
        },
        {
            name: "ScheduleType",
            kind: "enum",
            values: ["fixed"],
            in: "form",
            beyondSpec: true,
        },
    ]),
};

const getMessage: OperationSpec = {
    name: "getMessage",
    collection: "messages",
    method: "GET",
    path: `${ACCOUNT}/Messages/{MessageSid}.json`,
    result: "message",
    params: withCredentials([MessageSid]),
};

const listMessage: OperationSpec = {
    name: "listMessage",
    collection: "messages",
    method: "GET",
    path: `${ACCOUNT}/Messages.json`,
    result: "messageList",
    params: withCredentials(withPaging([
        PageSize,
        {
            name: "From",
            kind: "address",
            forms: ["e164", "alphanumeric", "whatsapp"],
            in: "query",
        },
        {
            name: "To",
            kind: "address",
            forms: ["e164", "whatsapp"],
            in: "query",
        },
        {
            name: "DateSent",
            kind: "date",
            in: "query",
        },
    ])),
};

const deleteMessage: OperationSpec = {
    name: "deleteMessage",
    collection: "messages",
    method: "DELETE",
    path: `${ACCOUNT}/Messages/{MessageSid}.json`,
    result: "none",
    params: withCredentials([MessageSid]),
};

const getMedia: OperationSpec = {
    name: "getMedia",
    collection: "media",
    method: "GET",
    path: `${ACCOUNT}/Messages/{MessageSid}/Media/{MediaSid}.json`,
    result: "media",
    params: withCredentials([MessageSid, MediaSid]),
};

const listMedia: OperationSpec = {
    name: "listMedia",
    collection: "media",
    method: "GET",
    path: `${ACCOUNT}/Messages/{MessageSid}/Media.json`,
    result: "mediaList",
    params: withCredentials(withPaging([
        MessageSid,
        PageSize,
        {
            name: "DateCreated",
            kind: "date",
            in: "query",
        },
    ])),
};

const deleteMedia: OperationSpec = {
    name: "deleteMedia",
    collection: "media",
    method: "DELETE",
    path: `${ACCOUNT}/Messages/{MessageSid}/Media/{MediaSid}.json`,
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

export function operationsOf(collection: CollectionName): OperationSpec[] {
    return Object.values(OPERATIONS).filter((op) => op.collection === collection);
}
