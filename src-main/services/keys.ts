/**
 * API keys in the service's format: `at_live_` or `at_test_` + 32 random bytes in url-safe base64. Only the
 * SHA-256 of the full key and its prefix (and the last 6 characters, for display) are stored; the full key is
 * returned once, and kept in the keychain so the app can use it itself.
 */
import { createHash, randomBytes } from 'node:crypto';
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

export function createKeyService(store: AgentTalkStore, secrets: SecretStore, clock: () => Date) {
  function owned(userId: string, id: string, origin?: ApiKey['origin']): ApiKey {
    const key = store.get('api_keys', id);
    if (!key || key.user_id !== userId || (origin && key.origin !== origin)) throw new ServiceError('NOT_FOUND', 'That API key does not exist.');
    return key;
  }

  return {
    list(userId: string): ApiKeyView[] {
      const waiting = new Set(store.query('sync_outbox', { status: 'pending' }).map((e) => e.key_id));
      return store
        .query('api_keys', { user_id: userId })
        .map((key) => viewOf(key, waiting.has(key.id)))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name));
    },

    /** The Keys screen: the keys newest first, how many made here are active, and how many the plan allows. */
    overview(userId: string): { keys: ApiKeyView[]; active: number; limit: number } {
      const keys = this.list(userId);
      return { keys, active: keys.filter((k) => k.isActive && k.kind === 'local').length, limit: TIER_LIMITS[tierOf(store, userId, clock())].apiKeys };
    },

    /** Creates a key within the tier's limit; the full key is in the answer and nowhere else but the keychain. */
    async create(userId: string, options: { name?: string; test?: boolean } = {}): Promise<{ key: ApiKeyView; fullKey: string }> {
      const prefix = options.test ? KEY_PREFIXES.test : KEY_PREFIXES.live;
      const fullKey = prefix + randomBytes(32).toString('base64url');
      const row = await store.transaction((tx) => {
        const limit = TIER_LIMITS[tierOf(tx, userId, clock())].apiKeys;
        const active = tx.query('api_keys', { user_id: userId }).filter((k) => k.is_active !== false && k.origin === 'local').length;
        if (active >= limit) {
          throw new ServiceError('KEY_LIMIT_REACHED', `Your plan allows ${limit} active API keys; revoke one to create another.`, { limit, used: active });
        }
        const key = tx.insert('api_keys', {
          user_id: userId,
          prefix,
          key_hash: hashKey(fullKey),
          key_suffix: fullKey.slice(-6),
          ...(options.name !== undefined && { name: options.name }),
        });
        recordUsage(tx, { userId, apiKeyId: key.id, action: 'key_created', metadata: { prefix, name: key.name } });
        return key;
      });
      await secrets.set(secretAccount(row.id), fullKey);
      return { key: viewOf(row), fullKey };
    },

    /** Which kind of key this is: a cloud key's changes go through the sync outbox instead (sync/cloud-keys.ts). */
    kindOf(userId: string, id: string): ApiKey['origin'] {
      return owned(userId, id).origin;
    },

    async rename(userId: string, id: string, name: string): Promise<ApiKeyView> {
      owned(userId, id, 'local');
      return viewOf(await store.update('api_keys', id, { name }));
    },

    /** Revokes for good (a soft delete: the row stays for its usage history); the keychain copy goes. */
    async revoke(userId: string, id: string): Promise<ApiKeyView> {
      const key = owned(userId, id, 'local');
      if (key.is_active === false) return viewOf(key);
      const revoked = await store.transaction((tx) => {
        recordUsage(tx, { userId, apiKeyId: id, action: 'key_revoked', metadata: { prefix: key.prefix, name: key.name } });
        return tx.update('api_keys', id, { is_active: false });
      });
      await secrets.delete(secretAccount(id));
      return viewOf(revoked);
    },

    /** The key a full key value names, by its hash (an index lookup): how a local caller authenticates. */
    authenticate(fullKey: string): ApiKey {
      if (typeof fullKey !== 'string' || !KEY_FORMAT.test(fullKey)) throw new ServiceError('INVALID_API_KEY', 'That is not an Agent Talk API key.');
      const key = store.query('api_keys', { key_hash: hashKey(fullKey) })[0];
      if (!key || key.origin !== 'local') throw new ServiceError('INVALID_API_KEY', 'That API key is not known here.');
      if (key.is_active === false) throw new ServiceError('REVOKED_KEY', 'That API key has been revoked.');
      return key;
    },

    /** The full key of a cloud key from the keychain: the only kind ever sent to the service. */
    cloudSecretOf(userId: string, id: string): Promise<string | null> {
      const key = owned(userId, id);
      if (key.origin !== 'cloud') throw new ServiceError('INVALID_API_KEY', 'A key made on this computer is never sent to the service: choose a cloud key.');
      return secrets.get(secretAccount(id));
    },
  };
}
