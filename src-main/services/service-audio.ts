/**
 * Audio still on the service (an imported memo keeps the service's `audio_url`: an https URL or a `data:` URL),
 * brought to this computer on its first play: downloaded and checked as a new cloud memo's audio is, written with
 * the audio files' atomic write, and the memo then names the local file (so it plays, seeks and exports as any).
 * One of memo-audio.ts's sources: every path that plays audio asks there, which also fetches once for many asking.
 */
import { AUDIO_FILE_NAME } from '../../src-shared/audio-file';
import { cloudUrlProblem } from '../../src-shared/cloud-url';
import type { Memo } from '../../src-shared/schema';
import type { AgentTalkStore } from '../db';
import type { AudioFiles } from './audio-files';
import { audioUrlOf } from './audio-files';
import type { CloudClient } from './cloud/client';
import { ServiceError } from './errors';
import { fetchServiceAudio } from './tts/engines/cloud';

/** One try within 30 s: the user is waiting on Play; "connect to play" is the answer when the service is out of reach. */
const POLICY = { attempts: 1, maxWaitMs: 0, timeoutMs: 30_000, maxBytes: 100 * 1024 * 1024 };

/** Whether a memo's `audio_url` names audio still on the service (as an imported memo's does). */
export const isServiceAudioUrl = (url: string) => /^(https?|data):/i.test(url);

export function createServiceAudio(store: AgentTalkStore, audio: AudioFiles, client: CloudClient) {
  return {
    /** Fetches the memo's audio from the service and stores it; answers the memo naming the local file. */
    async fetch(memo: Memo): Promise<Memo> {
      const url = memo.audio_url;
      if (!AUDIO_FILE_NAME.test(`${memo.id}.wav`)) throw new ServiceError('UNSUPPORTED', 'This memo’s id cannot name an audio file on this computer.', { reason: 'bad-memo-id' });
      if (!/^data:/i.test(url) && cloudUrlProblem(url)) {
        throw new ServiceError('UNSUPPORTED', 'This memo’s audio is at an address the app does not fetch (only https, or http on this computer).', { reason: 'bad-audio-url' });
      }
      const { audio: bytes, format, durationSec } = await fetchServiceAudio(client, url, POLICY, memo.duration_sec > 0 ? memo.duration_sec : null).catch((error: unknown) => {
        const offline = error instanceof ServiceError && error.code === 'CLOUD_UNAVAILABLE' && ['unreachable', 'timeout'].includes(String(error.details.reason));
        throw offline ? new ServiceError('AUDIO_NOT_HERE', 'This memo’s audio is on the service; connect to the internet to play it.', { where: 'service', reason: 'offline' }) : error;
      });
      const file = await audio.write(memo.id, format, bytes);
      return store.update('memos', memo.id, { audio_url: audioUrlOf(file), duration_sec: durationSec });
    },
  };
}
