import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTables, extendTables, openStore, type Migration, type Store } from '../../../src-main/db';
import { migrations } from '../../../src-main/db/migrations';
import { extendTable, seedTables, tables, users, type TableDef } from '../../../src-shared/schema';
import { failure, openAgentTalk, openTempStore, tempDir } from './helpers';

const versions = (store: Store) => store.migrations.status().map((m) => [m.version, m.appliedAt !== null]);
/** Every migration's version, with whether it is applied: those up to `applied` are. */
const appliedUpTo = (applied: number) => migrations.map((m) => [m.version, m.version <= applied]);
const last = migrations.at(-1)!.version;
/** The one before it (versions may skip numbers). */
const beforeLast = migrations.at(-2)!.version;
const pad = (version: number) => String(version).padStart(3, '0');
/** The store as a migration leaves it, whatever its tables are at that version. */
const untyped = (store: unknown) => store as Store;

describe('001 agent-talk tables', () => {
  it('creates the six tables of the service schema, and goes down then up again with data in place', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    expect(versions(store)).toEqual(appliedUpTo(0));
    await store.migrations.up(1);
    const user = await store.insert('users', { email: 'ada@example.com' });
    await store.insert('memos', { user_id: user.id, audio_url: 'a.mp3', duration_sec: 2 });
    // Version 1 is the service's schema exactly: memos have no app columns yet.
    expect(await failure(store.insert('memos', { user_id: user.id, audio_url: 'b', duration_sec: 1, status: 'queued' }))).toMatchObject({
      code: 'UNKNOWN_COLUMN',
    });
    for (const def of seedTables) expect(() => store.count(def.name)).not.toThrow();

    await store.migrations.down(0);
    expect(versions(store)).toEqual(appliedUpTo(0));
    expect(await failure(() => store.get('users', user.id as string))).toMatchObject({ code: 'UNKNOWN_TABLE' });

    await store.migrations.up(1);
    expect(store.count('users')).toBe(0);
    // No index entry outlived its table: the same email is free again.
    await store.insert('users', { email: 'ada@example.com' });
    expect(store.query('users', { email: 'ada@example.com' })).toHaveLength(1);
  });
});

describe('002 desktop app columns', () => {
  it('adds the memo and key columns with their defaults to rows in place, and takes them away again', async () => {
    let now = new Date('2026-02-01T00:00:00.000Z');
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false, clock: () => now }));
    await store.migrations.up(1);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h' });
    const seeded = await store.transaction((tx) =>
      [3, 1, 2].map((d) => tx.insert('memos', { user_id: user.id, audio_url: `m${d}.mp3`, duration_sec: d, created_at: `2026-01-0${d}T00:00:00.000Z` })),
    );
    await store.insert('usage_logs', { user_id: user.id, api_key_id: key.id, action: 'memo_created', created_at: '2026-01-05T00:00:00.000Z' });

    now = new Date('2026-02-02T00:00:00.000Z');
    await store.migrations.up(2);
    expect(store.get('api_keys', key.id as string)).toEqual({ ...key, key_suffix: null });
    for (const memo of seeded) {
      expect(store.get('memos', memo.id as string)).toEqual({
        ...memo,
        text: '',
        api_key_id: null,
        status: 'completed',
        error: null,
        updated_at: '2026-02-02T00:00:00.000Z',
      });
    }
    expect(store.explain('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc' })).toMatchObject({ index: 'idx_memos_user_created' });
    expect(store.query('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc' }).map((m) => m.duration_sec)).toEqual([3, 2, 1]);
    expect(store.count('usage_logs', { api_key_id: key.id })).toBe(1);
    await store.update('memos', seeded[0]!.id as string, { status: 'failed', error: 'engine crashed', api_key_id: key.id });

    await store.migrations.down(1);
    expect(versions(store)).toEqual(appliedUpTo(1));
    expect(store.get('memos', seeded[0]!.id as string)).toEqual(seeded[0]);
    expect(store.explain('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc' }).index).not.toBe('idx_memos_user_created');
    // With the app's index on api_key_id gone, deleting a key falls back to scanning its logs, as SQLite would.
    expect(await store.delete('api_keys', key.id as string)).toEqual({ deleted: 1, nulled: 1 });

    await store.migrations.up(2);
    expect(store.get('memos', seeded[0]!.id as string)).toMatchObject({ status: 'completed', error: null, audio_url: 'm3.mp3' });
    expect(store.count('memos', { user_id: user.id })).toBe(3);
  });
});

