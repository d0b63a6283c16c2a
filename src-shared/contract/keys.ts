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
  /** `local`: made on this computer, never sent to the service; `cloud`: the account's, the only kind cloud voices use. */
  kind: z.enum(['local', 'cloud']),
  /** Whether this computer holds the full key (a cloud key made elsewhere is only listed until it is pasted here). */
  usable: z.boolean(),
  /** A cloud key's change made here and not yet accepted by the service. */
  waiting: z.boolean(),
  /**
   * A cloud key's day as the service last told it (its X-RateLimit headers): null numbers mean unlimited, `resetAt`
   * is the next reset; null before any memo was sent with the key.
   */
  cloudDay: z.object({ limit: z.number().nullable(), remaining: z.number().nullable(), resetAt: z.string().nullable(), readAt: z.string() }).nullable(),
});

const keyName = z.string().trim().min(1, 'A key needs a name.').max(100, 'A key name has at most 100 characters.');

export const keysMethods = {
  /**
   * `secret`: where the full key is (`here` in the keychain, `session` until the app stops, `missing`: not on this
   * computer). `active` counts the keys made here (the plan's limit is theirs).
   */
  'keys.list': method(noArgs, z.object({ keys: z.array(apiKeyView.extend({ secret: z.enum(['here', 'session', 'missing']) })), active: z.number(), limit: z.number() })),
  /** A `cloud` key is created on the service through the sync outbox (offline too): its full key is not known yet. */
  'keys.create': method(
    args({ name: keyName.optional(), test: z.boolean().optional(), kind: z.enum(['local', 'cloud']).optional() }),
    z.object({ key: apiKeyView, fullKey: z.string().nullable() }),
  ),
  /** An existing key of the cloud account, pasted: checked, kept in the keychain, matched to its cloud row on sync. */
  'keys.addCloud': method(
    args({ key: z.string().trim().regex(/^at_(live|test)_[A-Za-z0-9_-]{43}$/, 'That is not an Agent Talk API key (at_live_ or at_test_ and 43 more characters).'), name: keyName.optional() }),
    apiKeyView,
  ),
  'keys.rename': method(args({ id, name: keyName }), apiKeyView),
  /** `notice` says what else happened when a step after the revocation could not be done (the keychain's copy). */
  'keys.revoke': method(args({ id }), apiKeyView.extend({ notice: z.string().optional() })),
};

export type ApiKeyView = z.infer<typeof apiKeyView>;
