/**
 * The account's keys as the user changes them here: create, rename and revoke go to the outbox with the change
 * (online or offline alike; sync pushes them); a pasted key is checked and kept, its full key in the keychain only.
 */
import { randomUUID } from 'node:crypto';
import type { ApiKey } from '../../../src-shared/schema';
import { TIER_LIMITS, type Tier } from '../../../src-shared/tiers';
import type { AgentTalkStore } from '../../db';
import { ServiceError } from '../errors';
import { hashKey, KEY_FORMAT, KEY_PREFIXES, secretAccount } from '../keys';
import type { SecretStore } from '../secrets';
import { recordUsage } from '../usage';
import { enqueue } from './outbox';

export interface CloudKeyDeps {
  store: AgentTalkStore;
  secrets: SecretStore;
  /** The service the account's keys belong to (the cloud URL). */
  cloudUrl: () => string | null;
  tier: (userId: string) => Tier;
  /** Called after a change was queued: sync pushes it soon. */
  changed?: () => void;
}

export function createCloudKeys({ store, secrets, cloudUrl, tier, changed = () => {} }: CloudKeyDeps) {
  function serviceUrl(): string {
    const url = cloudUrl();
    if (url === null) throw new ServiceError('CLOUD_UNAVAILABLE', 'Set the Agent Talk cloud URL in Settings first: cloud keys belong to its account.');
    return url;
  }

  function owned(userId: string, id: string): ApiKey {
    const key = store.get('api_keys', id);
    if (!key || key.user_id !== userId || key.origin !== 'cloud') throw new ServiceError('NOT_FOUND', 'That cloud API key does not exist.');
    return key;
  }

  return {
    /** A new key of the account, made on the service when sync pushes it; its full key arrives then, into the keychain. */
    async create(userId: string, options: { name?: string; test?: boolean } = {}): Promise<ApiKey> {
      const url = serviceUrl();
      const name = options.name ?? 'Default Key';
      const id = randomUUID();
      const row = await store.transaction((tx) => {
        const limit = TIER_LIMITS[tier(userId)].apiKeys;
        const active = tx.query('api_keys', { user_id: userId }).filter((k) => k.origin === 'cloud' && k.is_active !== false && k.service_url === url).length;
        if (active >= limit) {
          throw new ServiceError('KEY_LIMIT_REACHED', `Your plan allows ${limit} active cloud API keys; revoke one to create another.`, { limit, used: active });
        }
        const prefix = options.test ? KEY_PREFIXES.test : KEY_PREFIXES.live;
        const key = tx.insert('api_keys', { id, user_id: userId, prefix, key_hash: `pending:${id}`, name, origin: 'cloud', service_url: url });
        enqueue(tx, { userId, op: 'create', keyId: id, payload: { name, test: options.test === true } });
        return key;
      });
      changed();
      return row;
    },

    async rename(userId: string, id: string, name: string): Promise<ApiKey> {
      owned(userId, id);
      const row = await store.transaction((tx) => {
        enqueue(tx, { userId, op: 'rename', keyId: id, payload: { name } });
        return tx.update('api_keys', id, { name });
      });
      changed();
      return row;
    },

    /** Revoked here at once (never used again from this computer), on the service when pushed. */
    async revoke(userId: string, id: string): Promise<ApiKey> {
      const key = owned(userId, id);
      if (key.is_active === false) return key;
      const row = await store.transaction((tx) => {
        recordUsage(tx, { userId, apiKeyId: id, action: 'key_revoked', metadata: { prefix: key.prefix, name: key.name, cloud: true } });
        enqueue(tx, { userId, op: 'revoke', keyId: id });
        return tx.update('api_keys', id, { is_active: false });
      });
      await secrets.delete(secretAccount(id));
      changed();
      return row;
    },

    /**
     * An existing key of the account, pasted: only its SHA-256, prefix and last 6 characters are stored, the full key
     * goes to the keychain. Its row on the service is found by the masked form at the next pull.
     */
    async paste(userId: string, fullKey: string, name?: string): Promise<ApiKey> {
      const url = serviceUrl();
      if (!KEY_FORMAT.test(fullKey)) throw new ServiceError('INVALID_API_KEY', 'That is not an Agent Talk API key.');
      const hash = hashKey(fullKey);
      if (store.query('api_keys', { key_hash: hash })[0]) throw new ServiceError('CONFLICT', 'That key is already on this computer.');
      const id = randomUUID();
      await secrets.set(secretAccount(id), fullKey);
      try {
        const prefix = fullKey.startsWith(KEY_PREFIXES.test) ? KEY_PREFIXES.test : KEY_PREFIXES.live;
        const row = await store.insert('api_keys', { id, user_id: userId, prefix, key_hash: hash, key_suffix: fullKey.slice(-6), name: name ?? 'Pasted key', origin: 'cloud', service_url: url });
        changed();
        return row;
      } catch (error) {
        await secrets.delete(secretAccount(id));
        throw error;
      }
    },
  };
}

export type CloudKeys = ReturnType<typeof createCloudKeys>;