describe('003 app settings', () => {
  it('adds the settings table, and goes down then up again with data in place', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(2);
    const user = await store.insert('users', { email: 'ada@example.com' });
    await store.migrations.up(3);
    await store.insert('settings', { key: 'profile_user_id', value: user.id });
    expect(store.get('settings', 'profile_user_id')).toMatchObject({ value: user.id });
    await store.migrations.down(2);
    expect(await failure(() => store.get('settings', 'profile_user_id'))).toMatchObject({ code: 'UNKNOWN_TABLE' });
    expect(store.get('users', user.id as string)).toEqual(user);
    await store.migrations.up(3);
    expect(store.count('settings')).toBe(0);
    expect(store.count('users')).toBe(1);
  });
});

describe('004 generation jobs', () => {
  it('adds the job queue, and goes down then up again with data in place', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(4);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const memo = await store.insert('memos', { user_id: user.id, audio_url: '', duration_sec: 0, status: 'queued', text: 'Hi' });
    const job = await store.insert('jobs', { user_id: user.id, memo_id: memo.id });
    expect(job).toMatchObject({ status: 'queued', priority: 0, retry_count: 0, max_retries: 3, locked_until: null });
    expect(await failure(store.insert('jobs', { user_id: user.id, memo_id: memo.id }))).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    await store.migrations.down(3);
    expect(await failure(() => store.count('jobs'))).toMatchObject({ code: 'UNKNOWN_TABLE' });
    expect(store.get('memos', memo.id as string)).toEqual(memo);
    await store.migrations.up();
    expect(store.count('jobs')).toBe(0);
    await store.delete('users', user.id as string);
    expect(store.count('memos')).toBe(0);
  });
});

describe('migration runner', () => {
  it('applies pending migrations at open and records when', async () => {
    const store = await openAgentTalk(tempDir(), { clock: () => new Date('2026-04-01T10:00:00.000Z') });
    expect(store.migrations.status()).toEqual(
      migrations.map((m) => ({ version: m.version, name: m.name, appliedAt: '2026-04-01T10:00:00.000Z' })),
    );
  });

  it('rolls a failing migration back whole: no table, no row, no record', async () => {
    const table = (name: string): TableDef => ({ name, primaryKey: 'id', columns: { id: { type: 'text', notNull: true } } });
    const first = createTables(1, 'a', [table('a')]);
    const failing: Migration = {
      version: 2,
      name: 'half done',
      up(m) {
        m.createTable(table('b'));
        m.insert('a', { id: 'written before the failure' });
        throw new Error('disk full');
      },
      down: (m) => m.dropTable('b'),
    };
    const path = join(tempDir(), 'store.mdb');
    expect(await failure(openStore({ path, tables: [table('a'), table('b')], migrations: [first, failing] }))).toMatchObject({ message: 'disk full' });
    const store = await openStore({ path, tables: [table('a')], migrations: [first] });
    expect(store.migrations.status()).toEqual([expect.objectContaining({ version: 1 })]);
    expect(store.count('a')).toBe(0);
    expect(await failure(() => store.count('b'))).toMatchObject({ code: 'UNKNOWN_TABLE' });
    await store.close();
  });

  it('refuses a profile migrated by a newer version of the app, and definitions that drifted from the migrations', async () => {
    const path = join(tempDir(), 'store.mdb');
    const nickname = { columns: { nickname: { type: 'text' } } } as const;
    const newer = await openStore({
      path,
      tables: [extendTable(users, nickname)],
      migrations: [createTables(1, 'users', [users]), extendTables(2, 'nickname', { users: nickname })],
    });
    await newer.close();
    expect(await failure(openStore({ path, tables: [users], migrations: [createTables(1, 'users', [users])] }))).toMatchObject({
      code: 'MIGRATION_ERROR',
      message: expect.stringContaining('newer version'),
    });
    expect(await failure(openTempStore(tables, { migrations: migrations.slice(0, 1) }))).toMatchObject({
      code: 'SCHEMA_ERROR',
      details: { tables: ['users', 'api_keys', 'memos', 'usage_logs', 'settings', 'jobs', 'sync_devices', 'sync_rows', 'sync_counts', 'sync_outbox', 'cloud_outbox', 'cloud_usage'] },
    });
  });

  it('works from the command line: status, down, up --to', async () => {
    const profile = tempDir();
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src-main/cli/db-migrate.ts', ...args, '--profile', profile]).then((r) => r.stdout);
    expect(await cli('status')).toMatch(/001 +pending +agent-talk tables\n002 +pending +desktop app columns\n003 +pending +app settings/);
    expect(await cli('up', '--to', '1')).toMatch(/001 +applied \S+ +agent-talk tables\n002 +pending/);
    expect(await cli('up')).toMatch(new RegExp(`002 +applied .*\\n003 +applied (.*\\n)*${pad(last)} +applied`));
    expect(await cli('down')).toMatch(new RegExp(`${pad(beforeLast)} +applied .*\\n${pad(last)} +pending`));
    expect(await cli('down', '--to', '0')).toMatch(/001 +pending/);
    const usage = await failure(cli('sideways'));
    expect(usage).toMatchObject({ code: 2 });
  }, 60_000);
});

