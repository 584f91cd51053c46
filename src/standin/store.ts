/**
 * The stand-in's state: accounts (with subaccounts and API keys) and their calls, messages and media.
 */
import { newSid, newToken } from "./twilio-format";
import type { Resource } from "./resources";

export interface Account {
    sid: string;
    token: string;
    /** The main account of a subaccount. */
    parent?: string;
    calls: Map<string, Resource>;
    messages: Map<string, Resource>;
    /** Media items by the Sid of their message. */
    media: Map<string, Map<string, Resource>>;
}

export interface ApiKey {
    sid: string;
    secret: string;
    accountSid: string;
}

export class Store {
    readonly accounts = new Map<string, Account>();
    readonly apiKeys = new Map<string, ApiKey>();

    addAccount(sid = newSid("AC"), token = newToken(), parent?: string): Account {
        const account: Account = { sid, token, parent, calls: new Map(), messages: new Map(), media: new Map() };
        this.accounts.set(sid, account);
        return account;
    }

    addApiKey(accountSid: string): ApiKey {
        const key = { sid: newSid("SK"), secret: newToken(), accountSid };
        this.apiKeys.set(key.sid, key);
        return key;
    }

    /** Whether Basic auth username:password may act on the account in the URL (itself or a subaccount). */
    authorizes(username: string, password: string, accountSid: string): boolean {
        const owner = this.accounts.get(username)?.token === password ? username : this.apiKeyOwner(username, password);
        if (!owner) return false;
        const target = this.accounts.get(accountSid);
        return target !== undefined && (target.sid === owner || target.parent === owner);
    }

    private apiKeyOwner(sid: string, secret: string): string | undefined {
        const key = this.apiKeys.get(sid);
        return key && key.secret === secret ? key.accountSid : undefined;
    }

    /** Forgets every call, message and media item; accounts and keys stay. */
    clear(): void {
        for (const account of this.accounts.values()) {
            account.calls.clear();
            account.messages.clear();
            account.media.clear();
        }
    }
}
