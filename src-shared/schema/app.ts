/**
 * Schema version 2: what the desktop app adds to the service's tables. Each extension is data used twice: to
 * build the latest table definitions below, and by migration 002 to reshape a version-1 store.
 */
import { deviceSyncTablesNow } from './devices';
import { extendTable, index, indexesWithRows, type InsertOf, type RowOf, type TableDef } from './define';
import { apiKeys as seedApiKeys, id, memos as seedMemos, rateLimits, subscriptions, updatedAt, usageLogs as seedUsageLogs, users as seedUsers } from './seed';

export const MEMO_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;

export const memoExtension = {
  columns: {
    // The text the memo speaks (the service's earlier SQLite schema kept it too).
    text: { type: 'text', notNull: true, default: '' },
    // The key the memo was billed to.
    api_key_id: { type: 'text' },
    // The generation lifecycle of a memo made by the job queue; memos from before it are complete.
    status: { type: 'text', notNull: true, default: 'completed', oneOf: MEMO_STATUSES },
    error: { type: 'text' },
    updated_at: updatedAt,
  },
  foreignKeys: [{ column: 'api_key_id', references: 'api_keys', onDelete: 'set null' }],
  indexes: [
    // A user's library, newest first; and the set-null path when a key is deleted.
    index('idx_memos_user_created', 'user_id', 'created_at desc'),
    index('idx_memos_api_key_id', 'api_key_id'),
  ],
} as const;

/** Version 5: the library's filters by status and by voice, newest first, without reading every memo. */
export const memoFilterIndexes = {
  indexes: [index('idx_memos_user_status_created', 'user_id', 'status', 'created_at desc'), index('idx_memos_user_voice_created', 'user_id', 'voice', 'created_at desc')],
} as const;

/** Version 6: the kind of a memo's failure (an error code), so the UI knows whether Retry can help. */
export const memoErrorCode = {
  columns: { error_code: { type: 'text' } },
} as const;

export const usageLogExtension = {
  indexes: [
    // A user's log by time range (the usage screen); and the set-null path when a key is deleted.
    index('idx_usage_logs_user_created', 'user_id', 'created_at desc'),
    index('idx_usage_logs_api_key_id', 'api_key_id'),
  ],
} as const;

export const apiKeyExtension = {
  columns: {
    // The key's last 6 characters, for the masked display (prefix + `***...` + these); the key itself is never stored.
    key_suffix: { type: 'text' },
  },
} as const;

/** The app's own key-value settings (which user is this profile, the cloud URL, ...). */
export const settings = {
  name: 'settings',
  primaryKey: 'key',
  columns: {
    key: { type: 'text', notNull: true },
    value: { type: 'json' },
    updated_at: updatedAt,
  },
} as const satisfies TableDef;

export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;

/**
 * The durable generation queue (the seeds' pattern: status, priority, retries, a lease). A job interrupted by a
 * crash or a quit keeps its row; once its lease (`locked_until`) has passed, the next worker takes it up again.
 */
export const jobTable = {
  name: 'jobs',
  primaryKey: 'id',
  columns: {
    id,
    user_id: { type: 'text', notNull: true },
    memo_id: { type: 'text', notNull: true },
    status: { type: 'text', notNull: true, default: 'queued', oneOf: JOB_STATUSES },
    priority: { type: 'integer', notNull: true, default: 0 },
    retry_count: { type: 'integer', notNull: true, default: 0 },
    max_retries: { type: 'integer', notNull: true, default: 3 },
    /** Not before this time (a retry's backoff). */
    run_after: { type: 'timestamp' },
    worker_id: { type: 'text' },
    locked_until: { type: 'timestamp' },
    error: { type: 'text' },
    created_at: { type: 'timestamp', default: 'now' },
    updated_at: updatedAt,
    started_at: { type: 'timestamp' },
    completed_at: { type: 'timestamp' },
  },
  unique: [{ name: 'jobs_memo_id_unique', columns: ['memo_id'] }],
  foreignKeys: [
    { column: 'user_id', references: 'users', onDelete: 'cascade' },
    { column: 'memo_id', references: 'memos', onDelete: 'cascade' },
  ],
  indexes: [index('idx_jobs_status_created', 'status', 'created_at'), index('idx_jobs_user_id', 'user_id')],
} as const satisfies TableDef;

/** Why a queued job waits instead of running: `cloud`, until the cloud service answers again. */
export const JOB_WAITS = ['cloud'] as const;

/** Version 8: cloud memos that never ask the service twice and wait while it is unreachable; keys bound to it. */
export const cloudMemoExtensions = {
  jobs: {
    columns: {
      // The cloud's answer ({memoId, audioUrl, durationSec}) kept as soon as it arrives: a retry fetches the audio
      // again and never asks the service for a second memo.
      service_answer: { type: 'json' },
      // Set while the job waits for something outside the app (the cloud being reachable): not run, no retry spent.
      waiting_for: { type: 'text', oneOf: JOB_WAITS },
    },
  },
  api_keys: {
    columns: {
      // The cloud service URL this key belongs to: it is sent to no other (null: not yet sent anywhere).
      service_url: { type: 'text' },
    },
  },
} as const;

/**
 * Version 9: `Alice@Example.com` and `alice@example.com` are one account: the email column is case-insensitive,
 * so its unique constraint, its index and every lookup ignore case (the email is kept as written).
 */
export const caseInsensitiveEmail = { email: { ...seedUsers.columns.email, caseInsensitive: true } } as const;

export const users = { ...seedUsers, columns: { ...seedUsers.columns, ...caseInsensitiveEmail } } as const satisfies TableDef;
export const jobs = extendTable(jobTable, cloudMemoExtensions.jobs);