describe('005 library filter indexes', () => {
  it('lets the library filter a user’s memos by status and by voice through an index, and goes down then up again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(4);
    const user = await store.insert('users', { email: 'ada@example.com' });
    for (const [status, voice] of [['completed', 'flite:slt'], ['failed', 'flite:rms'], ['completed', 'flite:rms']]) {
      await store.insert('memos', { user_id: user.id, audio_url: '', duration_sec: 0, text: 'Hi', status, voice });
    }
    const byStatus = [{ user_id: user.id, status: 'completed' }, { orderBy: 'created_at', order: 'desc' }] as const;
    expect(store.explain('memos', ...byStatus).index).toBe('idx_memos_user_created'); // every memo of the user read
    await store.migrations.up(5);
    expect(store.explain('memos', ...byStatus)).toMatchObject({ access: 'index', index: 'idx_memos_user_status_created' });
    expect(store.explain('memos', { user_id: user.id, voice: 'flite:rms' }, { orderBy: 'created_at', order: 'desc' })).toMatchObject({ index: 'idx_memos_user_voice_created' });
    expect(store.query('memos', ...byStatus)).toHaveLength(2);
    expect(store.count('memos', { user_id: user.id, voice: 'flite:rms' })).toBe(2);
    await store.migrations.down(4);
    expect(store.query('memos', ...byStatus)).toHaveLength(2);
    await store.migrations.up();
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('keeps the kind of a memo’s failure (007), and goes down then up again with data in place', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(6);
    const user = (await store.insert('users', { email: 'ada@example.com' })) as { id: string };
    const memo = (await store.insert('memos', { user_id: user.id, audio_url: '', duration_sec: 0, text: '你好', status: 'failed', error: 'Silent.' })) as { id: string };
    expect(store.get('memos', memo.id)).not.toHaveProperty('error_code');
    await store.migrations.up(7);
    expect(store.get('memos', memo.id)).toMatchObject({ error: 'Silent.', error_code: null });
    await store.update('memos', memo.id, { error_code: 'SILENT_AUDIO' });
    await store.migrations.down(6);
    expect(store.get('memos', memo.id)).toMatchObject({ error: 'Silent.' });
    expect(store.get('memos', memo.id)).not.toHaveProperty('error_code');
    await store.migrations.up();
    expect(store.checkIntegrity()).toEqual([]);
  });
});

