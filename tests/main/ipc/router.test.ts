import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MAX_ERROR_MESSAGE, methods, type IpcResult, type MethodName } from '../../../src-shared/contract';
import { createCore } from '../../../src-main/core';
import { uploadDirOf } from '../../../src-main/services/legacy-import';
import type { CoreMethod } from '../../../src-main/ipc/handlers';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { speak, wavOf } from '../../cloud/audio';
import { writeLegacyFile } from '../../support/legacy-db';
import { tempDir } from '../db/helpers';

/** A core whose generation queue is stopped (jobs stay queued: cancel and retry meet them as they were left) and
 * whose save dialog is always cancelled. */
async function core() {
  const profileDir = tempDir();
  const c = await createCore({ profileDir, secrets: sessionSecretStore('test'), saveFile: async () => null });
  await c.services.generation.stop();
  const call = async (method: string, args?: unknown) => c.handle(method, args);
  const ok = async <T = Record<string, any>>(method: string, args?: unknown): Promise<T> => { // eslint-disable-line @typescript-eslint/no-explicit-any -- results are checked by assertions
    const result = await call(method, args);
    if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.message}`);
    return result.value as T;
  };
  /** A file as `POST /upload` leaves it, under `id`. */
  const uploaded = (id: string, bytes: Uint8Array | string) => {
    mkdirSync(uploadDirOf(profileDir), { recursive: true });
    writeFileSync(join(uploadDirOf(profileDir), id), bytes);
  };
  return { c, call, ok, uploaded, close: () => c.close() };
}

/** Uploads the tests name: the legacy database, a file that is none, and one never uploaded. */
const LEGACY_UPLOAD = '6f1c1f38-8d52-4d0c-9a55-0f3a1d0a2b11';
const NOT_A_DATABASE = '1d6f0a3e-3c1b-4b8e-9f7a-2e5d4c3b2a10';
const NEVER_UPLOADED = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** A profile with one key and one memo, and a valid payload for every method. */
async function populated() {
  const t = await core();
  const profile = await t.ok('profile.create', { email: 'ada@example.com' });
  const { key } = await t.ok('keys.create', { name: 'Laptop' });
  const memo = await t.c.services.store.insert('memos', { user_id: profile.id, audio_url: 'app://audio/x.wav', duration_sec: 1.5, text: 'Hello there', title: 'Hello' });
  // An imported memo whose audio is still on the service, as a data: URL.
  const onService = await t.c.services.store.insert('memos', {
    user_id: profile.id,
    audio_url: `data:audio/wav;base64,${Buffer.from(wavOf(speak('Imported', 'rachel'))).toString('base64')}`,
    duration_sec: 0,
    text: 'Imported',
    status: 'completed',
  });
  const queued = await t.ok('memos.generate', { text: 'Queued and never run.', voice: 'flite:slt' });
  const [legacyFile] = writeLegacyFile(join(tempDir(), 'agent-talk.db'), { email: 'ada@example.com', memos: 1 });
  t.uploaded(LEGACY_UPLOAD, readFileSync(legacyFile!));
  t.uploaded(NOT_A_DATABASE, 'hello, not a database');
  const valid: Record<CoreMethod, unknown> = {
    'profile.get': undefined,
    'profile.create': { email: 'second@example.com' },
    'subscription.get': {},
    'limits.get': undefined,
    'app.status': undefined,
    'keys.list': undefined,
    'keys.create': { name: 'CI', test: true },
    'keys.rename': { id: key.id, name: 'Desk' },
    'keys.revoke': { id: key.id },
    'usage.list': { action: 'key_created', from: '2020-01-01T00:00:00.000Z', limit: 10 },
    'usage.summary': {},
    'memos.list': { limit: 10, offset: 0 },
    'memos.get': { id: memo.id },
    'memos.rename': { id: memo.id, title: 'Renamed' },
    'memos.delete': { id: memo.id },
    'memos.generate': { text: 'Hello from the router test.', voice: 'flite:slt', title: 'Router' },
    'memos.cancel': { id: queued.id },
    'memos.retry': { id: queued.id },
    'memos.export': { id: queued.id },
    'memos.fetchAudio': { id: onService.id },
    'voices.list': undefined,
    'voices.preview': { voice: 'flite:slt' },
    'usage.daily': { days: 30 },
    'settings.get': undefined,
    'settings.update': { theme: 'dark', cloudUrl: 'https://cloud.example.com/' },
    'settings.draft': undefined,
    'settings.saveDraft': { text: 'Half a memo', title: '', voice: 'flite:rms', keyId: key.id },
    'legacy.import': { fileName: 'agent-talk.db', database: LEGACY_UPLOAD },
    'keys.addCloud': { key: `at_live_${'A'.repeat(43)}`, name: 'Pasted' },
    'account.get': undefined,
    'account.signIn': { email: 'ada@example.com', password: 'correct horse' },
    'account.useToken': { token: 'a-session-token-from-the-service' },
    'account.signOut': undefined,
    'sync.status': undefined,
    'sync.now': undefined,
    'sync.setInterval': { minutes: 15 },
    'usage.cloudDaily': { days: 30 },
    'agentApi.get': undefined,
    'agentApi.update': { enabled: false, port: 8123, nearestOfflineVoice: false },
    'devices.status': undefined,
    'devices.update': { name: 'Küchenrechner', audio: 'all' },
    'devices.syncNow': undefined,
    'devices.remove': { id: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' },
  };
  return { ...t, profile, key, memo, valid };
}

const HUGE = 'x'.repeat(1_000_000);

/** The methods a core answers (the store.* ones are the profile session's: tests/main/db/recovery.test.ts). */
const coreMethods = (Object.keys(methods) as MethodName[]).filter((m): m is CoreMethod => !m.startsWith('store.'));

/** Payloads no method accepts. */
const hostileForAll: unknown[] = [
  'a string',
  42,
  [],
  null,
  JSON.parse('{"__proto__": {"isAdmin": true}}'),
  { constructor: { prototype: {} } },
  { unexpected: true },
];

/** Payloads aimed at one method's fields. */
const hostileFor: Partial<Record<CoreMethod, unknown[]>> = {
  'profile.create': [{ email: 'not-an-email' }, { email: `${HUGE}@example.com` }, { email: 5 }, {}],
  'keys.create': [{ name: HUGE }, { name: '' }, { name: 42 }, { test: 'yes' }, { name: 'ok', prefix: 'at_live_' }],
  'keys.rename': [{ id: 'missing', name: 'x' }, { id: HUGE, name: 'x' }, { id: 1, name: 'x' }, { name: 'no id' }],
  'keys.revoke': [{ id: 'missing' }, { id: { $ne: null } }],
  'usage.list': [{ limit: 1e9 }, { limit: 1.5 }, { from: 'yesterday' }, { action: 'drop_tables' }],
  'memos.list': [{ limit: -1 }, { offset: 'a' }],
  'memos.get': [{ id: 'missing' }, { id: ['a'] }],
  'memos.rename': [{ id: 'x', title: HUGE }, { id: 'x' }],
  'memos.delete': [{ id: '' }],
  'memos.generate': [
    { text: '', voice: 'flite:slt' },
    { text: '   ', voice: 'flite:slt' },
    { text: 'hi', voice: 'nope' },
    { text: 'hi', voice: 'rachel' }, // a cloud voice, with no cloud URL set
    { text: 'hi' },
    { text: 'x'.repeat(1_000_001), voice: 'flite:slt' },
    { text: 'x'.repeat(5_001), voice: 'flite:slt' }, // over the hobby plan's 5,000
    { text: 'hi', voice: 'flite:slt', keyId: 'missing' },
    { text: '你好，世界', voice: 'flite:slt' }, // nothing an English voice can say
  ],
  'memos.cancel': [{ id: 'missing' }],
  'memos.retry': [{ id: 'missing' }],
  'memos.export': [{ id: 'missing' }],
  'voices.preview': [{ voice: 'nope' }, { voice: 'rachel' }, { voice: HUGE }],
  'usage.daily': [{ days: 0 }, { days: 1000 }, { days: 1.5 }],
  'settings.update': [{ cloudUrl: 'ftp://example.com' }, { cloudUrl: 'javascript:alert(1)' }, { cloudUrl: 'http://cloud.example.com' }, { cloudUrl: HUGE }, { theme: 'neon' }],
  'settings.saveDraft': [{ text: HUGE + HUGE, title: '', voice: '', keyId: '' }, { text: 'hi' }, { text: 1, title: '', voice: '', keyId: '' }],
  'keys.addCloud': [{ key: 'at_live_short' }, { key: `sk_live_${'A'.repeat(43)}` }, { key: HUGE }],
  'account.signIn': [{ email: 'not-an-email', password: 'x' }, { email: 'ada@example.com', password: '' }, { email: 'ada@example.com' }],
  'account.useToken': [{ token: 'short' }, { token: HUGE }],
  'sync.setInterval': [{ minutes: 0 }, { minutes: 1e6 }, { minutes: 1.5 }],
  'usage.cloudDaily': [{ days: 0 }, { days: 367 }],
  'legacy.import': [
    { fileName: 'x.db', database: 'not an upload id' },
    { fileName: 'x.db', database: NOT_A_DATABASE },
    { fileName: 'x.db', database: NEVER_UPLOADED },
    { fileName: 'x.db', database: '../store.mdb' },
    { fileName: '', database: '' },
    // Names no file system takes: a NUL, and 200 accented letters (400 bytes in UTF-8; a name has at most 255).
    { fileName: 'agent\u0000talk.db', database: NOT_A_DATABASE },
    { fileName: `${'é'.repeat(200)}.db`, database: NOT_A_DATABASE },
  ],
};

/**
 * What a refused call must leave as it was: the keys, memos and settings as listed, and the change feed, where only
 * the usage log of a refusal over the plan's limits (error_rate_limit) may have been added.
 */
const state = (s: Awaited<ReturnType<typeof populated>>, since?: number) => ({
  changes: s.c.services.store
    .changes(since ?? s.c.services.store.lastChangeSeq())
    .filter(({ table, id }) => table !== 'usage_logs' || s.c.services.store.get('usage_logs', id)?.action !== 'error_rate_limit'),
  keys: s.c.services.keys.list(s.profile.id),
  memos: s.c.services.memos.list(s.profile.id),
  settings: s.c.services.settings.get(),
});

describe('IPC router', () => {
  it('answers every method of the contract with a valid payload', async () => {
    const s = await populated();
    const results: Record<string, IpcResult> = {};
    for (const method of coreMethods) results[method] = await s.call(method, s.valid[method]);
    // Without a reachable service: the cloud URL is unset when a key is pasted, and cloud.example.com has no address.
    const offline = { 'keys.addCloud': 'CLOUD_UNAVAILABLE', 'account.signIn': 'CLOUD_UNAVAILABLE', 'account.useToken': 'CLOUD_UNAVAILABLE' } as Record<string, string>;
    // No other computer has written into a sync folder: the one to remove is not in the list.
    offline['devices.remove'] = 'NOT_FOUND';
    const failures = Object.entries(results).filter(([m, r]) => !r.ok && m !== 'profile.create' && !(m in offline && r.error.code === offline[m]));
    expect(failures).toEqual([]);
    expect(results['sync.setInterval']).toMatchObject({ ok: true, value: { intervalMinutes: 15 } });
    expect(results['account.get']).toMatchObject({ ok: true, value: { signedIn: false } });
    // The profile exists already: a second one is a conflict, told as such.
    expect(results['profile.create']).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(results['keys.list']).toMatchObject({ ok: true, value: { active: 1, limit: 2 } });
    expect(results['keys.create']).toMatchObject({ ok: true, value: { fullKey: expect.stringMatching(/^at_test_/) } });
    expect(results['keys.revoke']).toMatchObject({ ok: true, value: { isActive: false } });
    expect(results['memos.get']).toMatchObject({ ok: true, value: { title: 'Hello', text: 'Hello there', durationSec: 1.5 } });
    expect(results['memos.delete']).toMatchObject({ ok: true, value: { deleted: true } });
    expect(results['memos.generate']).toMatchObject({ ok: true, value: { status: 'queued', title: 'Router', voice: 'flite:slt', characterCount: 27 } });
    expect(results['memos.cancel']).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    expect(results['memos.retry']).toMatchObject({ ok: true, value: { status: 'queued' } });
    expect(results['memos.fetchAudio']).toMatchObject({ ok: true, value: { text: 'Imported', audioUrl: expect.stringMatching(/^\/audio\/.+\.wav$/) } });
    expect(results['memos.export']).toEqual({ ok: true, value: { path: null } }); // the dialog was cancelled
    expect(results['voices.preview']).toMatchObject({ ok: true, value: { mime: 'audio/wav', audioBase64: expect.stringMatching(/^UklGR/) } });
    expect(results['settings.update']).toEqual({ ok: true, value: { theme: 'dark', cloudUrl: 'https://cloud.example.com' } });
    expect(results['legacy.import']).toMatchObject({ ok: true, value: { account: 'ada@example.com', otherAccounts: 2, tables: { memos: { imported: 1 } } } });
    await s.close();
  });

  it('refuses every hostile payload with a typed error and changes nothing', async () => {
    const s = await populated();
    for (const method of coreMethods) {
      const takesNoArgs = s.valid[method] === undefined || JSON.stringify(s.valid[method]) === '{}';
      for (const payload of [...hostileForAll, ...(hostileFor[method] ?? [])]) {
        if (takesNoArgs && payload === null) continue;
        const seq = s.c.services.store.lastChangeSeq();
        const before = state(s);
        const result = await s.call(method, payload);
        expect(result.ok, `${method} accepted ${JSON.stringify(payload)?.slice(0, 80)}`).toBe(false);
        if (!result.ok) {
          expect(['VALIDATION_ERROR', 'UNSPEAKABLE_TEXT', 'NOT_FOUND', 'CONFLICT', 'INVALID_VOICE', 'INVALID_API_KEY', 'TEXT_TOO_LONG', 'CLOUD_UNAVAILABLE', 'UNSUPPORTED', 'IMPORT_FAILED']).toContain(result.error.code);
          expect(result.error.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
        }
        expect(state(s, seq)).toEqual(before);
      }
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    await s.close();
  });

  it('refuses unknown and inherited method names', async () => {
    const s = await core();
    for (const method of ['nope', '__proto__', 'constructor', 'toString', 'keys.list.extra', 42]) {
      expect(await s.call(method as string)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
    await s.close();
  });

  it('says NO_PROFILE before the first run created one, and pushes change events after commits', async () => {
    const s = await core();
    expect(await s.call('keys.list')).toMatchObject({ ok: false, error: { code: 'NO_PROFILE', message: 'Create your profile first.' } });
    const events: [string, unknown][] = [];
    const stop = s.c.subscribe((event, payload) => events.push([event, payload]));
    const profile = await s.ok('profile.create', { email: 'ada@example.com' });
    const { key } = await s.ok('keys.create', {});
    // sync.status follows a burst of commits a timer later: it comes, after the commit that answered.
    await vi.waitFor(() =>
      expect(events.filter(([event]) => event === 'sync.status')).toContainEqual(['sync.status', expect.objectContaining({ state: 'unlinked', waiting: 0 })]),
    );
    stop();
    await s.ok('keys.rename', { id: key.id, name: 'after unsubscribe' });
    expect(events.filter(([event]) => event !== 'sync.status')).toEqual([
      ['profile.changed', { ids: expect.arrayContaining([profile.id]) }],
      ['settings.changed', { ids: ['profile_user_id'] }],
      ['usage.changed', { ids: [expect.any(String)] }],
      ['keys.changed', { ids: [key.id] }],
      ['usage.changed', { ids: [expect.any(String)] }],
    ]);
    await s.close();
  });
});

describe('the plan a user sees', () => {
  it('is the effective tier everywhere: a pro subscription whose period ended shows and limits as hobby', async () => {
    const t = await core();
    const profile = await t.ok('profile.create', { email: 'ada@example.com' });
    const pro = { tier: 'pro' as const, status: 'active', current_period_end: '2099-01-01T00:00:00.000Z' };
    await t.c.services.subscriptions.set(profile.id, pro);
    expect(await t.ok('profile.get')).toMatchObject({ tier: 'pro' });
    expect(await t.ok('limits.get')).toMatchObject({ tier: 'pro', limits: { apiKeys: 10 } });
    expect(await t.ok('keys.list')).toMatchObject({ limit: 10 });

    // The period ends; users.tier still says pro (nothing rewrote it), but every screen and limit says hobby.
    await t.c.services.store.update('subscriptions', t.c.services.subscriptions.get(profile.id)!.id, { current_period_end: '2020-01-01T00:00:00.000Z' });
    expect(t.c.services.store.get('users', profile.id)!.tier).toBe('pro');
    expect(await t.ok('profile.get')).toMatchObject({ tier: 'hobby' });
    expect(await t.ok('limits.get')).toMatchObject({ tier: 'hobby', limits: { apiKeys: 2 } });
    expect(await t.ok('keys.list')).toMatchObject({ limit: 2 });
    await t.close();
  });
});
