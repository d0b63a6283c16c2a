/**
 * The cloud engine: the Agent Talk service makes the memo (`POST /api/v1/memo` with the user's API key), the app
 * downloads its audio (an http(s) URL or a `data:` URL) and measures it itself (cloud-audio.ts): the service's
 * `audio.format` is only a label and its `audio.duration` an estimate from the text length, used only when the
 * audio cannot be timed. It calls the service through the cloud client (services/cloud/client.ts), which retries.
 *
 * - Rate limits: every answer's X-RateLimit-Limit/Remaining/Reset is kept as `lastRateLimit` (null numbers mean
 *   unlimited) and told to `onRateLimit` listeners with the id of the key it was read for, for the app to keep.
 * - Errors are typed ServiceErrors: 401 → INVALID_API_KEY, 403 → REVOKED_KEY (or FORBIDDEN), 429 → the service's
 *   DAILY_LIMIT_EXCEEDED / MONTHLY_LIMIT_EXCEEDED / RATE_LIMIT_EXCEEDED with {limit, used, resetAt}, 400 →
 *   VALIDATION_ERROR (TEXT_TOO_LONG for the plan's character limit), 5xx and network failures → CLOUD_UNAVAILABLE,
 *   an answer outside the contract (bad JSON, no audio, audio that is not MP3 or WAV) → TTS_FAILED.
 * - Retries (the client's): 5xx, 429 with a short Retry-After, and failures before the request was sent whole. A
 *   memo request sent whole whose answer was lost is not sent again (the service has no idempotency key: it may
 *   have made and counted the memo). The audio download is retried on its own, so it never makes a second memo.
 * - `options.signal` aborts the request, the download and any wait; the promise then rejects with an AbortError.
 */
import { z } from 'zod';
import { CloudRequestError, rateLimitOf, type CloudClient, type CloudCredential, type CloudRateLimit } from '../../cloud/client';
import { abortError } from '../../cloud/transport';
import { ServiceError } from '../../errors';
import type { ServiceAnswer, Synthesis, SynthesisOptions, TtsEngine, Voice } from '../engine';
import { isSilent, measureAudio, sniffAudio } from './cloud-audio';

export type { CloudRateLimit } from '../../cloud/client';

/** The service's voices (AGENT-TALK-CLOUD.md, "Memos"), with its ids, names and descriptions, in its order. */
export const CLOUD_VOICES: readonly Voice[] = (
  [
    ['rachel', 'Rachel', 'female', 'Calm, professional'],
    ['domi', 'Domi', 'female', 'Strong, confident'],
    ['bella', 'Bella', 'female', 'Soft, warm'],
    ['adam', 'Adam', 'male', 'Deep narration'],
    ['sam', 'Sam', 'male', 'Conversational'],
    ['charlie', 'Charlie', 'male', 'Casual conversational'],
    ['emily', 'Emily', 'female', 'Soft, gentle'],
    ['ethan', 'Ethan', 'male', 'Young male'],
    ['freya', 'Freya', 'female', 'Young, energetic'],
    ['dorothy', 'Dorothy', 'female', 'Storyteller'],
    ['bill', 'Bill', 'male', 'Mature male'],
    ['sarah', 'Sarah', 'female', 'Professional female'],
  ] as const
).map(([id, name, gender, description]) => Object.freeze({ id, name, gender, description, engine: 'cloud' as const }));

export interface CloudEngineOptions {
  /** The client the engine calls the service with (its URL, backoff and clock). */
  client: CloudClient;
  /**
   * The secret of the key a memo is billed to (`SynthesisOptions.keyId`, null when the memo names none) and the
   * service URL that key belongs to; null when there is none to send. The client sends it only to that service.
   */
  keyFor: (keyId: string | null) => Promise<CloudCredential | null>;
  /**
   * The plan's characters per memo (null: unlimited), checked before sending: the service counts a call before it
   * validates it, so a text it would refuse must never leave the app.
   */
  charsPerMemo?: () => number | null;
  /** Tries of the memo request and of the download, each (default: the client's). */
  attempts?: number;
  /** The longest Retry-After waited for before a retry (longer ones are thrown with their time); default 5 s. */
  maxRateLimitWaitMs?: number;
  /** Each attempt's time limit (default 120 s: long texts take the service a while). */
  requestTimeoutMs?: number;
  /** The largest audio accepted (default 100 MiB). */
  maxAudioBytes?: number;
}

