/**
 * What a request came to: the result for output 1, or the reference spec's error object {type, error, status}
 * (plus Twilio's code and more_info) for output 2. Nothing here copies a request's headers, so the
 * Authorization header the SDK's errors carry never reaches a message or a log.
 */
import type { OperationSpec } from "../catalog/types";
import type { Translate } from "../rules/translate";
import { shapeResult } from "../rules/result";

export type ErrorType =
    | "ValidationError"
    | "TwilioError"
    | "NetworkError"
    | "TimeoutError"
    | "ConfigError"
    | "QueueFullError" // the account's queue is full: nothing was sent
    | "StoppedError" // the node stopped while the message waited: nothing was sent
    | "ExpiredError"; // it waited in the outbox longer than the account's outboxMaxAge: not sent

export interface RequestError {
    type: ErrorType;
    error: string;
    status: number;
    code?: number;
    more_info?: string;
    /** "unknown": a create that may have reached Twilio and was not repeated; check before sending again. */
    outcome?: "unknown";
}

export type RequestFailure = { ok: false; error: RequestError };
export type Outcome = { ok: true; result: Record<string, unknown> | null } | RequestFailure;

/** Twilio error codes whose meaning we can turn into advice (twilio.hints.<code> in the message catalog). */
const HINTED_CODES = new Set([20003, 20404, 20429, 21211, 21212, 21606, 21608, 21610, 21614]);

/** Socket error codes that mean "no answer in time" rather than "could not connect". */
const TIMEOUT_CODES = new Set(["ECONNABORTED", "ETIMEDOUT"]);

export function failure(type: ErrorType, error: string, status: number): RequestFailure {
    return { ok: false, error: { type, error, status } };
}

/** Twilio's error body; a proxy or gateway in between may answer with RFC 7807's title and detail instead. */
interface TwilioErrorBody {
    code?: unknown;
    message?: unknown;
    more_info?: unknown;
    title?: unknown;
    detail?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function fromResponse(
    op: OperationSpec,
    response: { statusCode: number; body: unknown },
    t: Translate,
): Outcome {
    const { statusCode: status, body } = response;
    if (status >= 200 && status < 300) {
        if (op.result === "none") return { ok: true, result: null };
        if (isObject(body)) return { ok: true, result: shapeResult(op.result, body) };
        return failure("NetworkError", t("twilio.errors.notJson", { status }), 502);
    }
    if (!isObject(body)) return failure("TwilioError", t("twilio.errors.notJson", { status }), status);
    const { code, message, more_info, title, detail } = body as TwilioErrorBody;
    const numericCode = typeof code === "number" ? code : Number.parseInt(String(code), 10);
    const hint = HINTED_CODES.has(numericCode) ? ` ${t(`twilio.hints.${numericCode}`)}` : "";
    const error: RequestError = {
        type: "TwilioError",
        error: t("twilio.errors.twilio", { status, message: String(message ?? [title, detail].filter(Boolean).join(": ")) }) + hint,
        status,
    };
    if (Number.isFinite(numericCode)) error.code = numericCode;
    if (typeof more_info === "string") error.more_info = more_info;
    return { ok: false, error };
}

/** A request that got no HTTP answer: a refused or reset connection, a DNS failure, a timeout. */
export function fromFailure(
    op: OperationSpec,
    err: unknown,
    context: { baseUrl: string; timeoutMs: number },
    t: Translate,
): Outcome {
    const code = isObject(err) && typeof err.code === "string" ? err.code : "";
    if (TIMEOUT_CODES.has(code)) {
        const key = op.method === "POST" ? "twilio.errors.timeoutCreate" : "twilio.errors.timeout";
        return failure(
            "TimeoutError",
            t(key, { seconds: context.timeoutMs / 1000, url: context.baseUrl, operation: op.name }),
            504,
        );
    }
    // only the code, or the first line of a message: an SDK error object holds the request headers
    const reason = code || (err instanceof Error ? err.message.split("\n")[0] : String(err));
    return failure("NetworkError", t("twilio.errors.network", { url: context.baseUrl, reason }), 502);
}
