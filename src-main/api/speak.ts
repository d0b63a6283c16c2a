/**
 * One agent memo, from an authenticated key to its audio: the voice chosen, a place in the user's line, the
 * Studio's own generate (the same exact count, the same queue, the same Library), then the wait for its audio, up
 * to a bound: past it the caller gets 504 with the memo's id, and the memo still completes.
 */
import type { ApiKey, Memo } from '../../src-shared/schema';
import { TIER_LIMITS } from '../../src-shared/tiers';
import type { Services } from '../services';
import type { Completions } from './completion';
import { ApiFailure } from './failure';
import type { Line } from './line';
import { chooseVoice, type VoiceChoice } from './voices';

export interface SpeakDeps {
  services: Services;
  completions: Completions;
  line: Line;
  /** How long a request waits for its memo's audio before answering 504. */
  timeoutMs: number;
  /** Whether a cloud voice may be spoken offline while the cloud can't be used (a setting). */
  nearestOffline: () => boolean;
}

export async function speak(deps: SpeakDeps, key: ApiKey, text: string, voiceId: string): Promise<{ memo: Memo; choice: VoiceChoice }> {
  const { services, completions, line, timeoutMs } = deps;
  const choice = await chooseVoice(services, voiceId, deps.nearestOffline());
  const leave = line.enter(key.user_id, TIER_LIMITS[services.accounts.tier(key.user_id)].concurrent);
  try {
    const queued = await services.generation.generate(key.user_id, { text, voice: choice.voice.id, keyId: key.id });
    const outcome = await completions.wait(queued.id, timeoutMs);
    const memoUrl = `/api/v1/memo/${queued.id}`;
    if (!outcome.memo && outcome.why === 'timeout') {
      throw new ApiFailure(504, 'GENERATION_TIMEOUT', `The audio is taking longer than ${Math.round(timeoutMs / 1000)} s; the memo goes on and GET ${memoUrl} fetches it.`, { memoId: queued.id, url: memoUrl }, { 'x-should-retry': 'false' });
    }
    if (!outcome.memo) throw new ApiFailure(404, 'MEMO_NOT_FOUND', 'The memo was deleted in the app before its audio was made.', { memoId: queued.id });
    if (outcome.memo.status !== 'completed') {
      const why = outcome.memo.status === 'cancelled' ? 'The memo was cancelled in the app.' : `The memo could not be spoken: ${outcome.memo.error ?? 'the engine failed'}.`;
      throw new ApiFailure(500, 'TTS_SERVICE_ERROR', why, { memoId: queued.id, status: outcome.memo.status });
    }
    return { memo: outcome.memo, choice };
  } finally {
    leave();
  }
}
