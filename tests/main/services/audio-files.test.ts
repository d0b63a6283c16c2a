/** Memo audio on disk: the folder is made once, and made again when it was removed under the running app. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAudioFiles } from '../../../src-main/services/audio-files';
import { tempDir } from '../db/helpers';

describe('audio files', () => {
  it('writes a memo’s audio under its id, also after its folder was removed under the app', async () => {
    const dir = join(tempDir(), 'audio');
    const audio = createAudioFiles(dir);
    expect(await audio.write('first', 'wav', new Uint8Array([1, 2, 3]))).toBe('first.wav');
    rmSync(dir, { recursive: true, force: true });
    expect(await audio.write('second', 'mp3', new Uint8Array([4, 5]))).toBe('second.mp3');
    expect([...readFileSync(join(dir, 'second.mp3'))]).toEqual([4, 5]);
    expect(existsSync(join(dir, 'first.wav'))).toBe(false);
  });
});