describe('006 device sync', () => {
  it('adds the device sync tables beside existing data, and goes down then up again with data in place', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(5);
    const user = await store.insert('users', { email: 'zoë@example.com' });
    const memo = await store.insert('memos', { user_id: user.id, audio_url: '', duration_sec: 0, text: 'Grüß dich' });
    await store.migrations.up(6);
    await store.insert('sync_devices', { id: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', name: 'Küche', is_self: true });
    await store.insert('sync_rows', { id: `memos:${memo.id}`, clock: { fields: {} } });
    await store.insert('sync_counts', { id: 'k|2026-12-02|d', api_key_id: 'k', date: '2026-12-02', device_id: 'd', count: 3 });
    expect(store.get('sync_devices', '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b')).toMatchObject({ applied_seq: 0, seen_seq: 0, is_self: true });
    expect(store.explain('sync_counts', { api_key_id: 'k', date: '2026-12-02' })).toMatchObject({ access: 'index', index: 'idx_sync_counts_key_date' });
    expect(await failure(store.insert('sync_rows', { id: 'x' }))).toMatchObject({ code: 'NOT_NULL_VIOLATION' });
    await store.migrations.down(5);
    expect(await failure(() => store.count('sync_rows'))).toMatchObject({ code: 'UNKNOWN_TABLE' });
    expect(store.get('memos', memo.id as string)).toEqual(memo);
    await store.migrations.up();
    expect(store.count('sync_devices')).toBe(0);
    expect(store.checkIntegrity()).toEqual([]);
  });
});

describe('008 cloud memos', () => {
  it('adds the kept answer and the wait to jobs and the service URL to keys, in place, and takes them away again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(7);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h', key_suffix: 'abcdef' });
    const memo = await store.insert('memos', { user_id: user.id, audio_url: '', duration_sec: 0, text: 'Hi', status: 'queued', voice: 'rachel' });
    const job = await store.insert('jobs', { user_id: user.id, memo_id: memo.id });
    expect(await failure(store.update('jobs', job.id as string, { waiting_for: 'cloud' }))).toMatchObject({ code: 'UNKNOWN_COLUMN' });

    await store.migrations.up(8);
    expect(store.get('jobs', job.id as string)).toMatchObject({ service_answer: null, waiting_for: null });
    expect(store.get('api_keys', key.id as string)).toMatchObject({ service_url: null });
    const answer = { memoId: 'm1', audioUrl: 'https://talk.example.com/audio/audio_m1.mp3', durationSec: 1.5 };
    await store.update('jobs', job.id as string, { service_answer: answer, waiting_for: 'cloud' });
    await store.update('api_keys', key.id as string, { service_url: 'https://talk.example.com' });
    expect(store.get('jobs', job.id as string)).toMatchObject({ service_answer: answer, waiting_for: 'cloud' });
    expect(await failure(store.update('jobs', job.id as string, { waiting_for: 'the weekend' }))).toMatchObject({ code: 'CHECK_VIOLATION' });

    await store.migrations.down(7);
    expect(Object.keys(store.get('jobs', job.id as string)!)).not.toContain('service_answer');
    expect(Object.keys(store.get('api_keys', key.id as string)!)).not.toContain('service_url');
    await store.migrations.up();
    expect(store.get('jobs', job.id as string)).toMatchObject({ service_answer: null, waiting_for: null, status: 'queued' });
    expect(store.checkIntegrity()).toEqual([]);
  });
});

describe('009 case-insensitive emails', () => {
  it('makes an email one account whatever its case, and goes down then up again with data in place', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(8);
    const ada = await store.insert('users', { email: 'Ada@Example.com' });
    await store.insert('users', { email: 'grace@example.com' });
    expect(store.query('users', { email: 'ada@example.com' })).toEqual([]);
    await store.migrations.up(9);
    expect(store.query('users', { email: 'ada@EXAMPLE.com' }).map((u) => u.id)).toEqual([ada.id]);
    expect(store.get('users', ada.id as string)!.email).toBe('Ada@Example.com');
    expect(await failure(store.insert('users', { email: 'ADA@example.com' }))).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { constraint: 'users_email_unique' } });
    expect(store.checkIntegrity()).toEqual([]);
    await store.migrations.down(8);
    expect(store.query('users', { email: 'ada@example.com' })).toEqual([]);
    await store.insert('users', { email: 'ADA@example.com' });
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('names the accounts that share an email but for its case, and changes nothing', async () => {
    const profile = tempDir();
    const old = untyped(await openAgentTalk(profile, { migrate: false }));
    await old.migrations.up(8);
    const first = await old.insert('users', { email: 'ada@example.com', created_at: '2025-01-01T00:00:00.000Z' });
    const second = await old.insert('users', { email: 'ADA@Example.COM', created_at: '2025-02-01T00:00:00.000Z' });
    await old.close();
    const error = await failure(openAgentTalk(profile));
    expect(error).toMatchObject({ code: 'MIGRATION_ERROR', details: { table: 'users', column: 'email', migration: 9 } });
    expect(error.message).toContain(`ada@example.com (${String(first.id)}) and ADA@Example.COM (${String(second.id)})`);
    const after = untyped(await openAgentTalk(profile, { migrate: false }));
    expect(after.migrations.status().find((m) => m.version === 9)).toMatchObject({ version: 9, appliedAt: null });
    expect(after.count('users')).toBe(2);
    expect(after.checkIntegrity()).toEqual([]);
  });
});

