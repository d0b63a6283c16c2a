/**
 * Random operations, valid and not, against the agent-talk store: a failed write must change nothing, a
 * successful one must move the change feed, the store's invariants must hold throughout, and queries must agree
 * with a brute-force filter of the same rows. Seeded, so a failure replays.
 */
import { describe, expect, it } from 'vitest';
import type { AgentTalkStore } from '../../src-main/db';
import { openAgentTalk, project, reference } from '../main/db/helpers';

const TABLES = ['users', 'api_keys', 'memos', 'usage_logs', 'rate_limits', 'subscriptions'] as const;

function prng(seed: number) {
  let s = seed;
  const next = () => (s = (s * 48271) % 2147483647) / 2147483647;
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

type Rng = ReturnType<typeof prng>;
type Tx = Parameters<Parameters<AgentTalkStore['transaction']>[0]>[0];

function ids(store: AgentTalkStore, table: (typeof TABLES)[number]): string[] {
  return store.list(table).map((r) => r.id);
}

/** An id that exists most of the time, and sometimes one that does not. */
function someId(r: Rng, store: AgentTalkStore, table: (typeof TABLES)[number]): string {
  const existing = ids(store, table);
  return existing.length > 0 && r.chance(0.9) ? r.pick(existing) : `missing-${r.int(5)}`;
}

const time = (r: Rng) => new Date(Date.UTC(2026, 0, 1 + r.int(60), r.int(24))).toISOString();

/** One random write: most are valid, some break a constraint on purpose. */
function randomWrite(r: Rng, store: AgentTalkStore, tx: Tx): void {
  const user = () => someId(r, store, 'users');
  const key = () => (r.chance(0.3) ? null : someId(r, store, 'api_keys'));
  switch (r.int(9)) {
    case 0:
      tx.insert('users', { email: `u${r.int(40)}@example.com`, tier: r.pick(['hobby', 'pro', 'enterprise', 'gold' as never]) });
      return;
    case 1:
      tx.insert('api_keys', { user_id: user(), prefix: r.pick(['at_live_', 'at_test_']), key_hash: `h${r.int(60)}`, name: r.chance(0.5) ? 'Laptop' : undefined });
      return;
    case 2:
    case 3:
      tx.insert('memos', {
        user_id: user(),
        api_key_id: key(),
        audio_url: `audio/${r.int(1000)}.wav`,
        duration_sec: r.chance(0.97) ? r.int(600) / 10 : (Number.NaN as never),
        voice: r.pick(['rachel', 'adam', null]),
        created_at: time(r),
        status: r.pick(['queued', 'completed', 'failed']),
      });
      return;
    case 4:
      tx.insert('usage_logs', { user_id: user(), api_key_id: key(), action: r.pick(['memo_created', 'key_used']), metadata: { n: r.int(9) }, created_at: time(r) });
      return;
    case 5:
      tx.insert('rate_limits', { api_key_id: `k${r.int(6)}`, user_id: user(), date: `2026-01-0${1 + r.int(4)}`, count: r.int(100) });
      return;
    case 6:
      tx.insert('subscriptions', { user_id: user(), stripe_subscription_id: r.chance(0.5) ? null : `sub_${r.int(20)}` });
      return;
    case 7: {
      const table = r.pick(['users', 'api_keys', 'memos'] as const);
      const id = someId(r, store, table);
      if (table === 'users') tx.update('users', id, { email: `u${r.int(40)}@example.com` });
      else if (table === 'api_keys') tx.update('api_keys', id, { is_active: r.chance(0.5), key_hash: `h${r.int(60)}`, usage_count: r.int(50) });
      else tx.update('memos', id, { api_key_id: key(), created_at: time(r), title: r.chance(0.5) ? 'Hello' : null });
      return;
    }
    default: {
      const table = r.pick(TABLES);
      tx.delete(table, someId(r, store, table));
    }
  }
}

const state = (store: AgentTalkStore) => ({ seq: store.lastChangeSeq(), rows: TABLES.map((t) => store.list(t)) });

describe('fuzz: random writes against the agent-talk store', () => {
  it.each([1, 2, 3])('keeps every invariant through 400 random transactions (seed %i)', async (seed) => {
    const r = prng(seed * 7919);
    const store = await openAgentTalk();
    let failed = 0;
    for (let step = 0; step < 400; step++) {
      const before = state(store);
      const writes = 1 + r.int(4);
      try {
        await store.transaction((tx) => {
          for (let i = 0; i < writes; i++) randomWrite(r, store, tx);
        });
        expect(store.lastChangeSeq()).toBeGreaterThan(before.seq);
      } catch (error) {
        expect((error as { name: string }).name, String(error)).toBe('StoreError');
        expect(state(store), `step ${step}: a failed transaction changed the store`).toEqual(before);
        failed++;
      }
      if (step % 100 === 99) expect(store.checkIntegrity()).toEqual([]);
    }
    expect(failed).toBeGreaterThan(20); // the fuzzer did exercise the failure paths
    expect(store.count('memos')).toBeGreaterThan(10);

    const memos = store.list('memos');
    const users = ids(store, 'users');
    for (let q = 0; q < 40; q++) {
      const where: Record<string, unknown> = {};
      if (r.chance(0.6) && users.length) where.user_id = r.pick(users);
      if (r.chance(0.3)) where.voice = r.pick(['rachel', 'adam', null]);
      if (r.chance(0.4)) where.created_at = r.chance(0.5) ? { gte: time(r) } : { lt: time(r), gt: time(r) };
      const orderBy = r.pick([undefined, 'created_at', 'duration_sec'] as const);
      // Without an order, which rows a limit keeps is unspecified (as in SQL): page only ordered queries.
      const page = orderBy && { limit: r.chance(0.5) ? 1 + r.int(20) : undefined, offset: r.chance(0.3) ? r.int(5) : undefined };
      const options = { orderBy, order: r.pick(['asc', 'desc'] as const), ...page };
      const got = store.query('memos', where as never, options);
      expect(project(got, options.orderBy)).toEqual(project(reference(memos, where, options), options.orderBy));
    }
  }, 120_000);
});
