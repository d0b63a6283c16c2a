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

/** How long an agent waits before asking again for a memo that waits for the cloud (seconds). */
const CLOUD_WAIT_RETRY_AFTER_S = '60';

export async function speak(deps: SpeakDeps, key: ApiKey, text: string, voiceId: string): Promise<{ memo: Memo; choice: VoiceChoice }> {
  const { services, completions, line, timeoutMs } = deps;
  const choice = await chooseVoice(services, key.user_id, voiceId, deps.nearestOffline());
  const leave = line.enter(key.user_id, TIER_LIMITS[services.accounts.tier(key.user_id)].concurrent);
  try {
    // A cloud voice goes to the service with the account's cloud key; the call is the agent's, counted on its key.
    const queued = await services.generation.generate(key.user_id, { text, voice: choice.voice.id, keyId: choice.cloudKeyId ?? key.id, countOn: key.id });
    const outcome = await completions.wait(queued.id, timeoutMs);
    const memoUrl = `/api/v1/memo/${queued.id}`;
    if (!outcome.memo && outcome.why === 'timeout') {
      throw new ApiFailure(504, 'GENERATION_TIMEOUT', `The audio is taking longer than ${Math.round(timeoutMs / 1000)} s; the memo goes on and GET ${memoUrl} fetches it.`, { memoId: queued.id, url: memoUrl }, { 'x-should-retry': 'false' });
    }
    if (!outcome.memo) throw new ApiFailure(404, 'MEMO_NOT_FOUND', 'The memo was deleted in the app before its audio was made.', { memoId: queued.id });
    if (outcome.why === 'waiting-for-cloud') {
      // Sending it again would make a second memo: this one is made when the service answers.
      throw new ApiFailure(503, 'SERVICE_UNAVAILABLE', `The Agent Talk cloud stopped answering as the memo was sent; it waits and is made when the cloud answers again, and GET ${memoUrl} fetches it then.`, { memoId: queued.id, url: memoUrl }, { 'Retry-After': CLOUD_WAIT_RETRY_AFTER_S, 'x-should-retry': 'false' });
    }
    if (outcome.memo.status !== 'completed') throw failedMemo(outcome.memo);
    return { memo: outcome.memo, choice };
  } finally {
    leave();
  }
}

/** A memo that ended without audio, as the caller should read it: the cloud's refusals are the service's, not the caller's key's. */
function failedMemo(memo: Memo): ApiFailure {
  const details = { memoId: memo.id, status: memo.status, ...(memo.error_code && { reason: memo.error_code }) };
  if (memo.status === 'cancelled') return new ApiFailure(500, 'TTS_SERVICE_ERROR', 'The memo was cancelled in the app.', details);
  const why = `The memo could not be spoken: ${memo.error ?? 'the engine failed'}`;
  if (memo.error_code === 'CLOUD_UNAVAILABLE') return new ApiFailure(503, 'SERVICE_UNAVAILABLE', why, details, { 'Retry-After': CLOUD_WAIT_RETRY_AFTER_S });
  return new ApiFailure(500, 'TTS_SERVICE_ERROR', why, details);
}
