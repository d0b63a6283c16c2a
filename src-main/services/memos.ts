/** A user's memos: the library list, rename, delete, and export of the audio to a file the user picked. */
import { copyFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { MemoFilter } from '../../src-shared/contract';
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
    /**
     * Newest first, from the (user_id, created_at) index. Voice, status and dates narrow the query itself; the
     * search (every word in the title or the text, any case) reads the narrowed rows once.
     */
    list(userId: string, { limit = 100, offset = 0, search, voice, status, from, to }: MemoFilter & { limit?: number; offset?: number } = {}) {
      const where = {
        user_id: userId,
        ...(voice !== undefined && { voice }),
        ...(status !== undefined && { status }),
        ...((from !== undefined || to !== undefined) && { created_at: { ...(from !== undefined && { gte: from }), ...(to !== undefined && { lt: to }) } }),
      };
      const order = { orderBy: 'created_at', order: 'desc' } as const;
      const words = (search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      if (words.length === 0) return { memos: store.query('memos', where, { ...order, limit, offset }), total: store.count('memos', where) };
      const found = store.query('memos', where, order).filter((memo) => {
        const haystack = `${memo.title ?? ''}\n${memo.text}`.toLowerCase();
        return words.every((word) => haystack.includes(word));
      });
      return { memos: found.slice(offset, offset + limit), total: found.length };
    },
    get: owned,
    async rename(userId: string, id: string, title: string): Promise<Memo> {
      owned(userId, id);
      return store.update('memos', id, { title });
    },
    /**
     * Copies a completed memo's audio where the user picks (`saveFile` asks, with a suggested name: the title made
     * safe for any file system, and the audio's extension); answers the path, or null when they cancel.
     */
    async export(userId: string, id: string, saveFile: (suggestedName: string) => Promise<string | null>): Promise<string | null> {
      const memo = owned(userId, id);
      const file = audio.fileOf(memo.audio_url);
      const base = (memo.title ?? 'memo').replace(/[\\/:*?"<>|\p{Cc}\s]+/gu, ' ').trim().slice(0, 100) || 'memo';
      const path = await saveFile(`${base}${file ? extname(file) : '.wav'}`);
      if (path === null) return null;
      if (memo.status !== 'completed' || !file) throw new ServiceError('CONFLICT', 'This memo has no audio yet.');
      await copyFile(join(audio.dir, file), path);
      return path;
    },
    async delete(userId: string, id: string): Promise<void> {
      owned(userId, id);
      await store.delete('memos', id);
      await audio.remove(id);
    },
  };
}
