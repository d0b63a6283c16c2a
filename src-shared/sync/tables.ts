/**
 * What travels between a user's computers through the synced folder, table by table, and the merge rule of each.
 * Cloud-owned facts (tier, role, subscription) never travel: they come from the cloud account. A key's secret never
 * exists outside the keychain of the computer that made it; its hash and masked parts travel so the key shows and
 * can be revoked everywhere.
 */

export const SYNCED_TABLES = ['users', 'api_keys', 'memos', 'usage_logs'] as const;
export type SyncedTable = (typeof SYNCED_TABLES)[number];

export interface TableRule {
  /** The columns that travel; every other column stays on the computer it was written on. */
  readonly fields: readonly string[];
  /** Rows never change once written (a log): the table is a union of every device's rows. */
  readonly immutable?: boolean;
  /** Boolean columns where false wins over anything, whenever written (a key's revocation). */
  readonly stickyFalse?: readonly string[];
}

/**
 * A memo's audio travels as a content-addressed file; in a change it is this virtual field, not `audio_url`
 * (a path on the computer that made it).
 */
export const AUDIO_FIELD = 'audio';

/** The profile's user travels under this id: each computer keeps its own users row id, mapped on arrival. */
export const PROFILE_ROW_ID = 'profile';

export const TABLE_RULES: Readonly<Record<SyncedTable, TableRule>> = {
  // The profile: only what the user chose. Tier and role are the cloud's.
  users: { fields: ['email'] },
  api_keys: { fields: ['name', 'prefix', 'key_hash', 'key_suffix', 'is_active', 'created_at'], stickyFalse: ['is_active'] },
  memos: {
    fields: ['title', 'text', 'voice', 'status', 'error', 'duration_sec', 'character_count', 'api_key_id', 'created_at', AUDIO_FIELD],
  },
  usage_logs: { fields: ['api_key_id', 'action', 'metadata', 'created_at'], immutable: true },
};

export const isSyncedTable = (table: string): table is SyncedTable => (SYNCED_TABLES as readonly string[]).includes(table);