export const KEY_ORIGINS = ['local', 'cloud'] as const;

/**
 * Version 10: the two kinds of keys. `local` keys are made here and never leave this computer; `cloud` keys are the
 * account's on the service at `service_url` (version 8's column; pulled, pasted or created through the outbox), known there as
 * `cloud_id` once the service has answered. A cloud key whose secret this computer does not hold has the
 * `key_hash` `cloud:<cloud id>` (never a SHA-256 hex, so no full key can match it).
 */
export const apiKeyOriginExtension = {
  columns: {
    origin: { type: 'text', notNull: true, default: 'local', oneOf: KEY_ORIGINS },
    cloud_id: { type: 'text' },
  },
  indexes: [index('idx_api_keys_cloud_id', 'cloud_id')],
} as const;

export const OUTBOX_OPS = ['create', 'rename', 'revoke'] as const;
export const OUTBOX_STATUSES = ['pending', 'done', 'failed'] as const;

/**
 * Version 11: the cloud outbox. Each cloud key change made here is one row, written in the same transaction as the
 * change, replayed in `seq` order. A create is marked `sent_at` (with the name it is sent with, unique to the entry,
 * `payload.sentName`) before its request goes out, so a create whose answer was lost is found afterwards.
 */
export const cloudOutboxTable = {
  name: 'cloud_outbox',
  primaryKey: 'id',
  columns: {
    id,
    seq: { type: 'integer', notNull: true },
    user_id: { type: 'text', notNull: true },
    op: { type: 'text', notNull: true, oneOf: OUTBOX_OPS },
    key_id: { type: 'text', notNull: true },
    payload: { type: 'json' },
    status: { type: 'text', notNull: true, default: 'pending', oneOf: OUTBOX_STATUSES },
    attempts: { type: 'integer', notNull: true, default: 0 },
    sent_at: { type: 'timestamp' },
    error: { type: 'text' },
    created_at: { type: 'timestamp', default: 'now' },
    updated_at: updatedAt,
  },
  unique: [{ name: 'cloud_outbox_seq_unique', columns: ['seq'] }],
  foreignKeys: [
    { column: 'user_id', references: 'users', onDelete: 'cascade' },
    { column: 'key_id', references: 'api_keys', onDelete: 'cascade' },
  ],
  indexes: [index('idx_cloud_outbox_status_seq', 'status', 'seq'), index('idx_cloud_outbox_key', 'key_id')],
} as const satisfies TableDef;

/** Version 16: a user's outbox entries by index, so deleting a user (ON DELETE CASCADE) reads only its own entries. */
export const cloudOutboxUserIndex = {
  indexes: [index('idx_cloud_outbox_user', 'user_id')],
} as const;

export const cloudOutbox = extendTable(cloudOutboxTable, cloudOutboxUserIndex);

/** Version 11: the cloud account's calls and characters per UTC day, as the service counts them (pulled). */
export const cloudUsage = {
  name: 'cloud_usage',
  primaryKey: 'date',
  columns: {
    date: { type: 'text', notNull: true },
    calls: { type: 'integer', notNull: true, default: 0 },
    characters: { type: 'integer', notNull: true, default: 0 },
    updated_at: updatedAt,
  },
} as const satisfies TableDef;

/**
 * Version 12: a cloud key's day as the service last told it, from the X-RateLimit-Limit/-Remaining/-Reset of its
 * answer to a memo sent with the key: `{limit, remaining, resetAt, readAt}` (null numbers: unlimited; `resetAt`
 * the next reset, ISO 8601 UTC; `readAt` when it was read). Null before any answer.
 */
export const apiKeyCloudDay = {
  columns: {
    cloud_day: { type: 'json' },
  },
} as const;

export const apiKeys = extendTable(extendTable(extendTable(extendTable(seedApiKeys, apiKeyExtension), cloudMemoExtensions.api_keys), apiKeyOriginExtension), apiKeyCloudDay);
/**
 * Version 15: a user's library newest first (the Library, the agent API's list) read from its index alone: the
 * index's entries hold their memos.
 */
export const memoIndexesWithRows = ['idx_memos_user_created'] as const;

export const memos = indexesWithRows(extendTable(extendTable(extendTable(seedMemos, memoExtension), memoFilterIndexes), memoErrorCode), memoIndexesWithRows);
export const usageLogs = extendTable(seedUsageLogs, usageLogExtension);

/** Every agent-talk table at the latest schema version, parents before children. */
export const tables = [users, apiKeys, memos, usageLogs, rateLimits, subscriptions, settings, jobs, ...deviceSyncTablesNow, cloudOutbox, cloudUsage] as const;

export type User = RowOf<typeof users>;
export type ApiKey = RowOf<typeof apiKeys>;
export type Memo = RowOf<typeof memos>;
export type UsageLog = RowOf<typeof usageLogs>;
export type RateLimit = RowOf<typeof rateLimits>;
export type Subscription = RowOf<typeof subscriptions>;
export type Setting = RowOf<typeof settings>;
export type Job = RowOf<typeof jobs>;
export type CloudOutboxEntry = RowOf<typeof cloudOutbox>;
export type CloudUsageDay = RowOf<typeof cloudUsage>;
export type NewUser = InsertOf<typeof users>;
export type NewApiKey = InsertOf<typeof apiKeys>;
export type NewMemo = InsertOf<typeof memos>;
export type NewUsageLog = InsertOf<typeof usageLogs>;
export type NewRateLimit = InsertOf<typeof rateLimits>;
export type NewSubscription = InsertOf<typeof subscriptions>;
