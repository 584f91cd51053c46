/**
 * The outbox on Valkey/Redis, shared by every Node-RED instance that points its account at the same server
 * (redis.ts has the key layout). Each entry belongs to the instance that stored it, while that instance's
 * heartbeat key lives: it sends its own entries, so its results come out of the node that queued them. When an
 * instance dies (kill -9, a lost host), its key lapses after INSTANCE_LEASE_MS and the next sweep of any other
 * instance takes its open entries over, atomically (one script): those it was sending become `unknown`, to be
 * looked up at Twilio before anything is sent again (reconciler.ts), and their results come out of the node of the
 * same id on the instance that took them (the same flow), or the log.
 *
 * Every change of state is one Lua script, run by Redis as one step, checked against the entry's owner: an
 * instance that lost its lease (a long pause) can no longer mark an entry as being sent, so it never sends
 * another's entry. markSending also takes the entry's lane for all instances: one entry per lane may have an
 * unknown outcome (or be in flight) at a time, as the scheduler does within one process. A claim (a Sid found at
 * Twilio) is written at the moment it is made, and refused if another entry has it.
 *
 * Durability is Redis's: with appendonly yes and appendfsync always, an acknowledged entry survives a crash of
 * Redis; the defaults (everysec) may lose the last second. The README says so.
 */
import { OPERATIONS } from "../catalog/operations";
import type { OperationParams } from "../rules/validate";
import { SWEEP_MS } from "./outbox";
import { laneOf, SKEW_MARGIN_MS } from "./reconciler";
import type { RedisConnection } from "./redis";
import { LaneTaken, NotOwner, type AccountSummary, type EntryRow, type EntryState, type NewEntry, type OutboxStore } from "./store";

/** Takes over the open entries of an account whose owner's lease lapsed; returns their ids (and this instance's own with 'own'). */
const ADOPT = `
local open = ARGV[1] .. ':open:' .. ARGV[2]
local ids = redis.call('ZRANGE', open, 0, -1)
local alive = {}
local out = {}
for _, id in ipairs(ids) do
  local e = ARGV[1] .. ':e:' .. id
  local owner = redis.call('HGET', e, 'owner')
  if not owner then
    redis.call('ZREM', open, id)
  elseif owner == ARGV[3] then
    if ARGV[4] == 'own' then table.insert(out, id) end
  else
    if alive[owner] == nil then alive[owner] = redis.call('EXISTS', ARGV[1] .. ':inst:' .. owner) == 1 end
    if not alive[owner] then
      redis.call('HSET', e, 'owner', ARGV[3])
      if redis.call('HGET', e, 'state') == 'sending' then redis.call('HSET', e, 'state', 'unknown') end
      table.insert(out, id)
    end
  end
end
return out
`;

/** The owner check every change starts with: 'gone', 'notOwner' or nil (go on). */
const OWNED = `
local e = ARGV[1] .. ':e:' .. ARGV[2]
local owner = redis.call('HGET', e, 'owner')
if not owner then return 'gone' end
if owner ~= ARGV[3] then return 'notOwner' end
local account = redis.call('HGET', e, 'account')
local lanes = ARGV[1] .. ':lane:' .. account
local lane = redis.call('HGET', e, 'lane')
local function freeLane()
  if redis.call('HGET', lanes, lane) == ARGV[2] then redis.call('HDEL', lanes, lane) end
end
`;

const MARK_SENDING = `${OWNED}
local holder = redis.call('HGET', lanes, lane)
if holder and holder ~= ARGV[2] then
  local state = redis.call('HGET', ARGV[1] .. ':e:' .. holder, 'state')
  if state == 'sending' or state == 'unknown' then return 'laneTaken' end
end
redis.call('HSET', lanes, lane, ARGV[2])
redis.call('HSET', e, 'state', 'sending', 'attemptStarted', ARGV[4], 'lastAttempt', ARGV[5], 'config', ARGV[6])
return 'ok'
`;

const MARK_WAITING = `${OWNED}
freeLane()
redis.call('HSET', e, 'state', 'waiting')
redis.call('HDEL', e, 'attemptStarted', 'lastAttempt')
return 'ok'
`;

const MARK_UNKNOWN = `${OWNED}
redis.call('HSET', e, 'state', 'unknown')
return 'ok'
`;

/** ARGV[4] sid, ARGV[5] now: the claim, refused if another entry has the Sid. */
const CLAIM = `${OWNED}
local sids = ARGV[1] .. ':sid:' .. account
local holder = redis.call('HGET', sids, ARGV[4])
if holder and holder ~= ARGV[2] then return 'taken' end
redis.call('HSET', sids, ARGV[4], ARGV[2])
redis.call('ZADD', ARGV[1] .. ':sidt:' .. account, ARGV[5], ARGV[4])
return 'ok'
`;

