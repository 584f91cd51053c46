/**
 * The twilio-alert nodes' alarms on Valkey/Redis (the AlarmStore of alarm-store.ts), for accounts whose outbox is
 * there: every instance running the flow reaches them. Each alarm belongs to the instance that wrote it, as an
 * outbox entry does (redis-store.ts): only its owner escalates it, so instances running the same flow do not
 * each notify the contacts. When its owner's lease lapses (kill -9, a lost host, a restart: a new process is a
 * new instance), the next sweep of any instance running the node takes it over with its due step.
 *
 * Keys (redis.ts has the rest): <p>:alarms:<node> HASH alarm key → {"o": owner, "s": order, "d": the alarm's
 * JSON}; <p>:alarmseq INCR, the order alarms were first written in.
 */
import type { AlarmRecord, AlarmStore } from "./alarm-store";
import type { RedisConnection } from "./redis";

/** How often an instance looks for alarms of instances whose lease lapsed. */
const SWEEP_MS = 2_000;

// ARGV: prefix, node, instance, "all" (own and orphaned) | "orphaned". Orphaned alarms become this instance's.
const TAKE = `
local hash = ARGV[1] .. ':alarms:' .. ARGV[2]
local fields = redis.call('HGETALL', hash)
local out = {}
for i = 1, #fields, 2 do
  local value = cjson.decode(fields[i + 1])
  local mine = value.o == ARGV[3]
  if not mine and redis.call('EXISTS', ARGV[1] .. ':inst:' .. value.o) == 0 then
    value.o = ARGV[3]
    redis.call('HSET', hash, fields[i], cjson.encode(value))
    out[#out + 1] = fields[i]; out[#out + 1] = tostring(value.s); out[#out + 1] = value.d
  elseif mine and ARGV[4] == 'all' then
    out[#out + 1] = fields[i]; out[#out + 1] = tostring(value.s); out[#out + 1] = value.d
  end
end
return out`;

// ARGV: prefix, node, instance, key, data. Keeps the alarm's place in the order.
const PUT = `
local hash = ARGV[1] .. ':alarms:' .. ARGV[2]
local old = redis.call('HGET', hash, ARGV[4])
local order = old and cjson.decode(old).s or redis.call('INCR', ARGV[1] .. ':alarmseq')
redis.call('HSET', hash, ARGV[4], cjson.encode({o = ARGV[3], s = order, d = ARGV[5]}))
return order`;

// ARGV: prefix, node, instance, key ("" for every alarm of the node this instance owns)
const DELETE = `
local hash = ARGV[1] .. ':alarms:' .. ARGV[2]
if ARGV[4] ~= '' then return redis.call('HDEL', hash, ARGV[4]) end
local fields = redis.call('HGETALL', hash)
for i = 1, #fields, 2 do
  if cjson.decode(fields[i + 1]).o == ARGV[3] then redis.call('HDEL', hash, fields[i]) end
end
return 0`;

function records(node: string, flat: unknown): AlarmRecord[] {
    const list = flat as string[];
    const found: Array<AlarmRecord & { order: number }> = [];
    for (let i = 0; i < list.length; i += 3) found.push({ node, key: list[i], order: Number(list[i + 1]), data: list[i + 2] });
    return found.sort((a, b) => a.order - b.order).map(({ node: id, key, data }) => ({ node: id, key, data }));
}

export class RedisAlarmStore implements AlarmStore {
    constructor(private readonly connecting: Promise<RedisConnection>) {
        connecting.catch(() => {});
    }

    private async run(script: string, node: string, ...args: string[]): Promise<unknown> {
        const redis = await this.connecting;
        return redis.script(script, [], [redis.prefix, node, redis.instance, ...args]);
    }

    /** This instance's alarms of the node and those whose owner's lease lapsed (taken over now). */
    async alarmsOf(node: string): Promise<AlarmRecord[]> {
        return records(node, await this.run(TAKE, node, "all"));
    }

    async putAlarm(record: AlarmRecord): Promise<void> {
        await this.run(PUT, record.node, record.key, record.data);
    }

    async deleteAlarms(node: string, key?: string): Promise<void> {
        await this.run(DELETE, node, key ?? "");
    }

    /** Hands `adopt` the node's alarms of instances whose lease lapses, as they are taken over; returns the stop. */
    watchOrphans(node: string, adopt: (records: AlarmRecord[]) => void): () => void {
        const timer = setInterval(() => {
            this.run(TAKE, node, "orphaned").then(
                (flat) => {
                    const taken = records(node, flat);
                    if (taken.length > 0) adopt(taken);
                },
                () => {}, // Redis unreachable: the next sweep tries again
            );
        }, SWEEP_MS);
        timer.unref();
        return () => clearInterval(timer);
    }
}
