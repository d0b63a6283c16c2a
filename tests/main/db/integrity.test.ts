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
});
