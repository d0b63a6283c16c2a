import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAgentTalkStore, type AgentTalkStore } from '../../../src-main/db';
import { importLegacyDatabase, LegacyImportError, readLegacyDatabase } from '../../../src-main/db/import';
import { toIsoTimestamp } from '../../../src-main/db/import/convert';
import { importLegacyUpload } from '../../../src-main/services/legacy-import';
import { LEGACY_SCHEMA, openLegacy, run, SUBSCRIPTIONS_SCHEMA, type Legacy } from '../../support/legacy-db';

const HASH_1 = 'a'.repeat(64);
const HASH_2 = 'b'.repeat(64);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;

/** Two users with keys, memos and logs: the rows every test starts from. */
function fillLegacy(db: Legacy, { subscriptions = true } = {}): void {
  run(db, `INSERT INTO users VALUES ('u1', 'alice@example.com', 'hash-a', 'pro', 'admin', '2024-03-05 14:07:09', '2024-03-05T14:07:10.250Z')`);
  run(db, `INSERT INTO users (id, email, password_hash) VALUES ('u2', 'bob@example.com', 'hash-b')`);
  run(db, `INSERT INTO api_keys VALUES ('k1', 'u1', ?, 'at_live_', 'Default Key', 5, '2024-03-06 08:00:00', 1, '2024-03-05 14:07:09')`, HASH_1);
  run(db, `INSERT INTO api_keys (id, user_id, key_hash, prefix, is_active) VALUES ('k2', 'u1', ?, 'at_test_', 0)`, HASH_2);
  run(db, `INSERT INTO memos VALUES ('m1', 'u1', 'k1', 'Hello there', 'rachel', 'https://cdn.example.com/m1.mp3', 2.5, 11, '2024-03-06 08:00:00')`);
  run(db, `INSERT INTO memos (id, user_id, text, voice, audio_url) VALUES ('m2', 'u2', 'No duration', 'adam', 'data:audio/mpeg;base64,AAAA')`);
  run(db, `INSERT INTO usage_logs VALUES ('l1', 'u1', 'k1', 'memo_created', '{"memoId":"m1","characters":11}', '2024-03-06 08:00:00')`);
  run(db, `INSERT INTO usage_logs (id, user_id, action, metadata) VALUES ('l2', 'u1', 'user_login', 'not json {')`);
  run(db, `INSERT INTO usage_logs (id, user_id, action) VALUES ('l3', 'u2', 'user_signup')`);
  if (subscriptions) {
    run(
      db,
      `INSERT INTO subscriptions VALUES ('s1', 'u1', 'cus_1', 'sub_1', 'price_1', 'active', 'pro', '2024-03-01 00:00:00', '2024-04-01 00:00:00', 1, NULL, '2024-03-01 00:00:00', '2024-03-02 00:00:00')`,
    );
  }
}

/** A legacy file as the service left it after a clean shutdown (the WAL checkpointed into the file). */
function writeLegacy(file: string, options: { subscriptions?: boolean } = {}, more?: (db: Legacy) => void): string {
  const db = openLegacy(file, options);
  fillLegacy(db, options);
  more?.(db);
  db.close();
  return file;
}

function counts(store: AgentTalkStore) {
  return Object.fromEntries(
    (['users', 'api_keys', 'memos', 'usage_logs', 'rate_limits', 'subscriptions'] as const).map((t) => [t, store.count(t)]),
  );
}

let dir: string;
let store: AgentTalkStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agent-talk-import-'));
  store = await openAgentTalkStore({ profileDir: join(dir, 'profile') });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('toIsoTimestamp', () => {
  it.each([
    ['2024-03-05 14:07:09', '2024-03-05T14:07:09.000Z'],
    ['2024-03-05 14:07:09.5', '2024-03-05T14:07:09.500Z'],
    ['2024-03-05 14:07', '2024-03-05T14:07:00.000Z'],
    ['2024-03-05T14:07:09.123Z', '2024-03-05T14:07:09.123Z'],
    ['2024-03-05T23:30:00+02:00', '2024-03-05T21:30:00.000Z'],
    ['2024-02-29 00:00:00', '2024-02-29T00:00:00.000Z'],
    // Left as they are, for the store to refuse with its reason.
    ['2023-02-29 00:00:00', '2023-02-29 00:00:00'],
    ['yesterday', 'yesterday'],
    [1709647629, 1709647629],
    [null, null],
  ])('%s → %s', (legacy, converted) => {
    expect(toIsoTimestamp(legacy)).toBe(converted);
  });
});

