/**
 * The agent-talk tables, column for column from the service's schema (shared/seeds/000): schema version 1.
 * What the desktop app adds on top is in app.ts (version 2); `tables` is the latest of both.
 */
import { index, type TableDef } from './define';

export const TIERS = ['hobby', 'pro', 'enterprise'] as const;
export const ROLES = ['user', 'admin'] as const;
export const USAGE_ACTIONS = [
  'memo_created',
  'memo_failed',
  'key_created',
  'key_revoked',
  'key_used',
  'user_login',
  'user_signup',
  'error_api',
  'error_tts',
  'error_rate_limit',
] as const;

export const id = { type: 'text', notNull: true, generate: 'uuid' } as const;
const createdAt = { type: 'timestamp', default: 'now' } as const;
export const updatedAt = { type: 'timestamp', default: 'now', touchOnUpdate: true } as const;
const userId = { type: 'text', notNull: true } as const;

export const users = {
  name: 'users',
  primaryKey: 'id',
  columns: {
    id,
    email: { type: 'text', notNull: true },
    password_hash: { type: 'text' },
    tier: { type: 'text', default: 'hobby', oneOf: TIERS },
    role: { type: 'text', default: 'user', oneOf: ROLES },
    verification_token: { type: 'text' },
    reset_token: { type: 'text' },
    reset_token_expires: { type: 'timestamp' },
    created_at: createdAt,
    updated_at: updatedAt,
  },
  unique: [{ name: 'users_email_unique', columns: ['email'] }],
  indexes: [
    index('idx_users_email', 'email'),
    index('idx_users_reset_token', 'reset_token'),
    index('idx_users_verification_token', 'verification_token'),
  ],
} as const satisfies TableDef;

export const apiKeys = {
  name: 'api_keys',
  primaryKey: 'id',
  columns: {
    id,
    user_id: userId,
    prefix: { type: 'text', notNull: true },
    key_hash: { type: 'text', notNull: true },
    name: { type: 'text', default: 'Default Key' },
    usage_count: { type: 'integer', default: 0 },
    last_used_at: { type: 'timestamp' },
    is_active: { type: 'boolean', default: true },
    created_at: createdAt,
    updated_at: updatedAt,
  },
  unique: [
    { name: 'api_keys_key_hash_unique', columns: ['key_hash'] },
    { name: 'idx_api_keys_prefix_hash', columns: ['prefix', 'key_hash'] },
  ],
  foreignKeys: [{ column: 'user_id', references: 'users', onDelete: 'cascade' }],
  indexes: [index('idx_api_keys_user_id', 'user_id'), index('idx_api_keys_key_hash', 'key_hash')],
} as const satisfies TableDef;

export const memos = {
  name: 'memos',
  primaryKey: 'id',
  columns: {
    id,
    user_id: userId,
    audio_url: { type: 'text', notNull: true },
    duration_sec: { type: 'real', notNull: true },
    voice: { type: 'text' },
    character_count: { type: 'integer' },
    title: { type: 'text' },
    created_at: createdAt,
  },
  foreignKeys: [{ column: 'user_id', references: 'users', onDelete: 'cascade' }],
  indexes: [
    index('idx_memos_user_id', 'user_id'),
    index('idx_memos_created_at', 'created_at desc'),
    index('idx_memos_voice', 'voice'),
  ],
} as const satisfies TableDef;

export const usageLogs = {
  name: 'usage_logs',
  primaryKey: 'id',
  columns: {
    id,
    user_id: userId,
    api_key_id: { type: 'text' },
    action: { type: 'text', notNull: true },
    metadata: { type: 'json' },
    created_at: createdAt,
  },
  foreignKeys: [
    { column: 'user_id', references: 'users', onDelete: 'cascade' },
    { column: 'api_key_id', references: 'api_keys', onDelete: 'set null' },
  ],
  indexes: [
    index('idx_usage_logs_user_id', 'user_id'),
    index('idx_usage_logs_action', 'action'),
    index('idx_usage_logs_created_at', 'created_at desc'),
  ],
} as const satisfies TableDef;

export const rateLimits = {
  name: 'rate_limits',
  primaryKey: 'id',
  columns: {
    id,
    api_key_id: { type: 'text', notNull: true },
    user_id: userId,
    date: { type: 'text', notNull: true },
    count: { type: 'integer', default: 1 },
    created_at: createdAt,
    updated_at: updatedAt,
  },
  unique: [{ name: 'rate_limits_key_date_unique', columns: ['api_key_id', 'date'] }],
  foreignKeys: [{ column: 'user_id', references: 'users', onDelete: 'cascade' }],
  indexes: [index('idx_rate_limits_user_date', 'user_id', 'date'), index('idx_rate_limits_date', 'date')],
} as const satisfies TableDef;

export const subscriptions = {
  name: 'subscriptions',
  primaryKey: 'id',
  columns: {
    id,
    user_id: userId,
    stripe_customer_id: { type: 'text' },
    stripe_subscription_id: { type: 'text' },
    tier: { type: 'text', default: 'hobby' },
    status: { type: 'text', default: 'active' },
    current_period_start: { type: 'timestamp' },
    current_period_end: { type: 'timestamp' },
    cancel_at_period_end: { type: 'boolean', default: false },
    created_at: createdAt,
    updated_at: updatedAt,
  },
  unique: [
    { name: 'subscriptions_stripe_subscription_id_unique', columns: ['stripe_subscription_id'] },
    { name: 'subscriptions_user_id_unique', columns: ['user_id'] },
  ],
  foreignKeys: [{ column: 'user_id', references: 'users', onDelete: 'cascade' }],
  indexes: [
    index('idx_subscriptions_stripe_customer', 'stripe_customer_id'),
    index('idx_subscriptions_stripe_subscription', 'stripe_subscription_id'),
  ],
} as const satisfies TableDef;

/** Schema version 1: the six tables exactly as the service defines them, parents before children. */
export const seedTables = [users, apiKeys, memos, usageLogs, rateLimits, subscriptions] as const;