export interface CloudEngine extends TtsEngine {
  readonly id: 'cloud';
  /** The rate-limit headers of the last answer that carried them for this key; null before any. */
  readonly lastRateLimit: CloudRateLimit | null;
  /** Calls `listener` with each new reading of the rate-limit headers and the key's id; returns the unsubscribe function. */
  onRateLimit(listener: (rateLimit: CloudRateLimit, keyId: string | null) => void): () => void;
}

const MemoAnswer = z.object({
  id: z.string().nullish(),
  audio: z.object({
    url: z.string().min(1),
    duration: z.number().nullish(),
    format: z.string().nullish(),
  }),
});

export function createCloudEngine(options: CloudEngineOptions): CloudEngine {
  const { client } = options;
  const policy = {
    ...(options.attempts !== undefined && { attempts: options.attempts }),
    maxWaitMs: options.maxRateLimitWaitMs ?? 5_000,
    timeoutMs: options.requestTimeoutMs ?? 120_000,
  };
  const maxAudioBytes = options.maxAudioBytes ?? 100 * 1024 * 1024;
  const listeners = new Set<(rateLimit: CloudRateLimit, keyId: string | null) => void>();
  let lastRateLimit: CloudRateLimit | null = null;

  function observe(status: number, headers: Headers, keyId: string | null): void {
    if (status === 401 || status === 403) return; // counted against no key
    const reading = rateLimitOf(headers);
    if (!reading) return;
    lastRateLimit = reading;
    for (const listener of listeners) {
      try {
        listener(reading, keyId);
      } catch {
        // a listener's failure is its own: the memo goes on
      }
    }
  }

  async function createMemo(text: string, voice: string, auth: CloudCredential, keyId: string | null, signal: AbortSignal | undefined): Promise<ServiceAnswer> {
    if (client.serviceUrl() === null) throw new ServiceError('CLOUD_UNAVAILABLE', 'Set the Agent Talk cloud URL in Settings to use the cloud voices.', { reason: 'no-base-url' });
    const answer = await client.request({
      method: 'POST',
      path: '/api/v1/memo',
      what: 'the memo',
      body: { text, voice },
      auth,
      json: MemoAnswer,
      ...policy,
      onAnswer: (status, headers) => observe(status, headers, keyId),
      ...(signal && { signal }),
    });
    if (answer.kind === 'not-offered') throw new ServiceError('CLOUD_UNAVAILABLE', answer.message, { status: answer.status, cloudCode: answer.code });
    const { id, audio } = answer.value;
    return { memoId: id ?? null, audioUrl: audio.url, durationSec: audio.duration ?? null };
  }

  return {
    id: 'cloud',

    get lastRateLimit() {
      return lastRateLimit;
    },

    onRateLimit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    voices() {
      return CLOUD_VOICES.map((v) => ({ ...v }));
    },

    async synthesize(text: string, voiceId: string, synthesisOptions: SynthesisOptions = {}): Promise<Synthesis> {
      const { signal, onAnswer } = synthesisOptions;
      if (signal?.aborted) throw abortError();
      // Checked here, before anything is sent: the service counts a call before it validates it.
      if (!CLOUD_VOICES.some((v) => v.id === voiceId)) throw new ServiceError('VALIDATION_ERROR', `"${voiceId}" is not an Agent Talk cloud voice.`, { voice: voiceId });
      if (text.trim() === '') throw new ServiceError('VALIDATION_ERROR', 'There is no text to speak.', { field: 'text' });
      const limit = options.charsPerMemo?.() ?? null;
      if (limit !== null && text.length > limit) {
        throw new ServiceError('TEXT_TOO_LONG', `This plan allows ${limit} characters per memo; this text has ${text.length}.`, { limit, used: text.length, resetAt: null });
      }

      try {
        let answer = synthesisOptions.kept ?? null;
        if (!answer) {
          const auth = await options.keyFor(synthesisOptions.keyId ?? null);
          if (signal?.aborted) throw abortError();
          if (!auth) throw new ServiceError('INVALID_API_KEY', 'No API key is set for the Agent Talk cloud; add one to use cloud voices.', { cloudCode: 'MISSING_API_KEY' });
          answer = await createMemo(text, voiceId, auth, synthesisOptions.keyId ?? null, signal);
          await onAnswer?.(answer);
        }
        const audio = await download(client, answer.audioUrl, { ...policy, maxBytes: maxAudioBytes }, signal);
        return timed(audio, answer.durationSec);
      } catch (error) {
        if (signal?.aborted) throw abortError();
        throw serviceErrorOf(error);
      }
    },
  };
}