describe('010 cloud keys', () => {
  it('marks every existing key as made on this computer, lets a key say it is the cloud account’s, and goes down then up again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(9);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const local = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h1', key_suffix: 'abcdef' });
    await store.migrations.up(10);
    expect(store.get('api_keys', local.id as string)).toMatchObject({ origin: 'local', service_url: null, cloud_id: null });
    const cloud = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'cloud:k1', origin: 'cloud', service_url: 'https://talk.example', cloud_id: 'k1' });
    expect(store.explain('api_keys', { cloud_id: 'k1' })).toMatchObject({ index: 'idx_api_keys_cloud_id' });
    expect(store.query('api_keys', { cloud_id: 'k1' })).toEqual([cloud]);
    expect(await failure(store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h3', origin: 'elsewhere' }))).toMatchObject({ code: 'CHECK_VIOLATION' });
    await store.migrations.down(9);
    expect(store.get('api_keys', local.id as string)).toEqual(local);
    await store.migrations.up(10);
    expect(store.get('api_keys', cloud.id as string)).toMatchObject({ origin: 'local', cloud_id: null });
    expect(store.checkIntegrity()).toEqual([]);
  });
});

describe('011 cloud outbox and cloud usage', () => {
  it('keeps outbox entries in order by sequence, one per sequence number, gone with their key, and goes down then up again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(10);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'pending:1', origin: 'cloud' });
    await store.migrations.up(11);
    for (const [seq, op] of [[2, 'rename'], [1, 'create'], [3, 'revoke']] as const) {
      await store.insert('cloud_outbox', { seq, user_id: user.id, op, key_id: key.id, payload: { name: 'Café ☕' } });
    }
    expect(store.explain('cloud_outbox', { status: 'pending' }, { orderBy: 'seq' })).toMatchObject({ index: 'idx_cloud_outbox_status_seq' });
    expect(store.query('cloud_outbox', { status: 'pending' }, { orderBy: 'seq' }).map((e) => e.op)).toEqual(['create', 'rename', 'revoke']);
    expect(await failure(store.insert('cloud_outbox', { seq: 1, user_id: user.id, op: 'create', key_id: key.id }))).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    await store.insert('cloud_usage', { date: '2026-03-01', calls: 4, characters: 120 });
    await store.migrations.down(10);
    expect(await failure(() => store.count('cloud_outbox'))).toMatchObject({ code: 'UNKNOWN_TABLE' });
    await store.migrations.up();
    expect(store.count('cloud_usage')).toBe(0);
    await store.insert('cloud_outbox', { seq: 1, user_id: user.id, op: 'create', key_id: key.id });
    await store.delete('api_keys', key.id as string);
    expect(store.count('cloud_outbox')).toBe(0);
  });
});

describe('012 cloud key rate limit readings', () => {
  it('keeps a cloud key’s reading of the service’s day with the key, null on keys in place, and goes down then up again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(11);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'cloud:k1', origin: 'cloud', cloud_id: 'k1' });
    expect(await failure(store.update('api_keys', key.id as string, { cloud_day: {} }))).toMatchObject({ code: 'UNKNOWN_COLUMN' });
    await store.migrations.up(12);
    expect(store.get('api_keys', key.id as string)).toMatchObject({ cloud_day: null });
    const day = { limit: 100, remaining: 42, resetAt: '2026-03-02T00:00:00.000Z', readAt: '2026-03-01T09:00:00.000Z' };
    await store.update('api_keys', key.id as string, { cloud_day: day });
    expect(store.get('api_keys', key.id as string)).toMatchObject({ cloud_day: day });
    await store.migrations.down(11);
    expect(Object.keys(store.get('api_keys', key.id as string)!)).not.toContain('cloud_day');
    await store.migrations.up();
    expect(store.get('api_keys', key.id as string)).toMatchObject({ cloud_day: null, cloud_id: 'k1' });
  });
});

