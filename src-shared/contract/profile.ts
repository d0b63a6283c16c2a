import { z } from 'zod';
import { TIERS, ROLES } from '../schema';
import { args, method, noArgs } from './common';

export const profileView = z.object({
  id: z.string(),
  email: z.string(),
  tier: z.enum(TIERS),
  role: z.enum(ROLES),
  createdAt: z.string(),
});

export const subscriptionView = z.object({
  tier: z.enum(TIERS),
  status: z.string(),
  currentPeriodStart: z.string().nullable(),
  currentPeriodEnd: z.string().nullable(),
  cancelAtPeriodEnd: z.boolean(),
});

export const tierLimits = z.object({
  callsPerDay: z.number().nullable(),
  callsPerMonth: z.number().nullable(),
  charsPerMemo: z.number().nullable(),
  apiKeys: z.number(),
  concurrent: z.number(),
});

/** Whether the app can save: mirrors the store's health (see src-main/db/health.ts). */
export const storeHealthView = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ok') }),
  z.object({ state: z.literal('retrying'), since: z.string(), reason: z.string() }),
  z.object({ state: z.literal('disk-full'), since: z.string(), freeBytes: z.number().nullable() }),
]);

export const profileMethods = {
  'profile.get': method(noArgs, profileView.nullable()),
  'profile.create': method(args({ email: z.email().max(254) }), profileView),
  'subscription.get': method(noArgs, subscriptionView.nullable()),
  'limits.get': method(noArgs, z.object({ tier: z.enum(TIERS), limits: tierLimits })),
  'app.status': method(
    noArgs,
    z.object({
      keychain: z.object({ persistent: z.boolean(), reason: z.string().nullable() }),
      profileDir: z.string(),
      /** Whether the app can show save dialogs (Electron); in a browser, files are downloaded instead. */
      fileDialogs: z.boolean(),
      /** Whether writes are being saved; also pushed as the `store.health` event when it changes. */
      store: storeHealthView,
    }),
  ),
};

export type ProfileView = z.infer<typeof profileView>;
export type StoreHealthView = z.infer<typeof storeHealthView>;