/** ARGV[4] sid or '', ARGV[5] now: the entry goes; its Sid stays as a claim until pruned. */
const FINISH = `${OWNED}
freeLane()
if ARGV[4] ~= '' then
  redis.call('HSETNX', ARGV[1] .. ':sid:' .. account, ARGV[4], ARGV[2])
  redis.call('ZADD', ARGV[1] .. ':sidt:' .. account, ARGV[5], ARGV[4])
end
redis.call('ZREM', ARGV[1] .. ':open:' .. account, ARGV[2])
redis.call('DEL', e)
return 'ok'
`;

/** ARGV prefix, account, lane ('' unless being sent), field/value pairs…: one round trip (and one fsync) per entry. */
const INSERT = `
local id = redis.call('INCR', ARGV[1] .. ':seq')
local e = ARGV[1] .. ':e:' .. id
for i = 4, #ARGV, 2 do redis.call('HSET', e, ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', ARGV[1] .. ':open:' .. ARGV[2], id, id)
redis.call('SADD', ARGV[1] .. ':accounts', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', ARGV[1] .. ':lane:' .. ARGV[2], ARGV[3], id) end
return id
`;

/**
 * KEYS sid, sidt, open; ARGV before, prefix, margin: claims finished before `before`, and before every open
 * entry's attempt of any instance less the margin (a lookup's window reaches back that far).
 */
const PRUNE = `
local before = tonumber(ARGV[1])
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local started = tonumber(redis.call('HGET', ARGV[2] .. ':e:' .. id, 'attemptStarted') or '')
  if started and started - tonumber(ARGV[3]) < before then before = started - tonumber(ARGV[3]) end
end
local sids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', before)
for _, sid in ipairs(sids) do redis.call('HDEL', KEYS[1], sid) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', before)
return #sids
`;

const FIELDS = ["account", "config", "node", "operation", "params", "bytes", "created", "maxAge", "state", "attemptStarted", "lastAttempt"] as const;

type Log = (what: string, reason: string) => void;

/**
 * An entry is finished this long after its result was handed on: Node-RED delivers the result to the next node a
 * turn of the event loop later, and a crash before that must find the entry still open (its result then comes
 * again, found at Twilio), as the SQLite store's grouped commit does.
 */
const FINISH_DELAY_MS = 50;

export class RedisOutboxStore implements OutboxStore {
    readonly shared = true;
    private readonly finishing = new Map<NodeJS.Timeout, () => void>();

    constructor(
        private readonly connecting: Promise<RedisConnection>,
        readonly where: string,
        /** Told when a write nobody waits for fails (said in the log): the entry stays as Redis has it, which is safe. */
        private readonly onWriteError: Log = () => {},
    ) {
        // an unreachable server is said by whoever waits for it; this keeps the rejection from going unhandled
        connecting.catch(() => {});
    }

    private async run(script: string, id: number | string, ...args: Array<string | number>): Promise<unknown> {
        const redis = await this.connecting;
        return redis.script(script, [], [redis.prefix, String(id), redis.instance, ...args.map(String)]);
    }

    private async rows(ids: string[]): Promise<EntryRow[]> {
        if (ids.length === 0) return [];
        const redis = await this.connecting;
        const pipeline = redis.client.pipeline();
        for (const id of ids) pipeline.hmget(redis.key("e", id), ...FIELDS);
        const results = (await pipeline.exec()) ?? [];
        const rows: EntryRow[] = [];
        results.forEach(([err, values], i) => {
            const v = values as Array<string | null>;
            if (err || !v || v[0] === null) return;
            const state = v[8] as EntryState;
            rows.push({
                id: Number(ids[i]),
                account: v[0]!,
                config: v[1] ?? "",
                node: v[2] ?? "",
                operation: v[3] ?? "",
                params: parseParams(v[4]),
                bytes: Number(v[5] ?? 0),
                created: Number(v[6] ?? 0),
                maxAge: Number(v[7] ?? 0),
                // in flight when its instance stopped: it may have reached Twilio
                state: state === "sending" ? "unknown" : state,
                attemptStarted: v[9] === null ? undefined : Number(v[9]),
                lastAttempt: v[10] === null ? undefined : Number(v[10]),
            });
        });
        return rows.sort((a, b) => a.id - b.id);
    }

    /** This instance's open entries of the account, and those of instances whose lease lapsed (taken over now). */
    async openEntries(account: string): Promise<EntryRow[]> {
        return this.takeOver(account, "own");
    }

    /** Only those taken over now (the sweep). */
    adopt(account: string): Promise<EntryRow[]> {
        return this.takeOver(account, "");
    }

