import type { Node } from "node-red";
import type { TwilioAccount } from "./account";
import type { AccountCredentials } from "../../sender/auth";
import type { ProxyCredentials } from "./account-proxy";
import type { AccountOutbox } from "./outbox";

/** A twilio-account config node as the nodes that use it see it: its credentials and the account they share. */
export interface AccountNode extends Node<AccountCredentials & ProxyCredentials> {
    account: TwilioAccount;
    /** The account's outbox, when its setting is on (and SQLite could be opened or not: see AccountOutbox). */
    outbox?: AccountOutbox;
}
