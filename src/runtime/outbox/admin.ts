/**
 * GET <httpAdminRoot>/twilio-account/outbox: where the outbox file of this Node-RED is, for the account dialog.
 */
import type { NodeAPI } from "node-red";
import { outboxFile } from "./account-outbox";

export const OUTBOX_ADMIN_PATH = "/twilio-account/outbox";

export function registerOutboxAdmin(RED: NodeAPI): void {
    const admin = RED.httpAdmin as unknown as { get?: (...args: unknown[]) => void } | undefined;
    if (!admin?.get) return;
    const auth = (RED as unknown as { auth?: { needsPermission?: (p: string) => unknown } }).auth;
    const permission = auth?.needsPermission ? [auth.needsPermission("twilio-account.read")] : [];
    admin.get(OUTBOX_ADMIN_PATH, ...permission, (_req: unknown, res: { json(body: unknown): void }) => {
        res.json({ file: outboxFile(RED) ?? null });
    });
}
