/**
 * Where the twilio-alert nodes keep their alarms, so that open alarms and their due steps survive a restart: the
 * outbox's store when the account keeps one (the same file, sqlite-store.ts, table `alarms`), else this process's
 * memory (MemoryAlarmStore: a redeploy keeps them, a restart does not).
 *
 * Small on purpose, so that any backend of the outbox (a Valkey/Redis one: a hash per node, the alarm's key as
 * field) can hold alarms too: one opaque JSON document per (node, alarm key), written whole. A write resolves once
 * it is durable: the alert node records a step as taken before the step's send enters the outbox.
 */

export interface AlarmRecord {
    /** The twilio-alert node's id. */
    node: string;
    /** The alarm's key (msg.topic). */
    key: string;
    /** The alarm as JSON (nodes/alert/alarm-state.ts); the store does not read it. */
    data: string;
}

export interface AlarmStore {
    /** The alarms of a node, in the order they were first written. */
    alarmsOf(node: string): Promise<AlarmRecord[]>;
    /** Writes (or replaces) an alarm; resolves once it is durable. */
    putAlarm(record: AlarmRecord): Promise<void>;
    /** Forgets one alarm, or every alarm of the node when `key` is undefined; resolves once durable. */
    deleteAlarms(node: string, key?: string): Promise<void>;
    /**
     * A store shared by instances (redis-alarms.ts): hands `adopt` the node's alarms of an instance that stopped,
     * as they are taken over, so that their escalation goes on here; returns the function that stops watching.
     */
    watchOrphans?(node: string, adopt: (records: AlarmRecord[]) => void): () => void;
}

/** The process's alarms, for accounts without an outbox file. */
const memory = new Map<string, Map<string, string>>();

export class MemoryAlarmStore implements AlarmStore {
    async alarmsOf(node: string): Promise<AlarmRecord[]> {
        return [...(memory.get(node) ?? new Map<string, string>())].map(([key, data]) => ({ node, key, data }));
    }

    async putAlarm(record: AlarmRecord): Promise<void> {
        let alarms = memory.get(record.node);
        if (!alarms) memory.set(record.node, (alarms = new Map()));
        alarms.set(record.key, record.data);
    }

    async deleteAlarms(node: string, key?: string): Promise<void> {
        if (key === undefined) memory.delete(node);
        else memory.get(node)?.delete(key);
    }
}
