/**
 * API keys in the service's format: `at_live_` or `at_test_` + 32 random bytes in url-safe base64. Only the
 * SHA-256 of the full key and its prefix (and the last 6 characters, for display) are stored; the full key is
 * returned once, and kept in the keychain so the app can use it itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import type { ApiKey } from '../../src-shared/schema';
import { TIER_LIMITS } from '../../src-shared/tiers';
import type { AgentTalkStore } from '../db';
import { ServiceError } from './errors';
import type { SecretStore } from './secrets';
import { tierOf } from './subscriptions';
import { recordUsage } from './usage';

export const KEY_PREFIXES = { live: 'at_live_', test: 'at_test_' } as const;
export const KEY_FORMAT = /^at_(live|test)_[A-Za-z0-9_-]{43}$/;

export const hashKey = (fullKey: string) => createHash('sha256').update(fullKey).digest('hex');
/** The keychain entry of a key's full value (local and cloud keys alike). */
export const secretAccount = (keyId: string) => `api-key:${keyId}`;

/** Whether this computer holds the key's full value: not for a cloud key only listed, or still being created. */
export const holdsSecret = (key: Pick<ApiKey, 'key_hash'>) => !key.key_hash.startsWith('cloud:') && !key.key_hash.startsWith('pending:');

export const KEYCHAIN_COPY_LEFT =
  'The key is revoked and can no longer be used. The system keychain did not answer, so its copy there is removed the next time the app starts.';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  maskedKey: string;
  usageCount: number;
  lastUsedAt: string | null;
  isActive: boolean;
  createdAt: string;
  kind: 'local' | 'cloud';
  usable: boolean;
  waiting: boolean;
}

export function viewOf(key: ApiKey, waiting = false): ApiKeyView {
  return {
    id: key.id,
    name: key.name ?? 'Default Key',
    prefix: key.prefix,
    maskedKey: `${key.prefix}***...${key.key_suffix ?? ''}`,
    usageCount: key.usage_count ?? 0,
    lastUsedAt: key.last_used_at,
    isActive: key.is_active !== false,
    createdAt: key.created_at ?? '',
    kind: key.origin,
    usable: key.is_active !== false && holdsSecret(key),
    waiting,
  };
}

export type KeySecret = 'here' | 'session' | 'missing';

