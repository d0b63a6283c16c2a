/** The service's answers to the session routes sync calls (AGENT-TALK-CLOUD.md, "What the hosted service serves today"). */
import { z } from 'zod';

const limit = z.union([z.number(), z.literal('unlimited')]);

export const CloudKeyRow = z.object({
  id: z.string().min(1),
  prefix: z.string(),
  maskedKey: z.string(),
  name: z.string().nullish(),
  usageCount: z.number().nullish(),
  lastUsedAt: z.string().nullish(),
  isActive: z.boolean(),
  createdAt: z.string().nullish(),
});
export type CloudKeyRow = z.infer<typeof CloudKeyRow>;

export const KeyList = z.object({ keys: z.array(CloudKeyRow) });
export const KeyCreated = z.object({ key: z.object({ id: z.string().min(1), key: z.string().regex(/^at_(live|test)_[A-Za-z0-9_-]{43}$/), prefix: z.string(), name: z.string().nullish(), createdAt: z.string().nullish() }) });
export const KeyAnswer = z.object({ key: CloudKeyRow });
export const Done = z.object({ success: z.boolean().optional() }).loose();

const CloudUser = z.object({ id: z.string().min(1), email: z.string(), role: z.string().nullish(), createdAt: z.string().nullish() });
export const Login = z.object({ user: CloudUser, token: z.string().min(1), expiresAt: z.string().nullish() });
export const Me = z.object({ user: CloudUser });

const TIER = z.enum(['hobby', 'pro', 'enterprise']);
export const Account = z.object({
  account: z.object({ id: z.string().min(1), email: z.string(), tier: TIER, role: z.enum(['user', 'admin']).catch('user') }),
  tierInfo: z.object({ limits: z.record(z.string(), limit) }).loose().optional(),
});
export const SubscriptionAnswer = z.object({
  subscription: z.object({
    tier: TIER,
    status: z.string().nullish(),
    currentPeriodStart: z.string().nullish(),
    currentPeriodEnd: z.string().nullish(),
    cancelAtPeriodEnd: z.boolean().nullish(),
  }),
});
export const UsageAnswer = z.object({
  data: z.object({ daily: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), calls: z.number().int().min(0), characters: z.number().int().min(0).catch(0) })) }),
});
export const VoicesAnswer = z.object({ voices: z.array(z.object({ id: z.string(), name: z.string(), gender: z.string().nullish(), description: z.string().nullish() })) });
export const TiersAnswer = z.object({
  tiers: z.array(z.object({ name: z.string(), displayName: z.string().nullish(), price: z.number().nullish(), limits: z.record(z.string(), limit).optional() }).loose()),
});
