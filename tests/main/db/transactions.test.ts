import { describe, expect, it } from 'vitest';
import type { ChangeEntry } from '../../../src-main/db';
import { failure, openAgentTalk, tempDir } from './helpers';

/**
 * A clock a second further on each time it is read. A commit takes well under a millisecond, so with the real clock
 * an update may keep the insert's updated_at, and the feed would rightly not list it.
 */
function ticking(): () => Date {
  let at = Date.parse('2026-01-01T00:00:00Z');
  return () => new Date((at += 1000));
}

describe('transactions', () => {
  it('commits several writes together and returns the callback result', async () => {
    const store = await openAgentTalk();
    const { user, key } = await store.transaction((tx) => {
      const user = tx.insert('users', { email: 'ada@example.com' });
      const key = tx.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h' });
      expect(tx.get('api_keys', key.id)).toEqual(key); // reads see the transaction's own writes
      return { user, key };
    });
    expect(store.get('users', user.id)).toEqual(user);
    expect(store.get('api_keys', key.id)).toEqual(key);
  });

  it('rolls back every write of a transaction when a later one fails', async () => {
    const store = await openAgentTalk();
    const existing = await store.insert('users', { email: 'ada@example.com' });
    const seq = store.lastChangeSeq();
    const error = await failure(
      store.transaction((tx) => {
        tx.update('users', existing.id, { tier: 'pro' });
        const bob = tx.insert('users', { email: 'bob@example.com' });
        tx.insert('api_keys', { user_id: bob.id, prefix: 'at_live_', key_hash: 'h' });
        tx.insert('users', { email: 'ada@example.com' }); // duplicate: the whole transaction fails
      }),
    );
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    expect(store.list('users')).toEqual([existing]);
    expect(store.count('api_keys')).toBe(0);
    expect(store.query('users', { email: 'bob@example.com' })).toEqual([]);
    expect(store.lastChangeSeq()).toBe(seq);
  });

  it('numbers the change feed one after another across a rollback and writes of another store on the profile', async () => {
    const dir = tempDir();
    const a = await openAgentTalk(dir);
    const b = await openAgentTalk(dir);
    try {
      const first = await a.insert('users', { email: 'a@example.com' });
      await failure(
        a.transaction((tx) => {
          tx.insert('users', { email: 'gone@example.com' });
          throw new Error('rolled back');
        }),
      );
      await b.insert('users', { email: 'b@example.com' }); // a's last write is no longer the feed's end
      await a.update('users', first.id, { tier: 'pro' });
      await b.insert('users', { email: 'c@example.com' });
      const feed = a.changes(0).map(({ seq, op, values }) => [seq, op, values?.email ?? values?.tier]);
      expect(feed).toEqual([
        [1, 'insert', 'a@example.com'],
        [2, 'insert', 'b@example.com'],
        [3, 'update', 'pro'],
        [4, 'insert', 'c@example.com'],
      ]);
    } finally {
      await b.close();
    }
  });

  it('isolates concurrent transactions: one failing in the same batch does not take the others down', async () => {
    const store = await openAgentTalk();
    const results = await Promise.allSettled([
      store.insert('users', { email: 'a@example.com' }),
      store.insert('users', { email: 'a@example.com' }),
      store.transaction(() => {
        throw new Error('changed my mind');
      }),
      store.insert('users', { email: 'b@example.com' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(store.list('users', { orderBy: 'email' }).map((u) => u.email)).toEqual(['a@example.com', 'b@example.com']);
    expect(store.changes().map((c) => c.seq)).toEqual([1, 2]);
  });

  it('refuses an async callback, which could not run inside one transaction', async () => {
    const store = await openAgentTalk();
    const error = await failure(store.transaction((async () => {}) as never));
    expect(error).toBeInstanceOf(TypeError);
  });

  it('keeps what was committed across a close and reopen', async () => {
    const store = await openAgentTalk();
    const dir = store.path.replace(/\/store\.mdb$/, '');
    const user = await store.insert('users', { email: 'ada@example.com' });
    await store.close();
    const reopened = await openAgentTalk(dir);
    expect(reopened.get('users', user.id)).toEqual(user);
    expect(reopened.lastChangeSeq()).toBe(1);
  });

  it('commits the writes asked for just before a close, and refuses those asked for after it', async () => {
    const store = await openAgentTalk();
    const dir = store.path.replace(/\/store\.mdb$/, '');
    const pending = store.insert('users', { email: 'ada@example.com' });
    const closed = store.close();
    const late = await failure(store.insert('users', { email: 'late@example.com' }));
    expect(late).toMatchObject({ code: 'STORE_CLOSED' });
    const user = await pending;
    await closed;
    const reopened = await openAgentTalk(dir);
    expect(reopened.get('users', user.id)).toEqual(user);
    expect(reopened.count('users')).toBe(1);
  });
});

describe('updateRow: an update of the row the transaction has read', () => {
  async function withKey() {
    const store = await openAgentTalk(undefined, { clock: ticking() });
    const user = await store.insert('users', { email: 'ada@example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h1' });
    return { store, user, key };
  }

  it('writes what update writes: the row, its moved index entries and the changed columns in the feed', async () => {
    const { store, key } = await withKey();
    const seq = store.lastChangeSeq();
    const updated = await store.transaction((tx) => tx.updateRow('api_keys', tx.get('api_keys', key.id)!, { key_hash: 'h2', usage_count: 3 }));
    expect(updated).toEqual({ ...key, key_hash: 'h2', usage_count: 3, updated_at: expect.any(String) });
    expect(store.get('api_keys', key.id)).toEqual(updated);
    expect(store.query('api_keys', { key_hash: 'h2' })).toEqual([updated]);
    expect(store.query('api_keys', { key_hash: 'h1' })).toEqual([]);
    expect(store.changes(seq).map(({ op, values }) => [op, values])).toEqual([['update', { key_hash: 'h2', usage_count: 3, updated_at: updated.updated_at }]]);
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('checks the patch as update does, and a refused one changes nothing', async () => {
    const { store, user, key } = await withKey();
    const other = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h2' });
    const seq = store.lastChangeSeq();
    const duplicate = await failure(store.transaction((tx) => tx.updateRow('api_keys', tx.get('api_keys', other.id)!, { key_hash: 'h1' })));
    expect(duplicate).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { constraint: 'api_keys_key_hash_unique' } });
    const badType = await failure(store.transaction((tx) => tx.updateRow('api_keys', tx.get('api_keys', key.id)!, { usage_count: 'many' as never })));
    expect(badType).toMatchObject({ code: 'INVALID_TYPE', details: { column: 'usage_count' } });
    expect(await failure(store.transaction((tx) => tx.updateRow('api_keys', null as never, { usage_count: 1 })))).toMatchObject({ code: 'INVALID_TYPE' });
    expect(await failure(store.transaction((tx) => tx.updateRow('api_keys', { usage_count: 1 } as never, { usage_count: 2 })))).toMatchObject({ code: 'INVALID_TYPE' });
    expect(store.list('api_keys', { orderBy: 'key_hash' })).toEqual([key, other]);
    expect(store.lastChangeSeq()).toBe(seq);
  });

  it('reads again a row the transaction changed after reading it, so the earlier read is not written back', async () => {
    const { store, key } = await withKey();
    const updated = await store.transaction((tx) => {
      const read = tx.get('api_keys', key.id)!;
      tx.update('api_keys', key.id, { name: 'Laptop', key_hash: 'h2' });
      return tx.updateRow('api_keys', read, { usage_count: 1 });
    });
    expect(updated).toMatchObject({ name: 'Laptop', key_hash: 'h2', usage_count: 1 });
    expect(store.get('api_keys', key.id)).toEqual(updated);
    expect(store.query('api_keys', { key_hash: 'h1' })).toEqual([]);
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('does not bring back a row the transaction deleted after reading it', async () => {
    const { store, key } = await withKey();
    const error = await failure(
      store.transaction((tx) => {
        const read = tx.get('api_keys', key.id)!;
        tx.delete('api_keys', key.id);
        return tx.updateRow('api_keys', read, { usage_count: 1 });
      }),
    );
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { table: 'api_keys' } });
    expect(store.get('api_keys', key.id)).toEqual(key);
  });
});

describe('change feed', () => {
  it('numbers every committed change without gaps, including cascades, and tells listeners after commit', async () => {
    const store = await openAgentTalk(undefined, { clock: ticking() });
    const heard: ChangeEntry[][] = [];
    const stop = store.onChange((entries) => heard.push([...entries]));
    const user = await store.insert('users', { email: 'ada@example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'h' });
    await store.update('api_keys', key.id, { name: 'Laptop' });
    await failure(store.insert('users', { email: 'ada@example.com' }));
    await store.delete('users', user.id);
    stop();
    await store.insert('users', { email: 'late@example.com' });

    const feed = store.changes();
    expect(feed.map((c) => [c.seq, c.table, c.op])).toEqual([
      [1, 'users', 'insert'],
      [2, 'api_keys', 'insert'],
      [3, 'api_keys', 'update'],
      [4, 'api_keys', 'delete'],
      [5, 'users', 'delete'],
      [6, 'users', 'insert'],
    ]);
    expect(feed[2]!.values).toEqual({ name: 'Laptop', updated_at: expect.any(String) });
    expect(feed[0]!.values).toEqual(user);
    expect(heard.map((batch) => batch.map((c) => c.seq))).toEqual([[1], [2], [3], [4, 5]]);
    expect(store.changes(4, 1).map((c) => c.seq)).toEqual([5]);
  });

  it('stays readable after a restart, in order and without gaps, when a failed transaction first wrote a new shape of entry', async () => {
    const profileDir = tempDir();
    let store = await openAgentTalk(profileDir, { clock: ticking() });
    const seqs = (after = 0, limit = 1000) => store.changes(after, limit).map((c) => c.seq);
    const upTo = (n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, i) => from + i);
    const user = await store.insert('users', { email: 'ada@example.com' });
    let n = 0;
    const rename = () => ({ verification_token: `token ${n++}` });
    // Lone updates, each changing the token and updated_at.
    for (let i = 0; i < 20; i++) await store.update('users', user.id, rename());
    // A transaction that fails after updating a row twice: its second entry (the token alone, as updated_at stays) is
    // a new shape of record, whose shared structure is rolled back with it.
    await failure(
      store.transaction((tx) => {
        for (let i = 0; i < 12; i++) tx.update('users', user.id, rename());
        throw new Error('no');
      }),
    );
    await store.update('users', user.id, rename());
    // An update and an insert in one transaction.
    await store.transaction((tx) => {
      tx.update('users', user.id, rename());
      tx.insert('users', { email: 'bob@example.com' });
    });
    // Several in one group commit (one failing; the two updates share updated_at), a large transaction, lone updates.
    await store.update('users', user.id, rename());
    await Promise.all([
      store.update('users', user.id, rename()),
      failure(store.insert('users', { email: 'ada@example.com' })),
      store.update('users', user.id, rename()),
    ]);
    await store.transaction((tx) => {
      for (let i = 0; i < 30; i++) tx.update('users', user.id, rename());
    });
    for (let i = 0; i < 3; i++) await store.update('users', user.id, rename());
    expect(seqs()).toEqual(upTo(60));
    expect(store.lastChangeSeq()).toBe(60);
    expect(seqs(50, 3)).toEqual([51, 52, 53]);
    expect(seqs(20, 45)).toEqual(upTo(60, 21));
    // Each update's entry in the order they were made: the values committed, without the rolled-back ones.
    const tokens = store.changes().flatMap((c) => (c.op === 'update' ? [Number(/^token (\d+)$/.exec(c.values!.verification_token as string)![1])] : []));
    expect(tokens).toEqual([...upTo(19, 0), ...upTo(69, 32)]);

    await store.close();
    store = await openAgentTalk(profileDir, { clock: ticking() });
    await store.update('users', user.id, rename());
    expect(seqs()).toEqual(upTo(61));
  });
});
