import { describe, expect, it } from 'vitest';
import { failure, openAgentTalk, project, reference } from './helpers';

const VOICES = ['rachel', 'adam', 'bella', null];

/** 3 users, 600 memos with varied voices and times, some sharing a timestamp. */
async function library() {
  const store = await openAgentTalk();
  const users = await store.transaction((tx) => [0, 1, 2].map((i) => tx.insert('users', { email: `u${i}@example.com` })));
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  await store.transaction((tx) => {
    for (let i = 0; i < 600; i++) {
      const minute = Math.floor(random() * 400);
      tx.insert('memos', {
        user_id: users[i % 3]!.id,
        audio_url: `audio/${i}.wav`,
        duration_sec: Math.round(random() * 600) / 10,
        voice: VOICES[Math.floor(random() * VOICES.length)]!,
        character_count: Math.floor(random() * 5000),
        created_at: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
      });
    }
  });
  return { store, users, all: store.list('memos') };
}

describe('query', () => {
  it('returns what a brute-force filter and sort returns, for every plan', async () => {
    const { store, users, all } = await library();
    const u = users[1]!.id;
    const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
    const cases: [Record<string, unknown>, { orderBy?: string; order?: 'asc' | 'desc'; limit?: number; offset?: number }][] = [
      [{ user_id: u }, { orderBy: 'created_at', order: 'desc', limit: 50 }],
      [{ user_id: u }, { orderBy: 'created_at', order: 'asc', limit: 20, offset: 30 }],
      [{ user_id: u, created_at: { gte: t(100), lt: t(200) } }, { orderBy: 'created_at', order: 'desc' }],
      [{ user_id: u, created_at: { gt: t(100), lte: t(200) } }, {}],
      [{ voice: 'rachel' }, { orderBy: 'duration_sec', order: 'desc', limit: 10 }],
      [{ voice: null }, {}],
      [{ voice: 'adam', user_id: u }, { orderBy: 'created_at' }],
      [{ created_at: { lt: t(50) } }, { orderBy: 'created_at', order: 'desc', limit: 5, offset: 2 }],
      [{ duration_sec: { gte: 30 } }, { orderBy: 'character_count', limit: 15 }],
      [{}, { orderBy: 'created_at', order: 'desc', limit: 7 }],
      [{ user_id: u, character_count: { lt: 1000 } }, { orderBy: 'voice', order: 'desc', offset: 3 }],
    ];
    for (const [where, options] of cases) {
      const got = store.query('memos', where as never, options as never);
      const want = reference(all, where, options);
      expect(project(got, options.orderBy), JSON.stringify({ where, options })).toEqual(project(want, options.orderBy));
      expect(store.count('memos', where as never)).toBe(reference(all, where, {}).length);
    }
  });

  it('uses an index on the paths the app takes, and says so', async () => {
    const { store, users } = await library();
    const u = users[0]!.id;
    expect(store.explain('memos', { user_id: u }, { orderBy: 'created_at', order: 'desc', limit: 50 })).toMatchObject({
      access: 'index',
      index: 'idx_memos_user_created',
      ordered: true,
      reverse: true,
      covered: true,
    });
    expect(store.explain('api_keys', { key_hash: 'abc' })).toMatchObject({ access: 'index', equality: ['key_hash'], covered: true });
    expect(store.explain('rate_limits', { api_key_id: 'k', date: '2026-01-01' })).toMatchObject({
      access: 'index',
      index: 'rate_limits_key_date_unique',
      equality: ['api_key_id', 'date'],
    });
    expect(store.explain('usage_logs', { user_id: u, created_at: { gte: '2026-01-01T00:00:00.000Z' } }, { orderBy: 'created_at', order: 'desc' })).toMatchObject({
      access: 'index',
      index: 'idx_usage_logs_user_created',
      range: 'created_at',
      ordered: true,
    });
    expect(store.explain('users', { email: 'a@example.com' })).toMatchObject({ access: 'index', covered: true });
    expect(store.explain('memos', { id: 'x' })).toMatchObject({ access: 'primary' });
    expect(store.explain('memos', {}, { orderBy: 'created_at', order: 'desc', limit: 50 })).toMatchObject({
      access: 'index',
      index: 'idx_memos_created_at',
    });
  });

  it('says scan when no index fits', async () => {
    const { store } = await library();
    expect(store.explain('memos', { title: 'x' })).toMatchObject({ access: 'scan', covered: false });
    expect(store.explain('memos', { duration_sec: { gt: 3 } }, { orderBy: 'title' })).toMatchObject({ access: 'scan', ordered: false });
  });

  it('refuses malformed queries with typed errors', async () => {
    const { store } = await library();
    expect(await failure(() => store.query('memos', { nope: 1 } as never))).toMatchObject({ code: 'UNKNOWN_COLUMN', details: { column: 'nope' } });
    expect(await failure(() => store.query('memos', {}, { orderBy: 'nope' as never }))).toMatchObject({ code: 'UNKNOWN_COLUMN' });
    expect(await failure(() => store.query('memos', {}, { limit: -1 }))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(await failure(() => store.query('memos', {}, { order: 'sideways' as never }))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(await failure(() => store.query('memos', { duration_sec: 'long' } as never))).toMatchObject({ code: 'INVALID_TYPE' });
    expect(await failure(() => store.query('memos', { created_at: { lt: null } } as never))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(await failure(() => store.query('usage_logs', { metadata: {} } as never))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(await failure(() => store.query('nope' as never))).toMatchObject({ code: 'UNKNOWN_TABLE' });
  });
});