/** The audio at `url` (http(s), relative to the service, or `data:`), downloaded alone: retried, never a second memo. */
async function download(client: CloudClient, url: string, policy: DownloadPolicy, signal: AbortSignal | undefined): Promise<Uint8Array> {
  if (/^data:/i.test(url)) return dataUrlBytes(url);
  let target: URL;
  try {
    // An absolute URL needs no service URL (an imported memo's audio plays before one is set).
    target = /^https?:\/\//i.test(url) ? new URL(url) : new URL(url, `${client.serviceUrl() ?? ''}/`);
  } catch {
    throw failed('The Agent Talk cloud answered with an audio URL that is not a URL.', { reason: 'bad-audio-url' });
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw failed(`The Agent Talk cloud answered with an audio URL the app does not fetch (${target.protocol}).`, { reason: 'bad-audio-url' });
  }
  // No Authorization here: the audio is public and may be on another host (a CDN).
  try {
    const answer = await client.request({
      method: 'GET',
      path: target.href,
      what: 'the audio download',
      headers: { Accept: 'audio/mpeg, audio/*' },
      bytes: true,
      ...policy,
      ...(signal && { signal }),
    });
    if (answer.kind === 'not-offered') throw new Error('unreachable: no capability was named');
    return answer.value;
  } catch (error) {
    if (error instanceof CloudRequestError && error.kind === 'answered') {
      const { status = 0, code } = error.info;
      const message = `The memo's audio could not be downloaded (HTTP ${status}${code ? ` ${code}` : ''}).`;
      // A failing server may serve it later (the answer is kept: only the download is tried again); a 4xx will not.
      if (status >= 500) throw new ServiceError('CLOUD_UNAVAILABLE', message, { reason: 'audio-download', status, attempts: error.info.attempts });
      throw failed(message, { reason: 'audio-download', status });
    }
    if (error instanceof CloudRequestError && error.kind === 'bad-answer') throw failed(`The memo's audio could not be downloaded: ${error.message}`, { reason: 'audio-too-large' });
    throw error;
  }
}

type DownloadPolicy = { attempts?: number; maxWaitMs: number; timeoutMs: number; maxBytes: number };

/**
 * Audio the service made earlier (an imported memo's `audio_url`), fetched and checked as a new memo's is: MP3 or
 * WAV by its bytes, not silence, timed. Failures are the engine's ServiceErrors (CLOUD_UNAVAILABLE when offline).
 */
export async function fetchServiceAudio(client: CloudClient, url: string, policy: DownloadPolicy, reportedDurationSec: number | null = null): Promise<Synthesis> {
  try {
    return timed(await download(client, url, policy, undefined), reportedDurationSec);
  } catch (error) {
    throw serviceErrorOf(error);
  }
}

