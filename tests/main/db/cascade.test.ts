import { describe, expect, it } from 'vitest';
import { index, type TableDef } from '../../../src-shared/schema';
import { failure, openAgentTalk, openTempStore } from './helpers';

async function account() {
  const store = await openAgentTalk();
  const user = await store.insert('users', { email: 'ada@example.com' });
  const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h1' });
  const memos = await store.transaction((tx) =>
    [1, 2, 3].map((i) => tx.insert('memos', { user_id: user.id, api_key_id: key.id, audio_url: `a${i}`, duration_sec: i })),
  );
  const log = await store.insert('usage_logs', { user_id: user.id, api_key_id: key.id, action: 'memo_created' });
  await store.insert('rate_limits', { api_key_id: key.id, user_id: user.id, date: '2026-03-01' });
  await store.insert('subscriptions', { user_id: user.id, stripe_customer_id: 'cus_1' });
  return { store, user, key, memos, log };
}

describe('ON DELETE', () => {
  it('SET NULL: deleting a key keeps its memos and logs, with the reference cleared', async () => {
    const { store, key, memos, log } = await account();
    expect(await store.delete('api_keys', key.id)).toEqual({ deleted: 1, nulled: 4 });
    expect(memos.map((m) => store.get('memos', m.id)!.api_key_id)).toEqual([null, null, null]);
    expect(store.get('usage_logs', log.id)!.api_key_id).toBeNull();
    expect(store.query('memos', { api_key_id: key.id })).toEqual([]);
  });

  it('CASCADE, two levels deep: user → api key → (memos, usage logs), and every table that hangs off the user', async () => {
    const { store, user, memos } = await account();
    const other = await store.insert('users', { email: 'bob@example.com' });
    const kept = await store.insert('memos', { user_id: other.id, audio_url: 'b', duration_sec: 1 });
    // A job of another user on one of the user's memos goes with the memo (found by the unique memo_id's lookup);
    // that user's job on a memo of their own stays.
    await store.insert('jobs', { user_id: other.id, memo_id: memos[0]!.id });
    const keptJob = await store.insert('jobs', { user_id: other.id, memo_id: kept.id });
    const result = await store.delete('users', user.id);
    expect(result).toEqual({ deleted: 1 + 1 + 3 + 1 + 1 + 1 + 1, nulled: 0 }); // memos go with the user, not nulled by its key first
    expect(store.list('jobs')).toEqual([keptJob]);
    expect(store.checkIntegrity()).toEqual([]);
    for (const table of ['api_keys', 'memos', 'usage_logs', 'rate_limits', 'subscriptions'] as const) {
      expect(store.count(table, { user_id: user.id })).toBe(0);
    }
    expect(store.count('memos')).toBe(1);
    expect(store.query('memos', { user_id: other.id })).toHaveLength(1);
  });

  it('cascades through three levels of a schema given as data, and RESTRICT refuses with nothing changed', async () => {
    const def = (name: string, parent?: string, onDelete: 'cascade' | 'restrict' = 'cascade'): TableDef => ({
      name,
      primaryKey: 'id',
      columns: { id: { type: 'text', notNull: true, generate: 'uuid' }, ...(parent && { parent_id: { type: 'text', notNull: true } }) },
      ...(parent && {
        foreignKeys: [{ column: 'parent_id', references: parent, onDelete }],
        indexes: [index(`${name}_parent`, 'parent_id')],
      }),
    });
    const store = await openTempStore([def('a'), def('b', 'a'), def('c', 'b'), def('d', 'a', 'restrict')]);
    const a = await store.insert('a', {});
    const b = await store.insert('b', { parent_id: a.id });
    await store.insert('c', { parent_id: b.id });
    await store.insert('c', { parent_id: b.id });
    const guard = await store.insert('d', { parent_id: a.id });
    const seq = store.lastChangeSeq();
    expect(await failure(store.delete('a', a.id as string))).toMatchObject({
      code: 'FOREIGN_KEY_VIOLATION',
      details: { table: 'a', column: 'parent_id', constraint: 'd.parent_id' },
    });
    expect([store.count('a'), store.count('b'), store.count('c'), store.lastChangeSeq()]).toEqual([1, 1, 2, seq]);
    await store.delete('d', guard.id as string);
    expect(await store.delete('a', a.id as string)).toEqual({ deleted: 4, nulled: 0 });
    expect([store.count('a'), store.count('b'), store.count('c')]).toEqual([0, 0, 0]);
  });
});