describe('013 device sync: removed devices, where deletions were written', () => {
  it('adds when a device was removed and where a deletion was written, in place, and takes them away again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(11);
    const device = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
    await store.insert('sync_devices', { id: device, name: 'Alter Laptop', applied_seq: 4 });
    await store.insert('sync_rows', { id: 'memos:m1', clock: { fields: {} }, deleted_at: '2026-12-01T10:00:00.000Z' });
    await store.migrations.up(13);
    expect(store.get('sync_devices', device)).toMatchObject({ name: 'Alter Laptop', applied_seq: 4, removed_at: null });
    expect(store.get('sync_rows', 'memos:m1')).toMatchObject({ deleted_in: null });
    await store.update('sync_devices', device, { removed_at: '2026-12-02T10:00:00.000Z' });
    await store.update('sync_rows', 'memos:m1', { deleted_in: { device, seq: 3 } });
    expect(await failure(store.update('sync_devices', device, { removed_at: 'yesterday' }))).toMatchObject({ message: expect.stringMatching(/removed_at must be an ISO 8601/) });
    await store.migrations.down(11);
    expect(store.get('sync_devices', device)).not.toHaveProperty('removed_at');
    expect(store.get('sync_rows', 'memos:m1')).not.toHaveProperty('deleted_in');
    await store.migrations.up();
    expect(store.get('sync_devices', device)).toMatchObject({ applied_seq: 4, removed_at: null });
  });
});

describe('014 unique indexes looked up by value', () => {
  it('finds a key by its hash with one get once applied, from rows written before it, keeps uniqueness through updates and deletes, and goes down then up again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(13);
    const user = await store.insert('users', { email: 'Zoë@Example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'hash-1' });
    // Before 014 the unique index is read by a range of its entries.
    expect(store.explain('api_keys', { key_hash: 'hash-1' })).not.toHaveProperty('lookup');
    await store.migrations.up(14);
    expect(store.explain('api_keys', { key_hash: 'hash-1' })).toMatchObject({ access: 'index', index: 'api_keys_key_hash_unique', lookup: true });
    expect(store.query('api_keys', { key_hash: 'hash-1' })).toEqual([key]);
    expect(store.query('users', { email: 'zoë@example.COM' })).toEqual([user]);
    expect(store.query('api_keys', { key_hash: 'hash-1' }, { offset: 1 })).toEqual([]);
    expect(store.query('api_keys', { key_hash: 'hash-1' }, { limit: 0 })).toEqual([]);
    expect(store.count('api_keys', { key_hash: 'hash-1' })).toBe(1);
    // Bad input is refused as on any other query.
    expect(await failure(() => store.query('api_keys', { key_hash: 5 }))).toMatchObject({ code: 'INVALID_TYPE', details: { column: 'key_hash' } });
    expect(await failure(() => store.query('api_keys', { key_hash: 'hash-1' }, { limit: -1 }))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(await failure(store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'hash-1' }))).toMatchObject({
      code: 'UNIQUE_VIOLATION',
      details: { constraint: 'api_keys_key_hash_unique' },
    });
    // A hash given up by an update, or with its row deleted, is free again; the new one is taken.
    await store.update('api_keys', key.id as string, { key_hash: 'hash-2' });
    expect(store.query('api_keys', { key_hash: 'hash-1' })).toEqual([]);
    expect(store.query('api_keys', { key_hash: 'hash-2' }).map((k) => k.id)).toEqual([key.id]);
    const second = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'hash-1' });
    expect(await failure(store.update('api_keys', second.id as string, { key_hash: 'hash-2' }))).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    await store.delete('api_keys', key.id as string);
    expect(store.query('api_keys', { key_hash: 'hash-2' })).toEqual([]);
    await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'hash-2' });
    expect(store.checkIntegrity()).toEqual([]);
    // Nulls never collide, with or without the lookup: any number of subscriptions without a Stripe id.
    const other = await store.insert('users', { email: 'ada@example.com' });
    await store.insert('subscriptions', { user_id: user.id, stripe_subscription_id: null });
    await store.insert('subscriptions', { user_id: other.id, stripe_subscription_id: null });
    expect(store.query('subscriptions', { stripe_subscription_id: null })).toHaveLength(2);
    expect(store.explain('subscriptions', { stripe_subscription_id: null })).not.toHaveProperty('lookup');

    await store.migrations.down(13);
    expect(store.explain('api_keys', { key_hash: 'hash-1' })).not.toHaveProperty('lookup');
    expect(store.query('api_keys', { key_hash: 'hash-1' }).map((k) => k.id)).toEqual([second.id]);
    await store.update('api_keys', second.id as string, { key_hash: 'hash-3' });
    await store.migrations.up(14);
    // Written while it was down: the lookup is filled anew from the rows.
    expect(store.query('api_keys', { key_hash: 'hash-3' }).map((k) => k.id)).toEqual([second.id]);
    expect(store.query('api_keys', { key_hash: 'hash-1' })).toEqual([]);
    expect(store.checkIntegrity()).toEqual([]);
  });
});

