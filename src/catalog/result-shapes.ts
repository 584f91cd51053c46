/**
 * Response resources: the field names the reference spec promises on output 1, and the aliases for the
 * few that Twilio's JSON spells differently today (the result carries both spellings).
 */
import type { ResourceSpec, ResultKind } from "./types";

export const RESOURCES: Readonly<Record<"call" | "message" | "media", ResourceSpec>> = {
    call: {
        fields: [
            "to",
            "sid",
            "uri",
            "from",
            "price",
            "status",
            "duration",
            "end_time",
            "direction",
            "price_unit",
            "start_time",
            "account_sid",
            "answered_by",
            "api_version",
            "caller_name",
            "date_created",
            "date_updated",
            "formatted_to",
            "formatted_from",
            "forwarded_from",
            "parent_call_sid",
            "phone_number_sid",
            "subresource_uris",
        ],
        aliases: { formatted_to: "to_formatted", formatted_from: "from_formatted" },
    },
    message: {
        fields: [
            "to",
            "sid",
            "uri",
            "body",
            "from",
            "price",
            "status",
            "date_sent",
            "direction",
            "num_media",
            "error_code",
            "price_unit",
            "account_sid",
            "api_version",
            "date_created",
            "date_updated",
            "num_segments",
            "error_message",
            "subresource_uri",
            "MessagingServiceSid",
        ],
        aliases: { subresource_uri: "subresource_uris", MessagingServiceSid: "messaging_service_sid" },
    },
    media: {
        fields: ["sid", "uri", "parent_sid", "account_sid", "content_type", "date_created", "date_updated"],
        aliases: {},
    },
};

/** The fields every list page carries, besides its items. */
export const PAGE_FIELDS = ["uri", "page", "page_size", "next_page_uri", "first_page_uri", "previous_page_uri"] as const;

/** For a list result: the key of its items and the resource each item is. */
export const LISTS: Readonly<Partial<Record<ResultKind, { key: string; item: keyof typeof RESOURCES }>>> = {
    callList: { key: "calls", item: "call" },
    messageList: { key: "messages", item: "message" },
    mediaList: { key: "media_list", item: "media" },
};
