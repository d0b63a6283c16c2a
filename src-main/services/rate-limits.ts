/**
 * Exact rate limits. A call is checked and counted in one write transaction: LMDB runs write transactions one
 * at a time (across processes too), so two calls can never both take the last slot. Per tier: calls per key per
 * UTC day (a `rate_limits` row per key and date), calls per user per month (the sum of those rows), characters
 * per memo. (Generations running at once are the job queue's: extra ones wait their turn.)
 */
import type { tables } from '../../src-shared/schema';
import { TIER_LIMITS, type Tier } from '../../src-shared/tiers';
import type { AgentTalkStore, Transaction } from '../db';
import { ServiceError } from './errors';
import { tierOf } from './subscriptions';
import { monthStart, nextMonthStart, nextUtcMidnight, utcDate, type Clock } from './time';
import { recordUsage } from './usage';

export interface Allowance {
  tier: Tier;
  /** Calls left today on this key after this one, and when the count resets (null: unlimited). */
  limit: number | null;
  remaining: number | null;
  resetAt: string;
}

type Refusal = { code: 'DAILY_LIMIT_EXCEEDED' | 'MONTHLY_LIMIT_EXCEEDED' | 'TEXT_TOO_LONG'; limit: number; used: number; resetAt: string | null };

const MESSAGES: Record<Refusal['code'], (r: Refusal) => string> = {
  DAILY_LIMIT_EXCEEDED: (r) => `This key has used all ${r.limit} calls for today; the count resets at ${r.resetAt}.`,
  MONTHLY_LIMIT_EXCEEDED: (r) => `Your plan's ${r.limit} calls for this month are used; the count resets at ${r.resetAt}.`,
  TEXT_TOO_LONG: (r) => `The text has ${r.used} characters; your plan allows ${r.limit} per memo.`,
};

/** Calls counted for a user in the month of `at`, across all keys, from the (user_id, date) index. */
function monthCount(tx: Pick<Transaction<typeof tables>, 'query'>, userId: string, at: Date): number {
  const from = utcDate(monthStart(at));
  const to = utcDate(nextMonthStart(at));
  return tx.query('rate_limits', { user_id: userId, date: { gte: from, lt: to } }).reduce((n, row) => n + (row.count ?? 0), 0);
}

