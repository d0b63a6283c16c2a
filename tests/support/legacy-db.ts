/** The agent-talk service's earlier SQLite database, written with better-sqlite3 for import tests (node and e2e). */
import { copyFileSync, rmSync } from 'node:fs';
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


/**
 * A legacy file with `email`'s account and its `memos` memos, and bob@example.com's account with one memo and one
 * log entry. With `wal`, the rows stay in `<file>-wal` as a running service leaves them (copied before closing,
 * which would fold them into the file). Answers the files to pick.
 */
export function writeLegacyFile(file: string, { email, memos, wal = false }: { email: string; memos: number; wal?: boolean }): string[] {
  const open = wal ? `${file}.open` : file;
  const db = openLegacy(open);
  try {
    db.pragma('wal_autocheckpoint = 0');
    const user = db.prepare(`INSERT INTO users (id, email, password_hash) VALUES (?, ?, 'hash')`);
    const memo = db.prepare(
      `INSERT INTO memos (id, user_id, text, voice, audio_url, duration_seconds, character_count, created_at) VALUES (?, ?, ?, 'rachel', ?, 2.5, ?, ?)`,
    );
    user.run('u1', email);
    for (let i = 1; i <= memos; i++) {
      const text = `Legacy memo number ${i}`;
      memo.run(`m${i}`, 'u1', text, `https://cdn.example.com/m${i}.mp3`, text.length, `2024-03-${String(i).padStart(2, '0')} 08:00:00`);
    }
    user.run('u2', 'bob@example.com');
    memo.run('bob-m1', 'u2', 'Not yours', 'https://cdn.example.com/bob-m1.mp3', 9, '2024-03-01 09:00:00');
    run(db, `INSERT INTO usage_logs (id, user_id, action, metadata) VALUES ('bob-l1', 'u2', 'user_signup', '{}')`);
    if (!wal) return [file];
    copyFileSync(open, file);
    copyFileSync(`${open}-wal`, `${file}-wal`);
    return [file, `${file}-wal`];
  } finally {
    db.close();
    if (wal) rmSync(open);
  }
}