describe('importLegacyDatabase', () => {
  it('imports every table, converting values to the current schema', async () => {
    const file = writeLegacy(join(dir, 'agent-talk.db'));
    const report = await importLegacyDatabase(store, file);

    expect(report.file).toBe(file);
    expect(report.tables).toEqual({
      users: { imported: 2, skipped: 0, rejected: 0 },
      api_keys: { imported: 2, skipped: 0, rejected: 0 },
      memos: { imported: 2, skipped: 0, rejected: 0 },
      usage_logs: { imported: 3, skipped: 0, rejected: 0 },
      subscriptions: { imported: 1, skipped: 0, rejected: 0 },
    });
    expect(report.rejected).toEqual([]);
    expect(report.notes).toEqual([
      { table: 'memos', id: 'm2', kind: 'no-duration', note: 'duration_seconds was NULL: imported as 0' },
      { table: 'usage_logs', id: 'l2', kind: 'unreadable-metadata', note: 'metadata was not valid JSON: kept as { raw: "<the text>" }' },
    ]);

    expect(store.get('users', 'u1')).toMatchObject({
      email: 'alice@example.com',
      password_hash: 'hash-a',
      tier: 'pro',
      role: 'admin',
      created_at: '2024-03-05T14:07:09.000Z',
      updated_at: '2024-03-05T14:07:10.250Z',
    });
    const bob = store.get('users', 'u2')!;
    expect(bob).toMatchObject({ tier: 'hobby', role: 'user' });
    expect(bob.created_at).toMatch(ISO);
    expect(Math.abs(Date.parse(bob.created_at!) - Date.now())).toBeLessThan(60_000);

    expect(store.get('api_keys', 'k1')).toMatchObject({
      user_id: 'u1',
      key_hash: HASH_1,
      prefix: 'at_live_',
      name: 'Default Key',
      usage_count: 5,
      last_used_at: '2024-03-06T08:00:00.000Z',
      is_active: true,
      created_at: '2024-03-05T14:07:09.000Z',
      updated_at: '2024-03-05T14:07:09.000Z',
    });
    expect(store.get('api_keys', 'k2')).toMatchObject({ is_active: false, name: null, usage_count: 0, last_used_at: null });

    expect(store.get('memos', 'm1')).toEqual({
      id: 'm1',
      user_id: 'u1',
      api_key_id: 'k1',
      text: 'Hello there',
      voice: 'rachel',
      audio_url: 'https://cdn.example.com/m1.mp3',
      duration_sec: 2.5,
      character_count: 11,
      title: null,
      status: 'completed',
      error: null,
      error_code: null,
      created_at: '2024-03-06T08:00:00.000Z',
      updated_at: '2024-03-06T08:00:00.000Z',
    });
    expect(store.get('memos', 'm2')).toMatchObject({ duration_sec: 0, text: 'No duration', api_key_id: null });

    expect(store.get('usage_logs', 'l1')).toMatchObject({ metadata: { memoId: 'm1', characters: 11 }, created_at: '2024-03-06T08:00:00.000Z' });
    expect(store.get('usage_logs', 'l2')!.metadata).toEqual({ raw: 'not json {' });
    expect(store.get('usage_logs', 'l3')!.metadata).toBeNull();

    expect(store.get('subscriptions', 's1')).toMatchObject({
      stripe_customer_id: 'cus_1',
      stripe_subscription_id: 'sub_1',
      tier: 'pro',
      status: 'active',
      current_period_start: '2024-03-01T00:00:00.000Z',
      current_period_end: '2024-04-01T00:00:00.000Z',
      cancel_at_period_end: true,
    });
    // Imported rows are indexed like any other.
    expect(store.query('memos', { user_id: 'u1' }, { orderBy: 'created_at', order: 'desc' }).map((m) => m.id)).toEqual(['m1']);
  });

  it('adds nothing when the same file is imported twice', async () => {
    const file = writeLegacy(join(dir, 'agent-talk.db'));
    await importLegacyDatabase(store, file);
    const seq = store.lastChangeSeq();
    const before = counts(store);

    const again = await importLegacyDatabase(store, file);
    expect(Object.values(again.tables).map((t) => [t.imported, t.rejected])).toEqual(Array(5).fill([0, 0]));
    expect(again.tables.usage_logs.skipped).toBe(3);
    expect(again.notes).toEqual([]);
    expect(counts(store)).toEqual(before);
    expect(store.lastChangeSeq()).toBe(seq);
  });

  it('reports rows that break a constraint and commits the rest', async () => {
    // The profile already has an account with one of the legacy emails: that account is merged into it.
    await store.insert('users', { id: 'local', email: 'carol@example.com', password_hash: 'x' });
    const seq = store.lastChangeSeq();
    const file = writeLegacy(join(dir, 'agent-talk.db'), {}, (db) => {
      run(db, `INSERT INTO users (id, email, password_hash) VALUES ('u3', 'carol@example.com', 'hash-c')`);
      db.pragma('ignore_check_constraints = ON');
      run(db, `INSERT INTO users (id, email, password_hash, tier) VALUES ('u4', 'dave@example.com', 'hash-d', 'platinum')`);
      db.pragma('ignore_check_constraints = OFF');
      run(db, `INSERT INTO api_keys (id, user_id, key_hash, prefix) VALUES ('k3', 'u1', ?, 'at_live_')`, HASH_1);
      run(db, `INSERT INTO api_keys (id, user_id, key_hash, prefix) VALUES ('k4', 'u1', ?, NULL)`, 'c'.repeat(64));
      run(db, `INSERT INTO memos (id, user_id, text, voice, audio_url, duration_seconds) VALUES ('m3', 'u3', 'hi', 'sam', 'x', 1)`);
      run(db, `INSERT INTO memos (id, user_id, text, voice, audio_url, duration_seconds, created_at) VALUES ('m4', 'u1', 'hi', 'sam', 'x', 1, '2024-02-30 10:00:00')`);
      db.pragma('foreign_keys = OFF');
      run(db, `INSERT INTO usage_logs (id, user_id, action) VALUES ('l4', 'ghost', 'user_login')`);
    });

    const report = await importLegacyDatabase(store, file);
    expect(report.tables).toEqual({
      users: { imported: 2, skipped: 1, rejected: 1 },
      api_keys: { imported: 2, skipped: 0, rejected: 2 },
      memos: { imported: 3, skipped: 0, rejected: 1 },
      usage_logs: { imported: 3, skipped: 0, rejected: 1 },
      subscriptions: { imported: 1, skipped: 0, rejected: 0 },
    });
    expect(report.merged).toEqual([{ email: 'carol@example.com', from: 'u3', into: 'local' }]);
    expect(store.get('memos', 'm3')!.user_id).toBe('local');
    expect(report.rejected.map(({ table, id }) => `${table}:${id}`)).toEqual([
      'users:u4',
      'api_keys:k3',
      'api_keys:k4',
      'memos:m4',
      'usage_logs:l4',
    ]);
    const reasons = Object.fromEntries(report.rejected.map((r) => [r.id, r.reason]));
    expect(reasons.u4).toBe('users.tier must be one of hobby, pro, enterprise');
    expect(reasons.k3).toMatch(/api_keys\.key_hash: unique constraint/);
    expect(reasons.k4).toBe('api_keys.prefix may not be null');
    expect(reasons.m4).toMatch(/memos\.created_at must be an ISO 8601 UTC timestamp/);
    expect(reasons.l4).toBe('usage_logs.user_id references a users row that does not exist');

    // A refused insert wrote nothing: no row, no index entry, no change feed entry.
    for (const [table, id] of [['users', 'u3'], ['users', 'u4'], ['api_keys', 'k3'], ['usage_logs', 'l4']] as const) {
      expect(store.get(table, id)).toBeUndefined();
    }
    expect(store.query('users', { email: 'carol@example.com' }).map((u) => u.id)).toEqual(['local']);
    expect(store.query('api_keys', { key_hash: HASH_1 }).map((k) => k.id)).toEqual(['k1']);
    expect(counts(store)).toEqual({ users: 3, api_keys: 2, memos: 3, usage_logs: 3, rate_limits: 0, subscriptions: 1 });
    const changes = store.changes(seq);
    expect(changes).toHaveLength(11);
    expect(changes.every((c) => c.op === 'insert')).toBe(true);
  });

  it('imports a file from before the subscriptions table', async () => {
    const file = writeLegacy(join(dir, 'old.db'), { subscriptions: false });
    const report = await importLegacyDatabase(store, file);
    expect(report.tables.subscriptions).toEqual({ imported: 0, skipped: 0, rejected: 0 });
    expect(report.tables.memos.imported).toBe(2);
    expect(counts(store)).toMatchObject({ users: 2, api_keys: 2, memos: 2, usage_logs: 3, subscriptions: 0 });
  });
});