describe('015 memos newest first read from their index', () => {
  it('puts each memo in its (user_id, created_at) index entry from rows written before it, keeps it in step through writes, and goes down then up again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(14);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const other = await store.insert('users', { email: 'bob@example.com' });
    const memo = (user_id: unknown, day: number, title: string) =>
      store.insert('memos', { user_id, audio_url: `${title}.wav`, duration_sec: day, title, text: `${title} text`, created_at: `2026-01-0${day}T00:00:00.000Z` });
    const [m1, m2, m3] = [await memo(user.id, 1, 'one'), await memo(user.id, 2, 'two'), await memo(user.id, 3, 'three')];
    await memo(other.id, 4, 'not hers');
    const newest = (limit?: number) => store.query('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc', ...(limit !== undefined && { limit }) });
    const before = newest();
    expect(store.explain('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc' })).not.toHaveProperty('withRows');

    await store.migrations.up(15);
    expect(store.explain('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc', limit: 2 })).toMatchObject({
      access: 'index',
      index: 'idx_memos_user_created',
      ordered: true,
      withRows: true,
    });
    // The rows of memos written before the migration, whole, newest first.
    expect(newest()).toEqual(before);
    expect(newest(2)).toEqual([m3, m2]);
    expect(store.query('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc', offset: 2 })).toEqual([m1]);
    // A change that leaves the index's key where it was (the title) is in the copy the index holds; one that moves it too.
    await store.update('memos', m1.id as string, { title: 'renamed', status: 'failed' });
    await store.update('memos', m2.id as string, { created_at: '2026-01-09T00:00:00.000Z' });
    expect(newest().map((m) => [m.title, m.status])).toEqual([['two', 'completed'], ['three', 'completed'], ['renamed', 'failed']]);
    expect(newest()).toEqual([m2, m3, m1].map((m) => store.get('memos', m.id as string)));
    // Filtered by a column the index does not have: its rows, filtered.
    expect(store.query('memos', { user_id: user.id, status: 'failed' }, { orderBy: 'created_at', order: 'desc' }).map((m) => m.id)).toEqual([m1.id]);
    await store.delete('memos', m3.id as string);
    expect(newest().map((m) => m.id)).toEqual([m2.id, m1.id]);
    expect(store.checkIntegrity()).toEqual([]);

    await store.migrations.down(14);
    expect(store.explain('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc' })).not.toHaveProperty('withRows');
    expect(newest().map((m) => m.id)).toEqual([m2.id, m1.id]);
    expect(store.checkIntegrity()).toEqual([]);
    // Written while it was down: the index's entries are filled anew from the rows.
    await store.update('memos', m1.id as string, { title: 'while down' });
    const m4 = await memo(user.id, 5, 'four');
    await store.migrations.up();
    expect(newest()).toEqual([m2.id, m4.id, m1.id].map((id) => store.get('memos', id as string)));
    expect(newest()[2]).toMatchObject({ title: 'while down' });
    expect(store.checkIntegrity()).toEqual([]);
    // Deleting the user takes its memos out of the index with them.
    await store.delete('users', user.id as string);
    expect(newest()).toEqual([]);
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('keeps the rows an index holds in step when a later migration adds columns, and when it takes them away', async () => {
    const notes: TableDef = {
      name: 'notes',
      primaryKey: 'id',
      columns: { id: { type: 'text', notNull: true, generate: 'uuid' }, owner: { type: 'text', notNull: true }, at: { type: 'timestamp', notNull: true } },
      indexes: [{ name: 'idx_notes_owner_at', columns: [{ column: 'owner', order: 'asc' }, { column: 'at', order: 'desc' }], withRows: true }],
    };
    const pinned = { columns: { pinned: { type: 'boolean', notNull: true, default: false } } } as const;
    const path = join(tempDir(), 'store.mdb');
    const first = await openStore({ path, tables: [notes], migrations: [createTables(1, 'notes', [notes])] });
    const note = await first.insert('notes', { owner: 'ada', at: '2026-01-01T00:00:00.000Z' });
    await first.close();
    const store = await openStore({ path, tables: [extendTable(notes, pinned)], migrations: [createTables(1, 'notes', [notes]), extendTables(2, 'pinned', { notes: pinned })] });
    const byOwner = () => store.query('notes', { owner: 'ada' }, { orderBy: 'at', order: 'desc' });
    expect(store.explain('notes', { owner: 'ada' }, { orderBy: 'at', order: 'desc' })).toMatchObject({ withRows: true });
    expect(byOwner()).toEqual([{ ...note, pinned: false }]);
    expect(store.checkIntegrity()).toEqual([]);
    await store.migrations.down(1);
    expect(byOwner()).toEqual([note]);
    expect(store.checkIntegrity()).toEqual([]);
    await store.close();
  });
});