export function createRateLimitService(store: AgentTalkStore, clock: Clock) {

  return {
    /**
     * Checks and counts one call on a key. `accepted` runs in the same transaction once the call is allowed, so
     * what the call creates commits with its count or not at all; it is told the time the call is counted at (its
     * UTC date is the day counted, which `release` needs). A refusal is written to the usage log (in its
     * own transaction, as the call's count is not) and thrown as a typed error with `{limit, used, resetAt}`.
     */
    async consume<T = undefined>(
      apiKeyId: string,
      characters: number,
      accepted?: (tx: Transaction<typeof tables>, userId: string, countedAt: Date) => T,
    ): Promise<Allowance & { result: T }> {
      const now = clock();
      const date = utcDate(now);
      const outcome = await store.transaction((tx): (Allowance & { result: T }) | (Refusal & { userId: string }) => {
        const key = tx.get('api_keys', apiKeyId);
        if (!key) throw new ServiceError('INVALID_API_KEY', 'That API key is not known here.');
        if (key.is_active === false) throw new ServiceError('REVOKED_KEY', 'That API key has been revoked.');
        const userId = key.user_id;
        const tier = tierOf(tx, userId, now);
        const limits = TIER_LIMITS[tier];
        const dayReset = nextUtcMidnight(now).toISOString();
        if (limits.charsPerMemo !== null && characters > limits.charsPerMemo) {
          return { userId, code: 'TEXT_TOO_LONG', limit: limits.charsPerMemo, used: characters, resetAt: null };
        }
        const today = tx.query('rate_limits', { api_key_id: apiKeyId, date })[0];
        const usedToday = today?.count ?? 0;
        if (limits.callsPerDay !== null && usedToday >= limits.callsPerDay) {
          return { userId, code: 'DAILY_LIMIT_EXCEEDED', limit: limits.callsPerDay, used: usedToday, resetAt: dayReset };
        }
        if (limits.callsPerMonth !== null) {
          const usedMonth = monthCount(tx, userId, now);
          if (usedMonth >= limits.callsPerMonth) {
            return { userId, code: 'MONTHLY_LIMIT_EXCEEDED', limit: limits.callsPerMonth, used: usedMonth, resetAt: nextMonthStart(now).toISOString() };
          }
        }
        // The rows read above, updated without reading them again.
        if (today) tx.updateRow('rate_limits', today, { count: usedToday + 1 });
        else tx.insert('rate_limits', { api_key_id: apiKeyId, user_id: userId, date, count: 1 });
        tx.updateRow('api_keys', key, { usage_count: (key.usage_count ?? 0) + 1, last_used_at: now.toISOString() });
        recordUsage(tx, { userId, apiKeyId, action: 'key_used', metadata: { characters } });
        return {
          result: accepted?.(tx, userId, now) as T,
          tier,
          limit: limits.callsPerDay,
          remaining: limits.callsPerDay === null ? null : limits.callsPerDay - usedToday - 1,
          resetAt: dayReset,
        };
      });
      if ('code' in outcome) {
        const { userId, ...refusal } = outcome;
        await store.transaction((tx) => recordUsage(tx, { userId, apiKeyId, action: 'error_rate_limit', metadata: { ...refusal } }));
        throw new ServiceError(refusal.code, MESSAGES[refusal.code](outcome), { limit: refusal.limit, used: refusal.used, resetAt: refusal.resetAt });
      }
      return outcome;
    },

    /**
     * Where a key stands today without counting a call (the agent API's X-RateLimit headers): its daily limit,
     * the calls left, and when the count resets. Without a key, the plan of `userId` with nothing spent.
     */
    standing(apiKeyId: string | null, userId: string): Omit<Allowance, 'tier'> {
      const now = clock();
      const tier = tierOf(store, userId, now);
      const limit = TIER_LIMITS[tier].callsPerDay;
      const used = apiKeyId ? (store.query('rate_limits', { api_key_id: apiKeyId, date: utcDate(now) })[0]?.count ?? 0) : 0;
      return { limit, remaining: limit === null ? null : Math.max(0, limit - used), resetAt: nextUtcMidnight(now).toISOString() };
    },

    /**
     * Takes back one call counted on a key on UTC day `date` (a memo that turned out silent delivered nothing), in
     * the caller's transaction: the day's and the month's counts are then as if the call had never come.
     */
    release(tx: Transaction<typeof tables>, apiKeyId: string, date: string): void {
      const day = tx.query('rate_limits', { api_key_id: apiKeyId, date })[0];
      if (day && (day.count ?? 0) > 0) tx.updateRow('rate_limits', day, { count: (day.count ?? 0) - 1 });
      const key = tx.get('api_keys', apiKeyId);
      if (key && (key.usage_count ?? 0) > 0) tx.updateRow('api_keys', key, { usage_count: (key.usage_count ?? 0) - 1 });
    },

    /** Calls per UTC day over all the user's keys for the last `days` days (today included), oldest first. */
    daily(userId: string, days: number): { date: string; calls: number }[] {
      const now = clock();
      const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
      const calls = new Map<string, number>();
      for (const row of store.query('rate_limits', { user_id: userId, date: { gte: utcDate(first), lte: utcDate(now) } })) {
        calls.set(row.date, (calls.get(row.date) ?? 0) + (row.count ?? 0));
      }
      return Array.from({ length: days }, (_, i) => {
        const date = utcDate(new Date(first.getTime() + i * 86_400_000));
        return { date, calls: calls.get(date) ?? 0 };
      });
    },

    /** Today's and this month's counts for the usage screen. */
    summary(userId: string) {
      const now = clock();
      const limits = TIER_LIMITS[tierOf(store, userId, now)];
      const today = store.query('rate_limits', { user_id: userId, date: utcDate(now) }).reduce((n, r) => n + (r.count ?? 0), 0);
      return {
        today: { used: today, limitPerKey: limits.callsPerDay, resetAt: nextUtcMidnight(now).toISOString() },
        month: { used: monthCount(store, userId, now), limit: limits.callsPerMonth, resetAt: nextMonthStart(now).toISOString() },
      };
    },
  };
}
