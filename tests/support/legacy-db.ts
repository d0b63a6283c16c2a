/** The agent-talk service's earlier SQLite database, written with better-sqlite3 for import tests (node and e2e). */
import Database from 'better-sqlite3';

// The service's earlier schema, as AGENT-TALK-CLOUD.md describes it.
export const LEGACY_SCHEMA = `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    tier TEXT DEFAULT 'hobby' CHECK (tier IN ('hobby', 'pro', 'enterprise')),
    role TEXT DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    created_at TEXT DEFAULT (datetime('now')),
    updated_at TEXT DEFAULT (datetime('now'))
  );
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    key_hash TEXT,
    prefix TEXT,
    name TEXT,
    usage_count INTEGER DEFAULT 0,
    last_used_at TEXT,
    is_active INTEGER DEFAULT 1,
    created_at TEXT DEFAULT (datetime('now'))
  );
  CREATE TABLE memos (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    api_key_id TEXT REFERENCES api_keys(id) ON DELETE SET NULL,
    text TEXT NOT NULL,
    voice TEXT NOT NULL,
    audio_url TEXT NOT NULL,
    duration_seconds REAL,
    character_count INTEGER,
    created_at TEXT DEFAULT (datetime('now'))
  );
  CREATE TABLE usage_logs (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    api_key_id TEXT REFERENCES api_keys(id) ON DELETE SET NULL,
    action TEXT,
    metadata TEXT,
    created_at TEXT DEFAULT (datetime('now'))
  );
  CREATE TABLE migrations (
    id INTEGER PRIMARY KEY,
    name TEXT UNIQUE,
    applied_at TEXT DEFAULT (datetime('now'))
  );
`;
export const SUBSCRIPTIONS_SCHEMA = `
  CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    stripe_customer_id TEXT NOT NULL,
    stripe_subscription_id TEXT,
    stripe_price_id TEXT,
    status TEXT DEFAULT 'active',
    tier TEXT DEFAULT 'hobby',
    current_period_start TEXT,
    current_period_end TEXT,
    cancel_at_period_end INTEGER DEFAULT 0,
    canceled_at TEXT,
    created_at TEXT DEFAULT (datetime('now')),
    updated_at TEXT DEFAULT (datetime('now'))
  );
`;


export type Legacy = Database.Database;

export function run(db: Legacy, sql: string, ...params: unknown[]): void {
  db.prepare(sql).run(...params);
}

/** A new legacy file as the service creates it (WAL, foreign keys on), with its tables and first migration. */
export function openLegacy(file: string, { subscriptions = true } = {}): Legacy {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(LEGACY_SCHEMA + (subscriptions ? SUBSCRIPTIONS_SCHEMA : ''));
  run(db, `INSERT INTO migrations (name) VALUES ('001_initial')`);
  return db;
}


/** A checkpointed legacy file with one account (`email`) and its memos, and another account with one memo. */
export function writeAccountFile(file: string, email: string, memos: { id: string; text: string; voice?: string }[]): string {
  const db = openLegacy(file);
  run(db, `INSERT INTO users (id, email, password_hash) VALUES ('legacy-me', ?, 'hash')`, email);
  run(db, `INSERT INTO users (id, email, password_hash) VALUES ('legacy-other', 'someone.else@example.com', 'hash')`);
  for (const memo of memos) {
    run(db, `INSERT INTO memos (id, user_id, text, voice, audio_url, duration_seconds, character_count) VALUES (?, 'legacy-me', ?, ?, '', 2.5, ?)`, memo.id, memo.text, memo.voice ?? 'rachel', memo.text.length);
  }
  run(db, `INSERT INTO memos (id, user_id, text, voice, audio_url) VALUES ('legacy-other-memo', 'legacy-other', 'Not mine', 'adam', '')`);
  db.close();
  return file;
}
