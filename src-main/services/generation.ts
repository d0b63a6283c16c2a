/**
 * Memo generation: a request is checked (key, characters, the day's quota: one call counted when accepted, as
 * the service counts) and answered at once with a queued memo; a job in the durable queue synthesizes it, stores
 * the audio and completes the memo, or marks it failed with the reason.
 *
 * Cloud memos: the service's answer is kept with the job as soon as it arrives, so a retry fetches the audio again
 * and never asks the service twice. While the service cannot be reached the job waits (no retry spent) and starts
 * when the health probe finds it back. A request whose answer was lost after it was sent may have been made and
 * counted: the memo fails with CLOUD_ANSWER_LOST and is not sent again unless the user retries it.
 */
import { failsAgainOnRetry, retryCannotHelp } from '../../src-shared/memo-failure';
import { defaultTitle } from '../../src-shared/memo-title';
import { englishCoverage, ENGLISH } from '../../src-shared/speakable';
import type { Memo } from '../../src-shared/schema';
import { TIER_LIMITS, type Tier } from '../../src-shared/tiers';
import type { AgentTalkStore } from '../db';
import type { AudioFiles } from './audio-files';
import { audioUrlOf } from './audio-files';
import type { CloudHealthMonitor } from './cloud-health';
import { ServiceError } from './errors';
import { createJobQueue } from './jobs/queue';
import { holdsSecret, type createKeyService } from './keys';
import type { createRateLimitService } from './rate-limits';
import { utcDate, type Clock } from './time';
import type { ServiceAnswer, Synthesis } from './tts/engine';
import type { TtsRegistry } from './tts/registry';
import { isSilentWav } from './tts/wav';
import { recordUsage } from './usage';

export interface GenerateRequest {
  text: string;
  voice: string;
  title?: string;
  /** The key the memo is billed to (for a cloud voice, the cloud key it is sent with); by default the newest active key. */
  keyId?: string;
  /**
   * The key whose call this is, when it is not `keyId`: an agent's key made here, asking for a cloud voice that
   * goes to the service with the account's cloud key. Its limits apply and the call is counted on it (once: the
   * cloud key is not counted too); by default `keyId`.
   */
  countOn?: string;
}

export interface GenerationDeps {
  store: AgentTalkStore;
  clock: Clock;
  tts: TtsRegistry;
  audio: AudioFiles;
  keys: ReturnType<typeof createKeyService>;
  rateLimits: ReturnType<typeof createRateLimitService>;
  /** The profile's user, whose tier sets how many jobs run at once. */
  tier: () => Tier;
  /** The cloud service's URL: a cloud voice is refused at once while none is set. */
  cloudUrl: () => string | null;
  /** Tells when the cloud answers again (memos waiting for it then start), and is asked while some wait. */
  cloudHealth?: CloudHealthMonitor;
  /** How often the cloud is probed while memos wait for it (default 15 s). */
  cloudPollMs?: number;
  /** Passed to the job queue (tests shorten them). */
  leaseMs?: number;
  backoffMs?: number;
}

/**
 * Failures the queue does not try again by itself: those no try can change (memo-failure.ts), the service's limits
 * (a Retry by the user once the count resets may succeed), a cloud request whose answer was lost (it may have been
 * made and counted: only the user decides), and a cloud answer that fetching again cannot mend (silence, no audio).
 * Anything else (the cloud down, a crash of the engine) is retried with backoff.
 */
const isPermanent = (error: unknown) =>
  error instanceof ServiceError &&
  (retryCannotHelp(error.code) ||
    ['DAILY_LIMIT_EXCEEDED', 'MONTHLY_LIMIT_EXCEEDED', 'CLOUD_ANSWER_LOST'].includes(error.code) ||
    (error.code === 'TTS_FAILED' && BAD_ANSWERS.has(String(error.details.reason))));

/** Answers of the cloud that fetching them again cannot mend (silence, no audio): only the user asks for a new one. */
const BAD_ANSWERS = new Set(['silent', 'bad-response', 'bad-audio', 'bad-audio-url']);

/** The cloud could not be reached at all (nothing was sent): wait for it rather than spend a retry. */
const waitFor = (error: unknown) => (error instanceof ServiceError && error.code === 'CLOUD_UNAVAILABLE' && error.details.reason === 'unreachable' ? 'cloud' : null);

/** Audio without a sound in it: none at all, or a WAV of silence (an MP3 is judged by its length only). */
function isSilent({ audio, format, durationSec }: Synthesis): boolean {
  return audio.length === 0 || durationSec <= 0 || (format === 'wav' && isSilentWav(audio));
}

/** How far a memo's job has come, 0 to 1 (JobProgress in the contract). */
export type ProgressListener = (memoId: string, progress: number) => void;