describe('016 cloud outbox entries found by user', () => {
  it('indexes the outbox by user from entries written before it, so deleting a user takes its entries through the index, and goes down then up again', async () => {
    const store = untyped(await openAgentTalk(tempDir(), { migrate: false }));
    await store.migrations.up(15);
    const account = async (email: string) => {
      const user = await store.insert('users', { email });
      const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: `pending:${email}`, origin: 'cloud' });
      return { user: user.id as string, key: key.id as string };
    };
    const entry = (seq: number, { user, key }: { user: string; key: string }) => store.insert('cloud_outbox', { seq, user_id: user, op: 'create', key_id: key });
    const [ada, bob] = [await account('ada@example.com'), await account('bob@example.com')];
    await entry(1, ada);
    await entry(2, ada);
    await entry(3, bob);
    const seqs = (user: string) => store.query('cloud_outbox', { user_id: user }).map((e) => e.seq as number).sort();
    expect(store.explain('cloud_outbox', { user_id: ada.user })).toMatchObject({ access: 'scan' });

    await store.migrations.up(16);
    expect(store.explain('cloud_outbox', { user_id: ada.user })).toMatchObject({ access: 'index', index: 'idx_cloud_outbox_user' });
    expect(seqs(ada.user)).toEqual([1, 2]);
    expect(store.checkIntegrity()).toEqual([]);
    // ON DELETE CASCADE: the user's entries go with it (and with its key), the other user's stay.
    expect(await store.delete('users', ada.user)).toEqual({ deleted: 1 + 1 + 2, nulled: 0 });
    expect(store.list('cloud_outbox').map((e) => e.seq)).toEqual([3]);
    expect(store.checkIntegrity()).toEqual([]);

    await store.migrations.down(15);
    expect(store.explain('cloud_outbox', { user_id: bob.user })).toMatchObject({ access: 'scan' });
    // Without the index a user's entries still go with it (the outbox is read whole).
    const carol = await account('carol@example.com');
    await entry(4, carol);
    await entry(5, carol);
    expect(await store.delete('users', bob.user)).toEqual({ deleted: 1 + 1 + 1, nulled: 0 });
    await store.migrations.up();
    // Written while it was down: the index is filled anew from the entries.
    expect(seqs(carol.user)).toEqual([4, 5]);
    expect(store.checkIntegrity()).toEqual([]);
    expect(await store.delete('users', carol.user)).toEqual({ deleted: 1 + 1 + 2, nulled: 0 });
    expect(store.count('cloud_outbox')).toBe(0);
  });
});
