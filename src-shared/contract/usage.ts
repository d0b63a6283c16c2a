import { z } from 'zod';
import { USAGE_ACTIONS } from '../schema';
import { args, isoTimestamp, method, noArgs } from './common';

export const usageLogView = z.object({
  id: z.string(),
  action: z.string(),
  apiKeyId: z.string().nullable(),
  metadata: z.unknown(),
  createdAt: z.string(),
});

const count = z.object({ used: z.number(), limit: z.number().nullable(), resetAt: z.string() });
/** Today's calls over all the user's keys; the daily limit applies to each key on its own. */
const cloudRateLimit = z.object({ limit: z.number().nullable(), remaining: z.number().nullable(), resetAt: z.string().nullable() });
const today = z.object({ used: z.number(), limitPerKey: z.number().nullable(), resetAt: z.string() });

export const usageMethods = {
  'usage.list': method(
    args({
      action: z.enum(USAGE_ACTIONS).optional(),
      from: isoTimestamp.optional(),
      to: isoTimestamp.optional(),
      limit: z.int().min(1).max(500).optional(),
      offset: z.int().min(0).max(1_000_000).optional(),
    }),
    z.array(usageLogView),
  ),
  /** Also the cloud's own count for the key last used with it (its X-RateLimit headers), or null before any call. */
  'usage.summary': method(noArgs, z.object({ today, month: count, cloud: cloudRateLimit.nullable() })),
  /** Calls per UTC day over all the user's keys, oldest first, for the last `days` days (today included). */
  'usage.daily': method(args({ days: z.int().min(1).max(366) }), z.array(z.object({ date: z.string(), calls: z.number() }))),
};

export type UsageLogView = z.infer<typeof usageLogView>;