/** A client failure in the words of the memo's user. */
function serviceErrorOf(error: unknown): unknown {
  if (!(error instanceof CloudRequestError)) return error;
  const { info } = error;
  switch (error.kind) {
    case 'answered': {
      const answer: CloudError = { status: info.status ?? 0, code: info.code ?? null, message: info.serviceMessage ?? null, details: info.details ?? {} };
      if (answer.status === 429) return rateLimitError(info.headers ?? new Headers(), answer, info.retryAt ?? null, info.retryAfterMs ?? null);
      const refused = refusal(answer);
      if (info.retryAt && refused.code === 'CLOUD_UNAVAILABLE') Object.assign(refused.details, { retryAt: info.retryAt, attempts: info.attempts });
      else if (refused.code === 'CLOUD_UNAVAILABLE') Object.assign(refused.details, { attempts: info.attempts });
      return refused;
    }
    case 'bad-answer':
      return failed(error.message, { reason: 'bad-response' });
    case 'bad-url':
      return new ServiceError('CLOUD_UNAVAILABLE', error.message, { reason: 'bad-base-url' });
    case 'wrong-service':
      return new ServiceError('INVALID_API_KEY', error.message, { reason: 'wrong-service' });
    case 'maybe-applied':
      return new ServiceError(
        'CLOUD_ANSWER_LOST',
        'The connection to the Agent Talk cloud broke after this memo was sent: the service may have made it, and counted it. It was not sent again; retry it if you still want it (it may be counted twice).',
        { reason: 'maybe-applied', attempts: info.attempts },
      );
    case 'timeout':
    case 'unreachable':
      return new ServiceError('CLOUD_UNAVAILABLE', error.message, { reason: error.kind, attempts: info.attempts });
  }
}

interface CloudError {
  status: number;
  code: string | null;
  message: string | null;
  details: Record<string, unknown>;
}

// --- answers -----------------------------------------------------------------------------------------------------

/** The audio's real format and length; the service's duration only when the audio cannot be timed. */
function timed(audio: Uint8Array, reportedDuration: number | null): Synthesis {
  const format = sniffAudio(audio);
  if (!format) throw failed('The Agent Talk cloud sent audio that is neither MP3 nor WAV.', { reason: 'bad-audio', bytes: audio.length });
  if (isSilent(audio)) {
    throw failed('The Agent Talk cloud answered with silence (its voice engine probably failed). Retry the memo to ask again; the service counts each request.', {
      reason: 'silent',
      format,
      bytes: audio.length,
    });
  }
  let durationSec: number;
  try {
    durationSec = measureAudio(audio).durationSec;
  } catch {
    // MPEG audio this parser cannot time (free-format bitrate) still plays: the service's figure stands in. A WAV
    // that cannot be timed has no audio to play.
    if (format !== 'mp3' || reportedDuration === null || !Number.isFinite(reportedDuration) || reportedDuration <= 0) {
      throw failed('The Agent Talk cloud sent audio whose length cannot be measured.', { reason: 'bad-audio', format });
    }
    durationSec = reportedDuration;
  }
  if (!(durationSec > 0)) throw failed('The Agent Talk cloud sent empty audio.', { reason: 'bad-audio', format });
  return { audio, format, durationSec };
}

function dataUrlBytes(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (comma < 0) throw failed('The Agent Talk cloud answered with a malformed data: URL.', { reason: 'bad-audio-url' });
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  if (/;base64$/i.test(meta)) {
    const clean = payload.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw failed('The Agent Talk cloud answered with a data: URL that is not base64.', { reason: 'bad-audio-url' });
    return new Uint8Array(Buffer.from(clean, clean.includes('-') || clean.includes('_') ? 'base64url' : 'base64'));
  }
  try {
    return new Uint8Array(Buffer.from(decodeURIComponent(payload), 'latin1'));
  } catch {
    throw failed('The Agent Talk cloud answered with a malformed data: URL.', { reason: 'bad-audio-url' });
  }
}

