/**
 * A memo's audio on this computer, made local on demand: the one function every path that plays, serves or exports
 * audio goes through (the app's audio responses in Electron and the browser host, the agent API, IPC's fetch and
 * export). Audio that is not here is in one of two places:
 * - another computer's memo, arrived through the synced folder: its audio is a content-addressed blob there, copied
 *   into the profile and checked against its SHA-256 (devices' `ensureAudio`);
 * - an imported memo: its audio is still on the service, fetched when online (service-audio.ts).
 * Requests for the same memo at the same time share one fetch. Audio that cannot be had now is refused with
 * AUDIO_NOT_HERE, whose `details.where` says where it is ('service', 'another-computer') and `details.reason` why
 * it is not here yet (for another computer's: 'not-arrived', 'sync-off', or 'folder-unavailable' with the folder).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Memo } from '../../src-shared/schema';
import type { AgentTalkStore } from '../db';
import type { AudioFiles } from './audio-files';
import { FolderError } from './devices/folder';
import { readMeta, readSettings } from './devices/rows';
import { ServiceError } from './errors';
import { isServiceAudioUrl } from './service-audio';

/** A memo and the name of its audio file in the profile's audio folder. */
export interface LocalAudio {
  memo: Memo;
  file: string;
}

export interface MemoAudioSources {
  /**
   * Device sync: copies a memo's blob from the synced folder into the profile; false while it is not there, a
   * FolderError when the folder itself cannot be read.
   */
  devices: { ensureAudio(memoId: string): Promise<boolean> };
  /** Fetches an imported memo's audio from the service into the profile; answers the memo naming its file. */
  service: { fetch(memo: Memo): Promise<Memo> };
}

const notFound = () => new ServiceError('NOT_FOUND', 'That memo does not exist.');

export function createMemoAudio(store: AgentTalkStore, audio: AudioFiles, sources: MemoAudioSources) {
  /** A memo's fetch under way, so that requests at the same time fetch it once. */
  const pending = new Map<string, Promise<LocalAudio>>();

  async function isHere(file: string): Promise<boolean> {
    return stat(join(audio.dir, file)).then(
      (stats) => stats.isFile(),
      () => false,
    );
  }

  async function fromDevices(memo: Memo, ext: string): Promise<LocalAudio> {
    const file = `${memo.id}.${ext}`;
    const folder = readSettings(store)?.folder ?? null;
    let arrived: boolean;
    try {
      arrived = await sources.devices.ensureAudio(memo.id);
    } catch (error) {
      if (!(error instanceof FolderError) || !folder) throw error;
      throw new ServiceError(
        'AUDIO_NOT_HERE',
        `This memo’s audio is on another computer, and the sync folder is not available at ${folder} (${error.problem === 'unavailable' ? 'unplugged, unmounted or removed' : 'it cannot be read'}). It plays once the folder is back.`,
        { where: 'another-computer', reason: 'folder-unavailable', folder, problem: error.problem },
      );
    }
    if (arrived && (await isHere(file))) return { memo: store.get('memos', memo.id) ?? memo, file };
    const syncOff = !folder;
    throw new ServiceError(
      'AUDIO_NOT_HERE',
      syncOff
        ? 'This memo’s audio is on another computer, and sync between computers is off here: turn it on (Settings) to bring it.'
        : 'This memo’s audio is on another computer; its file has not arrived yet. It plays once your sync folder has it.',
      { where: 'another-computer', reason: syncOff ? 'sync-off' : 'not-arrived' },
    );
  }

  async function bring(memo: Memo): Promise<LocalAudio> {
    const current = audio.fileOf(memo.audio_url);
    if (current && (await isHere(current))) return { memo, file: current };
    const blob = readMeta(store, 'memos', memo.id)?.audio;
    if (blob) return fromDevices(memo, blob.ext);
    if (isServiceAudioUrl(memo.audio_url)) {
      const fetched = await sources.service.fetch(memo);
      return { memo: fetched, file: audio.fileOf(fetched.audio_url)! };
    }
    throw new ServiceError('NOT_FOUND', 'This memo’s audio file is missing from this computer.', { reason: 'missing' });
  }

  return {
    /**
     * The memo's audio on this computer: at once when it is here, else after bringing it (once, however many ask).
     * With `userId`, only that user's memo. NOT_FOUND (no such memo, or its file gone), CONFLICT (no audio yet),
     * AUDIO_NOT_HERE (on the service or on another computer, and not to be had now), or the source's own refusal.
     */
    async ensure(memoId: string, userId?: string): Promise<LocalAudio> {
      const memo = store.get('memos', memoId);
      if (!memo || (userId !== undefined && memo.user_id !== userId)) throw notFound();
      if (memo.status !== 'completed') throw new ServiceError('CONFLICT', 'This memo has no audio yet.');
      let fetching = pending.get(memoId);
      if (!fetching) {
        fetching = bring(memo).finally(() => pending.delete(memoId));
        pending.set(memoId, fetching);
      }
      return fetching;
    },
  };
}

export type MemoAudio = ReturnType<typeof createMemoAudio>;
