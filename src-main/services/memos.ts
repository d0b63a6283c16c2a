/** A user's memos: the library list (newest first, from the (user_id, created_at) index), rename, delete. */
import type { Memo } from '../../src-shared/schema';
import type { AgentTalkStore } from '../db';
import type { AudioFiles } from './audio-files';
import { ServiceError } from './errors';

export function createMemoService(store: AgentTalkStore, audio: AudioFiles) {
  function owned(userId: string, id: string): Memo {
    const memo = store.get('memos', id);
    if (!memo || memo.user_id !== userId) throw new ServiceError('NOT_FOUND', 'That memo does not exist.');
    return memo;
  }

  return {
    list(userId: string, page: { limit?: number; offset?: number } = {}) {
      return {
        memos: store.query('memos', { user_id: userId }, { orderBy: 'created_at', order: 'desc', limit: page.limit ?? 100, offset: page.offset ?? 0 }),
        total: store.count('memos', { user_id: userId }),
      };
    },
    get: owned,
    async rename(userId: string, id: string, title: string): Promise<Memo> {
      owned(userId, id);
      return store.update('memos', id, { title });
    },
    async delete(userId: string, id: string): Promise<void> {
      owned(userId, id);
      await store.delete('memos', id);
      await audio.remove(id);
    },
  };
}
