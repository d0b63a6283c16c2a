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
  'usage.summary': method(noArgs, z.object({ today, month: count })),
};

export type UsageLogView = z.infer<typeof usageLogView>;