    private async takeOver(account: string, own: string): Promise<EntryRow[]> {
        const redis = await this.connecting;
        const ids = (await redis.script(ADOPT, [], [redis.prefix, account, redis.instance, own])) as string[];
        return this.rows(ids);
    }

    async summary(): Promise<AccountSummary[]> {
        const redis = await this.connecting;
        const accounts = await redis.client.smembers(redis.key("accounts"));
        const summaries: AccountSummary[] = [];
        for (const account of accounts) {
            const [first] = await redis.client.zrange(redis.key("open", account), 0, 0);
            if (first === undefined) continue;
            const open = await redis.client.zcard(redis.key("open", account));
            const created = await redis.client.hget(redis.key("e", first), "created");
            summaries.push({ account, open, oldest: Number(created ?? Date.now()) });
        }
        return summaries;
    }

    /** The open entries of an account (all instances) and its requests in flight (all instances), for the status. */
    async sharedCounts(account: string): Promise<{ open: number; inFlight: number }> {
        const redis = await this.connecting;
        const [open, inFlight] = await Promise.all([
            redis.client.zcard(redis.key("open", account)),
            redis.client.zcount(redis.key("slots", account), Date.now(), "+inf"),
        ]);
        return { open, inFlight };
    }

    async messageOf(id: number): Promise<Buffer | undefined> {
        const redis = await this.connecting;
        const data = await redis.client.hgetBuffer(redis.key("e", String(id)), "msg");
        return data && data.length > 0 ? data : undefined;
    }

    async insert(entry: NewEntry): Promise<number> {
        const redis = await this.connecting;
        const op = OPERATIONS[entry.operation];
        const lane = op ? laneOf(op, entry.params as OperationParams) : "";
        const fields: Record<string, string | Buffer> = {
            account: entry.account, config: entry.config, node: entry.node, operation: entry.operation, params: JSON.stringify(entry.params),
            msg: entry.msg, bytes: String(entry.bytes), created: String(entry.created), maxAge: String(entry.maxAge), state: entry.state,
            lane, owner: redis.instance,
        };
        if (entry.attemptStarted !== undefined) fields.attemptStarted = String(entry.attemptStarted);
        if (entry.lastAttempt !== undefined) fields.lastAttempt = String(entry.lastAttempt);
        const pairs = Object.entries(fields).flat();
        return Number(await redis.script(INSERT, [], [redis.prefix, entry.account, entry.state === "sending" ? lane : "", ...pairs]));
    }

    async markSending(id: number, attemptStarted: number, lastAttempt: number, config: string): Promise<void> {
        const answer = await this.run(MARK_SENDING, id, attemptStarted, lastAttempt, config);
        if (answer === "laneTaken") throw new LaneTaken(`entry ${id}`);
        if (answer !== "ok") throw new NotOwner(`entry ${id}`);
    }

    private later(what: string, script: string, id: number, ...args: Array<string | number>): void {
        this.run(script, id, ...args).catch((err: unknown) => this.onWriteError(what, String((err as Error)?.message ?? err)));
    }

    markWaiting(id: number): void {
        this.later(`entry ${id} waiting`, MARK_WAITING, id);
    }

    markUnknown(id: number): void {
        this.later(`entry ${id} with an unknown outcome`, MARK_UNKNOWN, id);
    }

    async claim(id: number, _account: string, sid: string): Promise<boolean> {
        return (await this.run(CLAIM, id, sid, Date.now())) === "ok";
    }

    finish(id: number, state: "done" | "failed" | "expired", sid?: string): void {
        const run = () => {
            this.finishing.delete(timer);
            this.later(`entry ${id} ${state}`, FINISH, id, sid ?? "", Date.now());
        };
        const timer = setTimeout(run, FINISH_DELAY_MS);
        this.finishing.set(timer, run);
    }

    /** Sends the finishes still waiting for their delay (the connection is about to close). */
    flush(): void {
        for (const [timer, run] of this.finishing) {
            clearTimeout(timer);
            run();
        }
    }

    /**
     * Nothing: the instances share the entries and each has its own clock (keep them in step with NTP); each
     * instance's outbox moves the times it keeps in memory itself.
     */
    shiftTimes(): void {}

    prune(account: string, before: number): void {
        void this.connecting
            .then((redis) => redis.script(PRUNE, [redis.key("sid", account), redis.key("sidt", account), redis.key("open", account)], [before, redis.prefix, SKEW_MARGIN_MS + SWEEP_MS]))
            .catch((err: unknown) => this.onWriteError("forgetting old claims", String((err as Error)?.message ?? err)));
    }

    /** The connection is the holder's (outboxes.ts), which releases it. */
    close(): void {}
}

function parseParams(json: string | null): Record<string, unknown> {
    try {
        const params = JSON.parse(json ?? "") as unknown;
        return params && typeof params === "object" && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
    } catch {
        return {};
    }
}
