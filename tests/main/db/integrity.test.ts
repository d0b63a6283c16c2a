import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { openAgentTalk, tempDir } from './helpers';

describe('integrity check', () => {
  it('finds nothing in a healthy store, and names what was broken behind its back', async () => {
    const profile = tempDir();
    const store = await openAgentTalk(profile);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const memo = await store.insert('memos', { user_id: user.id, audio_url: 'a', duration_sec: 1 });
    expect(store.checkIntegrity()).toEqual([]);
    await store.close();

    // Damage the files with raw lmdb-js: one index entry dropped, one row pointing nowhere.
    const raw = open({ path: store.path, maxDbs: 512 });
    const index = raw.openDB('index:memos.idx_memos_voice', { encoding: 'binary' });
    await index.remove([null, memo.id] as never);
    const memos = raw.openDB('table:memos', { sharedStructuresKey: Symbol.for('structures'), cache: false });
    await memos.put(memo.id, { ...memo, user_id: 'gone' });
    await raw.close();

    const reopened = await openAgentTalk(profile);
    expect(reopened.checkIntegrity()).toEqual(
      expect.arrayContaining([
        `memos ${memo.id}: user_id points at a missing users row`,
        `memos ${memo.id}: missing from index idx_memos_voice`,
        `memos: index idx_memos_user_id has an entry for no row (${memo.id})`,
      ]),
    );
  });

  it('names a unique index lookup out of step with the rows, and rebuilding the indexes repairs it', async () => {
    const profile = tempDir();
    const store = await openAgentTalk(profile);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: 'hash-1' });
    await store.close();

    // Behind the store's back: the key's lookup entry dropped, and one left for a hash no key has.
    const raw = open({ path: store.path, maxDbs: 512 });
    const lookup = raw.openDB('lookup:api_keys.api_keys_key_hash_unique', { cache: false });
    await lookup.remove(['hash-1'] as never);
    await lookup.put(['hash-9'] as never, key.id);
    await raw.close();

    const reopened = await openAgentTalk(profile);
    expect(reopened.checkIntegrity()).toEqual([
      `api_keys ${key.id}: missing from the lookup of index api_keys_key_hash_unique`,
      `api_keys: the lookup of index api_keys_key_hash_unique has an entry for no row (${key.id})`,
    ]);
    expect(reopened.query('api_keys', { key_hash: 'hash-1' })).toEqual([]);
    expect(await reopened.rebuildIndexes()).toMatchObject({ problems: [] });
    expect(reopened.query('api_keys', { key_hash: 'hash-1' }).map((k) => k.id)).toEqual([key.id]);
    expect(reopened.query('api_keys', { key_hash: 'hash-9' })).toEqual([]);
  });

  it('names an index entry holding another version of its row, and rebuilding the indexes repairs it', async () => {
    const profile = tempDir();
    const store = await openAgentTalk(profile);
    const user = await store.insert('users', { email: 'ada@example.com' });
    const memo = await store.insert('memos', { user_id: user.id, audio_url: 'a', duration_sec: 1, title: 'Current' });
    await store.close();

    // Behind the store's back: the memo's entry in the index that holds the memos keeps an old title.
    const raw = open({ path: store.path, maxDbs: 512 });
    const memos = raw.openDB('table:memos', { sharedStructuresKey: Symbol.for('structures'), cache: false });
    const encoder = (memos as unknown as { encoder: unknown }).encoder;
    const index = raw.openDB({ name: 'index:memos.idx_memos_user_created', encoder, cache: false } as never);
    await index.put([user.id, memo.created_at, memo.id] as never, { ...memo, title: 'Old' });
    await raw.close();

    const reopened = await openAgentTalk(profile);
    const newest = () => reopened.query('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc' });
    expect(newest()).toMatchObject([{ id: memo.id, title: 'Old' }]);
    expect(reopened.checkIntegrity()).toEqual([`memos ${memo.id}: index idx_memos_user_created holds another version of the row`]);
    expect(await reopened.rebuildIndexes()).toMatchObject({ problems: [] });
    expect(newest()).toEqual([memo]);
  });

  it('repairs an index whose damaged key sits out of order, which no removal by key can find', async () => {
    const profile = tempDir();
    const at = new Date('2026-01-01T00:00:00Z');
    const store = await openAgentTalk(profile, { clock: () => at });
    const user = await store.insert('users', { email: 'ada@example.com' });
    const ids = Array.from({ length: 50 }, (_, i) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
    await store.transaction((tx) => {
      for (const id of ids) tx.insert('memos', { id, user_id: user.id, audio_url: 'a', duration_sec: 1 });
    });
    await store.close();

    // A flipped bit in the 10th memo's id where an index key ends in its created_at ("…Z", a 0 byte, the id):
    // "00000009-…" becomes "10000009-…", sorting after every later entry while it sits among them.
    const bytes = readFileSync(store.path);
    for (let at = bytes.indexOf(`Z\0${ids[9]}`, 0, 'latin1'); at >= 0; at = bytes.indexOf(`Z\0${ids[9]}`, at + 1, 'latin1')) bytes[at + 2]! ^= 0x01;
    writeFileSync(store.path, bytes);

    const reopened = await openAgentTalk(profile);
    expect(reopened.checkIntegrity()).toContain(`memos ${ids[9]}: missing from index idx_memos_user_created`);
    expect(await reopened.rebuildIndexes()).toMatchObject({ problems: [] });
    const newest = reopened.query('memos', { user_id: user.id }, { orderBy: 'created_at', order: 'desc' });
    expect(newest.map((memo) => memo.id).sort()).toEqual(ids);
  });
});
