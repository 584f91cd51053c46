/**
 * The account's limits on Valkey/Redis, for every instance together (sender/shared-limiter.ts): its requests in
 * flight are a sorted set of leased places (token → lease end), its rate a start schedule (the next slot, in µs of
 * Redis's clock: one clock for all instances). Each is one script: checked and taken in one step.
 * The rate follows the same rule as RequestLimiter: slots on a fixed schedule, up to a tenth of a second caught up.
 */
import type { Limits } from "../sender/limiter";
import type { SharedLimitStore } from "../sender/shared-limiter";
import type { RedisConnection } from "./redis";

/** A place not renewed for this long is given back (its instance died). */
export const SLOT_LEASE_MS = 10_000;
const CATCH_UP_US = 100_000;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nowMs = math.floor(now / 1000)
`;

/** KEYS slots, rate; ARGV token, max, interval µs (0: no rate), lease ms. 0: taken; -1: full; else ms to wait. */
const TAKE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local interval = tonumber(ARGV[3])
if interval > 0 then
  local slot = tonumber(redis.call('GET', KEYS[2]) or '0')
  if slot < now - math.max(interval, ${CATCH_UP_US}) then slot = now end
  if slot > now then return math.max(1, math.ceil((slot - now) / 1000)) end
  redis.call('SET', KEYS[2], string.format('%.0f', slot + interval), 'PX', 60000)
end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[4]), ARGV[1])
return 0
`;

/** KEYS rate; ARGV interval µs: reserves the next slot, returns ms to wait for it. */
const PACE = `${NOW}
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now - math.max(interval, ${CATCH_UP_US}) then slot = now end
redis.call('SET', KEYS[1], string.format('%.0f', slot + interval), 'PX', 60000)
return math.max(0, math.ceil((slot - now) / 1000))
`;

/** KEYS slots; ARGV lease ms, tokens…: extends the leases of places still held. */
const RENEW = `${NOW}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', nowMs + tonumber(ARGV[1]), ARGV[i]) end
return 0
`;

export class RedisLimitStore implements SharedLimitStore {
    constructor(
        private readonly connecting: Promise<RedisConnection>,
        /** accountKey: AccountSid@host. */
        private readonly account: string,
    ) {
        connecting.catch(() => {});
    }

    async tryTake(token: string, limits: Limits): Promise<number> {
        const redis = await this.connecting;
        const interval = limits.ratePerSecond ? Math.round(1_000_000 / limits.ratePerSecond) : 0;
        const keys = [redis.key("slots", this.account), redis.key("rate", this.account)];
        return Number(await redis.script(TAKE, keys, [token, limits.maxConcurrent, interval, SLOT_LEASE_MS]));
    }

    async pace(limits: Limits): Promise<number> {
        if (!limits.ratePerSecond) return 0;
        const redis = await this.connecting;
        return Number(await redis.script(PACE, [redis.key("rate", this.account)], [Math.round(1_000_000 / limits.ratePerSecond)]));
    }

    async release(token: string): Promise<void> {
        const redis = await this.connecting;
        await redis.client.zrem(redis.key("slots", this.account), token);
    }

    async renew(tokens: string[]): Promise<void> {
        const redis = await this.connecting;
        await redis.script(RENEW, [redis.key("slots", this.account)], [SLOT_LEASE_MS, ...tokens]);
    }
}