export function createGeneration({ store, clock, tts, audio, keys, rateLimits, tier, cloudUrl, cloudHealth, cloudPollMs = 15_000, leaseMs, backoffMs }: GenerationDeps) {
  const progressListeners = new Set<ProgressListener>();
  const tell = (memoId: string, progress: number) => {
    for (const listener of progressListeners) listener(memoId, progress);
  };

  const queue = createJobQueue({
    store,
    clock,
    concurrency: () => TIER_LIMITS[tier()].concurrent,
    isPermanent,
    waitFor,
    ...(leaseMs !== undefined && { leaseMs }),
    ...(backoffMs !== undefined && { backoffMs }),
    handlers: {
      async run(job, { signal }) {
        // Started only while the job is still this worker's: a cancel that came in as it was claimed wins.
        const memo = await store.transaction((tx) => {
          const current = tx.get('jobs', job.id);
          const row = tx.get('memos', job.memo_id);
          if (!row || current?.status !== 'processing' || current.worker_id !== job.worker_id) return undefined;
          return tx.update('memos', row.id, { status: 'processing', error: null });
        });
        if (!memo) return;
        tell(memo.id, 0);
        const { engine } = tts.resolve(memo.voice ?? '');
        const result = await engine.synthesize(memo.text, memo.voice!, {
          signal,
          keyId: memo.api_key_id,
          kept: job.service_answer as ServiceAnswer | null,
          // Kept with the job at once, while it is still this worker's: a retry then only fetches the audio.
          onAnswer: (answer) =>
            store.transaction((tx) => {
              const current = tx.get('jobs', job.id);
              if (current?.status === 'processing' && current.worker_id === job.worker_id) tx.update('jobs', job.id, { service_answer: answer });
            }),
          onProgress: (p) => tell(memo.id, p),
        });
        if (isSilent(result)) {
          throw new ServiceError('SILENT_AUDIO', 'The voice could not say any of this text: its audio was silent, so the memo was not made and not counted.');
        }
        const file = await audio.write(memo.id, result.format, result.audio);
        // Committed with the job's completion (see CommitStep): a crash leaves both undone, and a job taken over by
        // another worker meanwhile is not completed twice.
        return (tx) => {
          if (!tx.get('memos', memo.id)) return; // deleted meanwhile; its file goes with the next clean-up
          tx.update('memos', memo.id, { status: 'completed', audio_url: audioUrlOf(file), duration_sec: result.durationSec, error: null });
          recordUsage(tx, { userId: memo.user_id, apiKeyId: memo.api_key_id, action: 'memo_created', metadata: { memoId: memo.id, voice: memo.voice, characters: memo.character_count, durationSec: result.durationSec } });
        };
      },
      settle(tx, job, outcome, failure) {
        const memo = tx.get('memos', job.memo_id);
        if (!memo) return;
        if (outcome === 'waiting') {
          cloudHealth?.forget(); // what it knew is stale: the next probe asks again
          tx.update('memos', memo.id, { status: 'queued', error: 'Waiting for the Agent Talk cloud to answer again; this memo starts when it does.', error_code: null });
          return;
        }
        const error = failure?.message ?? null;
        tx.update('memos', memo.id, { status: outcome, error, error_code: failure?.code ?? null });
        // Silence delivered nothing: the call counted when the memo was accepted (on the day it was made) is taken back.
        if (failure?.code === 'SILENT_AUDIO' && memo.api_key_id && memo.created_at) rateLimits.release(tx, memo.api_key_id, utcDate(new Date(memo.created_at)));
        if (outcome === 'failed') {
          const metadata = { memoId: memo.id, voice: memo.voice, error };
          recordUsage(tx, { userId: memo.user_id, apiKeyId: memo.api_key_id, action: 'memo_failed', metadata });
          recordUsage(tx, { userId: memo.user_id, apiKeyId: memo.api_key_id, action: 'error_tts', metadata });
        }
      },
    },
  });

  let poll: NodeJS.Timeout | undefined;
  let stopWatching: (() => void) | undefined;

  function jobOf(userId: string, memoId: string) {
    const memo = store.get('memos', memoId);
    const job = store.query('jobs', { memo_id: memoId })[0];
    if (!memo || memo.user_id !== userId || !job) throw new ServiceError('NOT_FOUND', 'That memo has no generation job.');
    return job;
  }

  return {
    /** Accepts a request (or refuses it before any work starts) and queues its memo; returns the queued memo. */
    async generate(userId: string, request: GenerateRequest): Promise<Memo> {
      const text = request.text.trim();
      if (text === '') throw new ServiceError('VALIDATION_ERROR', 'There is no text to speak.', { field: 'text' });
      const { voice } = tts.resolve(request.voice);
      // Refused before it is counted: an English voice would make silence of it.
      if (voice.language === ENGLISH && englishCoverage(text) === 'none') {
        throw new ServiceError('UNSPEAKABLE_TEXT', `${voice.name} speaks English only and can say none of this text. Write it in English, or pick a cloud voice.`, { voice: voice.id });
      }
      if (voice.engine === 'cloud' && cloudUrl() === null) {
        throw new ServiceError('CLOUD_UNAVAILABLE', 'Set the Agent Talk cloud URL in Settings to use the cloud voices.', { voice: voice.id });
      }
      // A cloud voice is billed to a cloud key only (the only kind the service knows); an offline one to a key made here first.
      const cloud = voice.engine === 'cloud';
      const byDefault = () => {
        const usable = keys.list(userId).filter((k) => k.usable);
        return cloud ? usable.find((k) => k.kind === 'cloud') : (usable.find((k) => k.kind === 'local') ?? usable[0]);
      };
      const keyId = request.keyId ?? byDefault()?.id; // the list is read only when no key was named
      if (!keyId) {
        throw new ServiceError('INVALID_API_KEY', cloud ? 'Cloud voices need a cloud API key: paste one of your account’s keys, or create one, on the Keys screen.' : 'Create an API key first: every memo is counted against one.');
      }
      const key = store.get('api_keys', keyId);
      if (!key || key.user_id !== userId) throw new ServiceError('INVALID_API_KEY', 'That API key is not known here.');
      if (cloud && key.origin !== 'cloud') {
        throw new ServiceError('INVALID_API_KEY', 'A key made on this computer is never sent to the service: choose one of your account’s cloud keys for a cloud voice.', { keyId });
      }
      if (cloud && !holdsSecret(key)) throw new ServiceError('INVALID_API_KEY', 'This computer does not hold that cloud key: paste it on the Keys screen first.', { keyId });
      const countOn = request.countOn ?? keyId;
      if (countOn !== keyId) {
        // consume checks the key it counts on; the key the memo is sent with is checked here.
        if (key.is_active === false) throw new ServiceError('REVOKED_KEY', 'That API key has been revoked.', { keyId });
        if (store.get('api_keys', countOn)?.user_id !== userId) throw new ServiceError('INVALID_API_KEY', 'That API key is not known here.');
      }
      const { result: memo } = await rateLimits.consume(countOn, text.length, (tx, _userId, countedAt) => {
        const created = tx.insert('memos', {
          // Made when it is counted: a silent memo's call is taken back from the day its creation says.
          created_at: countedAt.toISOString(),
          user_id: userId,
          api_key_id: keyId,
          text,
          voice: voice.id,
          title: request.title?.trim() || defaultTitle(text),
          character_count: text.length,
          audio_url: '',
          duration_sec: 0,
          status: 'queued',
        });
        queue.enqueue(tx, { userId, memoId: created.id });
        return created;
      });
      queue.wake();
      return memo;
    },

    async cancel(userId: string, memoId: string): Promise<void> {
      await queue.cancel(jobOf(userId, memoId).id);
    },

    /**
     * Queues a failed or cancelled memo again (not counted again here: the call was counted when it was accepted).
     * The user asked: a cloud answer that was bad (silence, no audio) is dropped, so the service is asked anew; an
     * answer whose audio only failed to download is kept, and only the download is tried again.
     */
    async retry(userId: string, memoId: string): Promise<void> {
      const job = jobOf(userId, memoId);
      const failed = store.get('memos', memoId)!;
      // Also what keeps a silent memo's released call from being taken back twice.
      if (failsAgainOnRetry(failed.error_code ?? null)) {
        throw new ServiceError('CONFLICT', `Trying again cannot change this failure. ${failed.error ?? ''}`.trim(), { errorCode: failed.error_code });
      }
      await store.transaction((tx) => {
        queue.retry(tx, job.id);
        if (tx.get('memos', memoId)?.error_code === 'TTS_FAILED') tx.update('jobs', job.id, { service_answer: null });
        tx.update('memos', memoId, { status: 'queued', error: null, error_code: null });
      });
      queue.wake();
    },

    /** How many memos wait for the cloud to answer again. */
    waitingForCloud: () => queue.waiting('cloud'),

    /**
     * Starts the queue after removing audio files whose memo is gone (and partial files from a crash); memos that
     * wait for the cloud start when the health probe finds it back (asked every `cloudPollMs` while any wait).
     */
    async start(): Promise<void> {
      await audio.removeOrphans((memoId) => store.get('memos', memoId) !== undefined);
      queue.start();
      if (!cloudHealth) return;
      stopWatching = cloudHealth.onAvailable(() => void queue.release('cloud'));
      const probe = () => {
        if (queue.waiting('cloud') === 0) return;
        cloudHealth.forget(); // a fresh probe each time, not the voice picker's kept answer
        void cloudHealth.check();
      };
      poll = setInterval(probe, cloudPollMs);
      probe();
    },

    async stop(): Promise<void> {
      clearInterval(poll);
      stopWatching?.();
      await queue.stop();
    },

    /** Listens to the progress of running jobs; returns the function that stops listening. */
    onProgress(listener: ProgressListener): () => void {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
  };
}

export type Generation = ReturnType<typeof createGeneration>;
