/**
 * GET <httpAdminRoot>/twilio-account/outbox: where the outbox file of this Node-RED is, for the account dialog,
 * and, while this process has it open, what it holds by Twilio account (open entries, the oldest, and whether a
 * config node sends them): the file itself is locked to this process.
 */
import type { NodeAPI } from "node-red";
import { outboxFile } from "./outbox";
import { openSummaries } from "../../outbox/outboxes";

export const OUTBOX_ADMIN_PATH = "/twilio-account/outbox";

export function registerOutboxAdmin(RED: NodeAPI): void {
    const admin = RED.httpAdmin as unknown as { get?: (...args: unknown[]) => void } | undefined;
    if (!admin?.get) return;
    const auth = (RED as unknown as { auth?: { needsPermission?: (p: string) => unknown } }).auth;
    const permission = auth?.needsPermission ? [auth.needsPermission("twilio-account.read")] : [];
    admin.get(OUTBOX_ADMIN_PATH, ...permission, (_req: unknown, res: { json(body: unknown): void }) => {
        const file = outboxFile(RED) ?? null;
        res.json({ file, accounts: openSummaries().find((open) => open.file === file)?.accounts ?? [] });
    });
}
