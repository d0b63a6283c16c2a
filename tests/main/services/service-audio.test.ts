/**
 * Imported memos whose audio is still on the service (issue #9, item 6): the first play fetches it (an http URL on
 * the loopback contract server standing in for the service's https one, or a data: URL), stores it as any memo's
 * audio and the memo then names the local file; with the service out of reach the answer is a typed
 * AUDIO_NOT_HERE saying to connect, and nothing changes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { audioDirOf } from '../../../src-main/services/audio-files';
import { start, type CloudServer } from '../../cloud/server';
import { failure } from '../db/helpers';
import { servicesAt } from './helpers';

let server: CloudServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The service makes a memo (as it did before the export the user imported); answers its audio URL and bytes. */
async function serviceMemo(url: 'http' | 'data') {
  server ??= await start({ audio: { format: 'wav' } });
  server.configure({ url });
  const answer = await fetch(`${server.url}/api/v1/memo`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.keys.hobby}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'Grüße aus dem Archiv.', voice: 'rachel' }),
  });
  const body = (await answer.json()) as { audio: { url: string } };
  return { url: body.audio.url, served: server.memos.at(-1)! };
}

/** A fresh profile (no cloud URL set) holding one imported memo: completed, its audio on the service, no length recorded. */
async function importedMemo(audioUrl: string) {
  const s = await servicesAt();
  const memo = await s.store.insert('memos', { user_id: s.user.id, audio_url: audioUrl, duration_sec: 0, text: 'Grüße aus dem Archiv.', title: 'Archiv', status: 'completed' });
  return { s, memo };
}

describe('an imported memo whose audio is on the service', () => {
  for (const kind of ['http', 'data'] as const) {
    it(`fetches its audio (${kind} URL) on first play, stores it under the memo and names the local file`, async () => {
      const { url, served } = await serviceMemo(kind);
      expect(url.startsWith(kind === 'data' ? 'data:audio/' : 'http://127.0.0.1:')).toBe(true);
      const { s, memo } = await importedMemo(url);

      const { memo: fetched } = await s.memoAudio.ensure(memo.id, s.user.id);
      expect(fetched.audio_url).toBe(`/audio/${memo.id}.wav`);
      expect(fetched.duration_sec).toBeCloseTo(served.durationSec, 2);
      expect(new Uint8Array(readFileSync(join(audioDirOf(s.profileDir), `${memo.id}.wav`)))).toEqual(served.bytes);
      expect(s.store.get('memos', memo.id)).toMatchObject({ audio_url: `/audio/${memo.id}.wav`, status: 'completed' });

      // Played again: already here, nothing fetched.
      const requests = server!.requests.length;
      expect((await s.memoAudio.ensure(memo.id, s.user.id)).memo.audio_url).toBe(fetched.audio_url);
      expect(server!.requests.length).toBe(requests);
    });
  }

  it('says the audio is on the service and to connect when the service cannot be reached, changing nothing', async () => {
    const { url } = await serviceMemo('http');
    const { s, memo } = await importedMemo(url);
    await server!.goOffline();

    const refused = await failure(s.memoAudio.ensure(memo.id, s.user.id));
    expect(refused).toMatchObject({ code: 'AUDIO_NOT_HERE', message: expect.stringMatching(/on the service; connect/), details: { where: 'service', reason: 'offline' } });
    expect(s.store.get('memos', memo.id)).toMatchObject({ audio_url: url, duration_sec: 0 });
    expect(existsSync(audioDirOf(s.profileDir)) ? readdirSync(audioDirOf(s.profileDir)) : []).toEqual([]);

    await server!.comeBack();
    expect((await s.memoAudio.ensure(memo.id, s.user.id)).memo.audio_url).toBe(`/audio/${memo.id}.wav`);
  });

  it('refuses audio that is not audio, and an address that is neither https nor on this computer, changing nothing', async () => {
    const notAudio = await importedMemo(`data:audio/mpeg;base64,${Buffer.from('<html>not audio</html>').toString('base64')}`);
    expect(await failure(notAudio.s.memoAudio.ensure(notAudio.memo.id, notAudio.s.user.id))).toMatchObject({ code: 'TTS_FAILED' });
    expect(notAudio.s.store.get('memos', notAudio.memo.id)!.audio_url).toMatch(/^data:/);

    const plainHttp = await importedMemo('http://example.com/audio/a.mp3');
    expect(await failure(plainHttp.s.memoAudio.ensure(plainHttp.memo.id, plainHttp.s.user.id))).toMatchObject({ code: 'UNSUPPORTED' });
    expect(plainHttp.s.store.get('memos', plainHttp.memo.id)!.audio_url).toBe('http://example.com/audio/a.mp3');
  });
});
