import { z } from 'zod';
import { args, id, method, noArgs } from './common';

export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  maskedKey: z.string(),
  usageCount: z.number(),
  lastUsedAt: z.string().nullable(),
  isActive: z.boolean(),
  createdAt: z.string(),
});

const keyName = z.string().trim().min(1, 'A key needs a name.').max(100, 'A key name has at most 100 characters.');

export const keysMethods = {
  'keys.list': method(noArgs, z.object({ keys: z.array(apiKeyView), active: z.number(), limit: z.number() })),
  'keys.create': method(
    args({ name: keyName.optional(), test: z.boolean().optional() }),
    z.object({ key: apiKeyView, fullKey: z.string() }),
  ),
  'keys.rename': method(args({ id, name: keyName }), apiKeyView),
  /** `notice` says what else happened when a step after the revocation could not be done (the keychain's copy). */
  'keys.revoke': method(args({ id }), apiKeyView.extend({ notice: z.string().optional() })),
};

export type ApiKeyView = z.infer<typeof apiKeyView>;