/** The error a non-2xx, non-429, non-retryable answer becomes. */
function refusal(error: CloudError): ServiceError {
  const { status, code, message, details } = error;
  const base = { status, cloudCode: code };
  if (status === 401) {
    const text =
      code === 'MISSING_API_KEY'
        ? 'The Agent Talk cloud did not receive an API key.'
        : code === 'EXPIRED_TOKEN'
          ? 'The Agent Talk cloud session has expired; sign in again.'
          : 'The Agent Talk cloud does not accept this API key; check it, or create a new one.';
    return new ServiceError('INVALID_API_KEY', text, base);
  }
  if (status === 403) {
    if (code === 'REVOKED_KEY') return new ServiceError('REVOKED_KEY', 'This API key has been revoked on the Agent Talk cloud; use or create another key.', base);
    return new ServiceError('FORBIDDEN', message ? `The Agent Talk cloud refused: ${message}` : 'The Agent Talk cloud refused this request.', { ...base, ...details });
  }
  if (status === 400 || status === 413 || status === 422) {
    const limit = typeof details.limit === 'number' ? details.limit : null;
    if (details.field === 'text' && limit !== null) {
      const used = typeof details.provided === 'number' ? details.provided : null;
      return new ServiceError('TEXT_TOO_LONG', `The Agent Talk cloud allows ${limit} characters per memo on this plan.`, { ...base, limit, used, resetAt: null });
    }
    return new ServiceError('VALIDATION_ERROR', message ? `The Agent Talk cloud refused the memo: ${message}` : 'The Agent Talk cloud refused the memo.', { ...base, ...details });
  }
  if (status >= 500) return new ServiceError('CLOUD_UNAVAILABLE', `The Agent Talk cloud cannot make memos right now (HTTP ${status}${code ? ` ${code}` : ''}).`, base);
  return failed(`The Agent Talk cloud answered HTTP ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}.`, base);
}

/** A 429 thrown: the service's code, with {limit, used, resetAt} from its details, else from the headers. */
function rateLimitError(headers: Headers, error: CloudError, retryAt: string | null, retryAfterMs: number | null): ServiceError {
  const { details } = error;
  const retryAfterSec = retryAfterMs === null ? null : Math.ceil(retryAfterMs / 1000);
  const base = { retryAfterSec, status: 429, cloudCode: error.code };
  if (error.code === 'DAILY_LIMIT_EXCEEDED' || error.code === 'MONTHLY_LIMIT_EXCEEDED') {
    // The headers count the day, so they stand in for a daily refusal's details only.
    const daily = error.code === 'DAILY_LIMIT_EXCEEDED' ? rateLimitOf(headers) : null;
    const limit = numberOrNull(details.limit) ?? daily?.limit ?? null;
    const used = numberOrNull(details.used) ?? (daily?.limit != null && daily.remaining != null ? daily.limit - daily.remaining : null);
    const resetAt = isoOrNull(details.resetAt) ?? retryAt ?? daily?.resetAt ?? null;
    const message =
      error.code === 'DAILY_LIMIT_EXCEEDED'
        ? `This account has used ${limit === null ? 'its' : `all ${limit} of its`} cloud memos for today; the count resets at ${resetAt ?? 'midnight UTC'}.`
        : `This account has used ${limit === null ? 'its' : `all ${limit} of its`} cloud memos for this month; the count resets at ${resetAt ?? 'the start of next month'}.`;
    return new ServiceError(error.code, message, { limit, used, resetAt, ...base });
  }
  return new ServiceError('RATE_LIMIT_EXCEEDED', "The Agent Talk cloud is busy with this account's other requests; try again in a moment.", {
    limit: numberOrNull(details.limit),
    used: numberOrNull(details.used),
    resetAt: isoOrNull(details.resetAt) ?? retryAt,
    ...base,
  });
}

const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

// --- small things ------------------------------------------------------------------------------------------------

const failed = (message: string, details: Record<string, unknown>) => new ServiceError('TTS_FAILED', message, details);

