/**
 * Memo audio on disk: `<profile>/audio/<memo id>.<ext>`, served to the app at `/audio/<file>`. Files are written
 * to a temporary name, flushed, then renamed, so a crash never leaves a half-written file under a memo's name.
 */
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AUDIO_FILE_NAME } from '../../src-shared/audio-file';

export const audioDirOf = (profileDir: string) => join(profileDir, 'audio');

/** The URL the app serves a memo's audio at (the same path in Electron's app:// and in the browser host). */
export const audioUrlOf = (file: string) => `/audio/${file}`;

export function createAudioFiles(audioDir: string) {
  /** The folder, made once (made again if it went missing under the app). */
  let made: Promise<unknown> | undefined;
  const folder = () => (made ??= mkdir(audioDir, { recursive: true }).catch((error: unknown) => {
    made = undefined;
    throw error;
  }));

  return {
    dir: audioDir,

    async write(memoId: string, format: 'wav' | 'mp3', audio: Uint8Array): Promise<string> {
      await folder();
      const file = `${memoId}.${format}`;
      // Its own temporary name: two workers writing the same memo (a lease taken over) never share one.
      const temporary = join(audioDir, `.${file}.${randomUUID()}.partial`);
      const handle = await open(temporary, 'w').catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        made = undefined; // the folder was removed under the app: made again
        await folder();
        return open(temporary, 'w');
      });
      try {
        await handle.writeFile(audio);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, join(audioDir, file));
      return file;
    },

    /** The file a memo's `audio_url` names in this folder, or null when it names none (no audio yet). */
    fileOf(audioUrl: string): string | null {
      const file = audioUrl.startsWith(audioUrlOf('')) ? audioUrl.slice(audioUrlOf('').length) : '';
      return AUDIO_FILE_NAME.test(file) ? file : null;
    },

    /** Removes every audio file of a memo (either format). */
    async remove(memoId: string): Promise<void> {
      await Promise.all(['wav', 'mp3'].map((ext) => rm(join(audioDir, `${memoId}.${ext}`), { force: true })));
    },

    /** Removes files no memo owns any more, and partial files left by a crash; returns how many went. */
    async removeOrphans(hasMemo: (memoId: string) => boolean): Promise<number> {
      const files = await readdir(audioDir).catch(() => [] as string[]);
      const orphans = files.filter((f) => f.endsWith('.partial') || !hasMemo(AUDIO_FILE_NAME.exec(f)?.[1] ?? ''));
      await Promise.all(orphans.map((f) => rm(join(audioDir, f), { force: true })));
      return orphans.length;
    },
  };
}

export type AudioFiles = ReturnType<typeof createAudioFiles>;
