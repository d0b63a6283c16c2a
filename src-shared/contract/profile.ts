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
    }),
  ),
};

export type ProfileView = z.infer<typeof profileView>;