export function createKeyService(store: AgentTalkStore, secrets: SecretStore, clock: () => Date) {
  function owned(userId: string, id: string, origin?: ApiKey['origin']): ApiKey {
    const key = store.get('api_keys', id);
    if (!key || key.user_id !== userId || (origin && key.origin !== origin)) throw new ServiceError('NOT_FOUND', 'That API key does not exist.');
    return key;
  }

  return {
    list(userId: string): ApiKeyView[] {
      const waiting = new Set(store.query('cloud_outbox', { status: 'pending' }).map((e) => e.key_id));
      return store
        .query('api_keys', { user_id: userId })
        .map((key) => viewOf(key, waiting.has(key.id)))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name));
    },

    /**
     * The Keys screen: the keys newest first, each with where its full key is (`here`: in the keychain; `session`:
     * in memory until the app stops; `missing`: not on this computer, e.g. kept for an earlier session only), how
     * many made here are active, and how many the plan allows.
     */
    async overview(userId: string): Promise<{ keys: (ApiKeyView & { secret: KeySecret })[]; active: number; limit: number }> {
      const keys = await Promise.all(
        this.list(userId).map(async (key) => {
          const held = await secrets.get(secretAccount(key.id)).catch(() => null); // a keychain that fails holds nothing we can use
          const secret: KeySecret = held === null ? 'missing' : secrets.persistent ? 'here' : 'session';
          return { ...key, secret };
        }),
      );
      return { keys, active: keys.filter((k) => k.isActive && k.kind === 'local').length, limit: TIER_LIMITS[tierOf(store, userId, clock())].apiKeys };
    },

    /**
     * Creates a key within the tier's limit; the full key is in the answer and nowhere else but the keychain. The
     * secret goes to the keychain first, under the row's id chosen here, and the row commits only after: a keychain
     * that does not answer leaves no key whose secret nobody holds (an entry left by a refused commit is removed).
     */
    async create(userId: string, options: { name?: string; test?: boolean } = {}): Promise<{ key: ApiKeyView; fullKey: string }> {
      const prefix = options.test ? KEY_PREFIXES.test : KEY_PREFIXES.live;
      const fullKey = prefix + randomBytes(32).toString('base64url');
      const id = uuidv4();
      const checkLimit = (tx: Pick<AgentTalkStore, 'get' | 'query'>) => {
        const limit = TIER_LIMITS[tierOf(tx, userId, clock())].apiKeys;
        const active = tx.query('api_keys', { user_id: userId }).filter((k) => k.is_active !== false && k.origin === 'local').length;
        if (active >= limit) {
          throw new ServiceError('KEY_LIMIT_REACHED', `Your plan allows ${limit} active API keys; revoke one to create another.`, { limit, used: active });
        }
      };
      checkLimit(store); // before the keychain is asked to hold a secret for a key that cannot be made
      await secrets.set(secretAccount(id), fullKey);
      try {
        const row = await store.transaction((tx) => {
          checkLimit(tx);
          const key = tx.insert('api_keys', {
            id,
            user_id: userId,
            prefix,
            key_hash: hashKey(fullKey),
            key_suffix: fullKey.slice(-6),
            ...(options.name !== undefined && { name: options.name }),
          });
          recordUsage(tx, { userId, apiKeyId: key.id, action: 'key_created', metadata: { prefix, name: key.name } });
          return key;
        });
        return { key: viewOf(row), fullKey };
      } catch (error) {
        await secrets.delete(secretAccount(id)).catch(() => false);
        throw error;
      }
    },

    /** Which kind of key this is: a cloud key's changes go through the sync outbox instead (sync/cloud-keys.ts). */
    kindOf(userId: string, id: string): ApiKey['origin'] {
      return owned(userId, id).origin;
    },

    async rename(userId: string, id: string, name: string): Promise<ApiKeyView> {
      owned(userId, id, 'local');
      return viewOf(await store.update('api_keys', id, { name }));
    },

    /**
     * Revokes for good (a soft delete: the row stays for its usage history), then removes the keychain's copy. The
     * revocation is what protects the user, so it commits first; when the keychain does not answer, the answer
     * says so and the copy is removed later (`removeRevokedSecrets`, at the next start).
     */
    async revoke(userId: string, id: string): Promise<ApiKeyView & { notice?: string }> {
      const key = owned(userId, id, 'local');
      const revoked =
        key.is_active === false
          ? key
          : await store.transaction((tx) => {
              recordUsage(tx, { userId, apiKeyId: id, action: 'key_revoked', metadata: { prefix: key.prefix, name: key.name } });
              return tx.update('api_keys', id, { is_active: false });
            });
      try {
        await secrets.delete(secretAccount(id));
        return viewOf(revoked);
      } catch {
        return { ...viewOf(revoked), notice: KEYCHAIN_COPY_LEFT };
      }
    },

    /** Removes the keychain copies of revoked keys that a keychain which did not answer left behind. */
    async removeRevokedSecrets(): Promise<void> {
      for (const key of store.query('api_keys', { is_active: false })) await secrets.delete(secretAccount(key.id)).catch(() => false);
    },

    /** The key a full key value names, by its hash (an index lookup): how a local caller authenticates. */
    authenticate(fullKey: string): ApiKey {
      if (typeof fullKey !== 'string' || !KEY_FORMAT.test(fullKey)) throw new ServiceError('INVALID_API_KEY', 'That is not an Agent Talk API key.');
      const key = store.query('api_keys', { key_hash: hashKey(fullKey) })[0];
      if (!key || key.origin !== 'local') throw new ServiceError('INVALID_API_KEY', 'That API key is not known here.');
      if (key.is_active === false) throw new ServiceError('REVOKED_KEY', 'That API key has been revoked.');
      return key;
    },

    /** The full key from the keychain (null when this computer does not hold it). */
    secretOf(userId: string, id: string): Promise<string | null> {
      owned(userId, id);
      return secrets.get(secretAccount(id));
    },

    /**
     * The account's cloud key a memo made for an agent goes to the service with: the newest active cloud key bound to
     * `serviceUrl` (the configured cloud URL) whose full key this computer holds in the keychain. Null when there is
     * none: a key of another service, one only listed by sync, or one whose secret is gone is never picked.
     */
    async cloudKeyFor(userId: string, serviceUrl: string): Promise<ApiKey | null> {
      const candidates = store
        .query('api_keys', { user_id: userId })
        .filter((k) => k.origin === 'cloud' && k.is_active !== false && k.service_url === serviceUrl && holdsSecret(k))
        .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
      for (const key of candidates) if ((await secrets.get(secretAccount(key.id)).catch(() => null)) !== null) return key;
      return null;
    },

    /**
     * What the cloud engine sends for a key: its secret, and the service URL the key belongs to (`service_url`).
     * Only a cloud key (`origin` cloud) is ever sent; a key made here is refused.
     * A key bound to no service yet is bound now to `serviceUrl`, the one it is about to be sent to, so it is never
     * sent to another after the URL changes (the cloud client refuses). Null when the key or its secret is gone.
     */
    async cloudCredential(id: string, serviceUrl: string): Promise<{ secret: string; serviceUrl: string } | null> {
      const key = store.get('api_keys', id);
      if (!key) return null;
      if (key.origin !== 'cloud') throw new ServiceError('INVALID_API_KEY', 'A key made on this computer is never sent to the service: choose a cloud key.');
      const secret = await secrets.get(secretAccount(id));
      if (secret === null) return null;
      if (key.service_url) return { secret, serviceUrl: key.service_url };
      const bound = await store.transaction((tx) => {
        const current = tx.get('api_keys', id);
        return current?.service_url ?? tx.update('api_keys', id, { service_url: serviceUrl }).service_url!;
      });
      return { secret, serviceUrl: bound };
    },
  };
}