describe('emails are one account whatever their case', () => {
  it('merges a file account into the store’s account with its email under another id, instead of rejecting its rows', async () => {
    const existing = await store.insert('users', { email: 'ALICE@Example.com' });
    const file = writeLegacy(join(dir, 'agent-talk.db'));
    const report = await importLegacyDatabase(store, file);
    expect(report.merged).toEqual([{ email: 'alice@example.com', from: 'u1', into: existing.id }]);
    expect(report.rejected).toEqual([]);
    expect(report.tables.users).toEqual({ imported: 1, skipped: 1, rejected: 0 });
    expect(counts(store)).toMatchObject({ users: 2, api_keys: 2, memos: 2, usage_logs: 3, subscriptions: 1 });
    for (const [table, id] of [['api_keys', 'k1'], ['memos', 'm1'], ['usage_logs', 'l2'], ['subscriptions', 's1']] as const) {
      expect(store.get(table, id)!.user_id, `${table} ${id}`).toBe(existing.id);
    }
    expect(store.get('users', 'u1')).toBeUndefined();
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('imports into the profile the rows of every file account with the profile’s email, in any case', async () => {
    const user = await store.insert('users', { email: 'Alice@Example.com' });
    const file = writeLegacy(join(dir, 'agent-talk.db'), {}, (db) => {
      run(db, `INSERT INTO users (id, email, password_hash) VALUES ('u3', 'ALICE@EXAMPLE.COM', 'hash-c')`);
      run(db, `INSERT INTO memos (id, user_id, text, voice, audio_url, duration_seconds) VALUES ('m3', 'u3', 'From the other spelling', 'adam', 'x.mp3', 1)`);
    });
    // As the page's upload leaves the file: under its id in the uploads folder.
    const uploadDir = join(dir, 'uploads');
    mkdirSync(uploadDir, { recursive: true });
    copyFileSync(file, join(uploadDir, 'b3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d'));
    const report = await importLegacyUpload(store, uploadDir, { fileName: 'agent-talk.db', database: 'b3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }, { userId: user.id, email: user.email });
    expect(report).toMatchObject({ account: 'alice@example.com', otherAccounts: 2, rejected: [] });
    expect(store.query('memos', { user_id: user.id }).map((m) => m.id).sort()).toEqual(['m1', 'm3']);
    expect(store.count('users')).toBe(1);
  });
});

describe('a legacy file with an uncheckpointed write-ahead log', () => {
  /** Copies the database and its -wal while the service still has them open, as a user copying a live file would. */
  function copyLive(from: string, to: string): string {
    copyFileSync(from, to);
    copyFileSync(`${from}-wal`, `${to}-wal`);
    return to;
  }

  it('imports the rows that are only in the -wal file', async () => {
    const live = join(dir, 'live.db');
    const db = openLegacy(live);
    db.pragma('wal_autocheckpoint = 0');
    run(db, `INSERT INTO users (id, email, password_hash) VALUES ('u0', 'zoe@example.com', 'hash-z')`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    fillLegacy(db); // only in the WAL from here on
    const file = copyLive(live, join(dir, 'copy.db'));
    db.close();

    copyFileSync(file, join(dir, 'without-wal.db'));
    expect((await readLegacyDatabase(join(dir, 'without-wal.db'))).users.map((u) => u.id)).toEqual(['u0']);

    const report = await importLegacyDatabase(store, file);
    expect(report.rejected).toEqual([]);
    expect(counts(store)).toMatchObject({ users: 3, api_keys: 2, memos: 2, usage_logs: 3, subscriptions: 1 });
    expect(store.get('memos', 'm1')).toMatchObject({ text: 'Hello there', duration_sec: 2.5 });
  });

  it('reads a database that lives entirely in its -wal file', async () => {
    const live = join(dir, 'live.db');
    const db = new Database(live);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec(LEGACY_SCHEMA + SUBSCRIPTIONS_SCHEMA);
    fillLegacy(db);
    const file = copyLive(live, join(dir, 'copy.db'));
    db.close();

    copyFileSync(file, join(dir, 'without-wal.db'));
    await expect(readLegacyDatabase(join(dir, 'without-wal.db'))).rejects.toMatchObject({ code: 'NOT_AGENT_TALK' });
    const data = await readLegacyDatabase(file);
    expect(data.memos.map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('ignores a transaction cut short and stale frames of an earlier log', async () => {
    const live = join(dir, 'live.db');
    const db = openLegacy(live);
    db.pragma('wal_autocheckpoint = 0');
    fillLegacy(db);
    // A full checkpoint: the next write starts the log over, leaving older frames behind it in the file.
    db.pragma('wal_checkpoint(PASSIVE)');
    const walSize = readFileSync(`${live}-wal`).length;
    run(db, `INSERT INTO users (id, email, password_hash) VALUES ('u5', 'erin@example.com', 'hash-e')`);
    expect(readFileSync(`${live}-wal`).length).toBe(walSize);
    run(db, `INSERT INTO users (id, email, password_hash) VALUES ('u6', 'finn@example.com', 'hash-f')`);
    const file = copyLive(live, join(dir, 'copy.db'));
    db.close();

    expect((await readLegacyDatabase(file)).users.map((u) => u.id)).toEqual(['u1', 'u2', 'u5', 'u6']);
    // The last transaction's commit frame cut short: the log ends with the one before.
    const wal = readFileSync(`${file}-wal`);
    writeFileSync(`${file}-wal`, wal.subarray(0, lastCommitEnd(wal) - 1));
    expect((await readLegacyDatabase(file)).users.map((u) => u.id)).toEqual(['u1', 'u2', 'u5']);
  });
});

/** Where the last commit frame of the log's current generation (the frames with the header's salt) ends. */
function lastCommitEnd(wal: Buffer): number {
  const frame = 24 + wal.readUInt32BE(8);
  let end = 0;
  for (let at = 32; at + frame <= wal.length && wal.readUInt32BE(at + 8) === wal.readUInt32BE(16); at += frame) {
    if (wal.readUInt32BE(at + 4) !== 0) end = at + frame;
  }
  return end;
}

describe('a file that is not a legacy agent-talk database', () => {
  async function expectRefused(file: string, code: string): Promise<void> {
    await store.insert('users', { id: 'local', email: 'local@example.com' });
    const seq = store.lastChangeSeq();
    const before = counts(store);
    const error = await importLegacyDatabase(store, file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyImportError);
    expect(error).toMatchObject({ code, details: { file } });
    expect((error as Error).message).toContain(file);
    expect(store.lastChangeSeq()).toBe(seq);
    expect(counts(store)).toEqual(before);
  }

  it('refuses random bytes', async () => {
    const file = join(dir, 'random.db');
    writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    await expectRefused(file, 'NOT_SQLITE');
  });

  it('refuses an empty file', async () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    await expectRefused(file, 'NOT_SQLITE');
  });

  it('refuses a missing file', async () => {
    await expectRefused(join(dir, 'nowhere.db'), 'NOT_FOUND');
  });

  it('refuses an SQLite file without the agent-talk tables', async () => {
    const file = join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)');
    db.close();
    await expectRefused(file, 'NOT_AGENT_TALK');
  });

  it('refuses a file whose tables lack the legacy columns', async () => {
    const file = join(dir, 'odd.db');
    const db = new Database(file);
    db.exec(LEGACY_SCHEMA.replace('duration_seconds REAL,', ''));
    db.close();
    const error = await readLegacyDatabase(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_AGENT_TALK', message: expect.stringContaining('memos table has no duration_seconds column') });
  });
});

describe('npm run db:import', () => {
  const root = resolve(import.meta.dirname, '../../..');

  function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((done, fail) => {
      const child = spawn(join(root, 'node_modules/.bin/tsx'), ['src-main/cli/db-import.ts', ...args], { cwd: root });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', fail);
      child.on('close', (status) => done({ status, stdout, stderr }));
    });
  }

  it('imports a file into a profile and prints the report; fails with status 1 or 2', async () => {
    const file = writeLegacy(join(dir, 'agent-talk.db'), {}, (db) => {
      run(db, `INSERT INTO api_keys (id, user_id, key_hash, prefix) VALUES ('k9', 'u1', ?, 'at_live_')`, HASH_1);
    });
    const profile = join(dir, 'cli-profile');
    const [ok, missing, usage] = await Promise.all([
      cli(file, '--profile', profile),
      cli(join(dir, 'nowhere.db'), '--profile', join(dir, 'never-created')),
      cli(file),
    ]);

    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Imported ${file} into ${join(profile, 'store.mdb')}`);
    expect(ok.stdout).toMatch(/^users\s+2\s+0\s+0$/m);
    expect(ok.stdout).toMatch(/^api_keys\s+2\s+0\s+1$/m);
    expect(ok.stdout).toMatch(/Rejected rows \(1\):\n {2}api_keys k9: api_keys\.key_hash: unique constraint/);
    expect(ok.stdout).toContain('memos m2: duration_seconds was NULL: imported as 0');

    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`db:import failed: ${join(dir, 'nowhere.db')}: no such file`);

    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: npm run db:import -- FILE --profile DIR');

    const imported = await openAgentTalkStore({ profileDir: profile });
    try {
      expect(counts(imported)).toMatchObject({ users: 2, api_keys: 2, memos: 2, usage_logs: 3, subscriptions: 1 });
    } finally {
      await imported.close();
    }
  });

  it('merges an account the profile has with the same email in another case, and says so, with status 0', async () => {
    const file = writeLegacy(join(dir, 'agent-talk.db'));
    const profile = join(dir, 'cli-profile');
    const before = await openAgentTalkStore({ profileDir: profile });
    const existing = await before.insert('users', { email: 'Alice@Example.COM' });
    await before.close();
    const result = await cli(file, '--profile', profile);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Accounts merged into the account with the same email (1):\n  users u1 (alice@example.com): its rows are now account ${existing.id}'s`);
    expect(result.stdout).not.toContain('Rejected rows');
    const after = await openAgentTalkStore({ profileDir: profile });
    try {
      expect(after.query('memos', { user_id: existing.id }).map((m) => m.id)).toEqual(['m1']);
      expect(after.query('users', { email: 'alice@example.com' }).map((u) => u.id)).toEqual([existing.id]);
    } finally {
      await after.close();
    }
  });
});
