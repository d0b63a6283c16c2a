/**
 * The cloud engine: the Agent Talk service makes the memo (`POST /api/v1/memo` with the user's API key), the app
 * downloads its audio (an http(s) URL or a `data:` URL) and measures it itself (cloud-audio.ts): the service's
 * `audio.format` is only a label and its `audio.duration` an estimate from the text length, used only when the
 * audio cannot be timed.
 *
 * - Rate limits: every answer's X-RateLimit-Limit/Remaining/Reset is kept as `lastRateLimit` (null numbers mean
 *   unlimited) and told to `onRateLimit` listeners, for the app to show.
 * - Errors are typed ServiceErrors: 401 → INVALID_API_KEY, 403 → REVOKED_KEY (or FORBIDDEN), 429 → the service's
 *   DAILY_LIMIT_EXCEEDED / MONTHLY_LIMIT_EXCEEDED / RATE_LIMIT_EXCEEDED with {limit, used, resetAt}, 400 →
 *   VALIDATION_ERROR (TEXT_TOO_LONG for the plan's character limit), 5xx and network failures → CLOUD_UNAVAILABLE,
 *   an answer outside the contract (bad JSON, no audio, audio that is not MP3 or WAV) → TTS_FAILED.
 * - Retries: 5xx, timeouts and network failures are retried with exponential backoff and jitter, a bounded
 *   number of tries (honoring a short Retry-After). A 429 is retried once, after Retry-After (or the reset time),
 *   only when that wait is short; otherwise it is thrown at once with its reset time. The audio download is
 *   retried on its own, so a flaky download never makes a second memo. Note that the service has no idempotency
 *   key: a memo whose answer was lost (a dropped connection after the service made it) is made, and counted, again.
 * - `options.signal` aborts the request, the download and any wait; the promise then rejects with an AbortError.
 */
import { z } from 'zod';
import { ServiceError } from '../../errors';
import type { Synthesis, SynthesisOptions, TtsEngine, Voice } from '../engine';
import { measureAudio, sniffAudio } from './cloud-audio';

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

/** The service's daily allowance for the key, from its last answer; `null` limit and remaining mean unlimited. */
export interface CloudRateLimit {
  limit: number | null;
  remaining: number | null;
  /** ISO 8601 UTC time of the next reset, or null when the service did not say. */
  resetAt: string | null;
}

export interface CloudEngineOptions {
  /** The service's root, e.g. `https://talk.onhyper.io` (read at each call, so a settings change applies at once). */
  baseUrl: () => string;
  /** The full API key to call with when a synthesis names none (`SynthesisOptions.apiKey`), or null when there is none. */
  apiKey: () => Promise<string | null>;
  fetch?: typeof fetch;
  /** 5xx and network retries: tries in all (default 3), backoff base and cap (default 500 ms doubling to 8 s). */
  retry?: { tries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** The longest wait before retrying a 429 (and the longest Retry-After honored on a 5xx); default 5 s. */
  maxRateLimitWaitMs?: number;
  /** Each attempt's time limit (default 120 s: long texts take the service a while). */
  requestTimeoutMs?: number;
  /** The largest audio accepted (default 100 MiB). */
  maxAudioBytes?: number;
  /** For the backoff's jitter (default Math.random). */
  random?: () => number;
}

export interface CloudEngine extends TtsEngine {
  readonly id: 'cloud';
  /** The rate-limit headers of the last answer that carried them for this key; null before any. */
  readonly lastRateLimit: CloudRateLimit | null;
  /** Calls `listener` with each new reading of the rate-limit headers; returns the unsubscribe function. */
  onRateLimit(listener: (rateLimit: CloudRateLimit) => void): () => void;
}

const MemoAnswer = z.object({
  audio: z.object({
    url: z.string().min(1),
    duration: z.number().nullish(),
    format: z.string().nullish(),
  }),
});

const ErrorAnswer = z.object({
  error: z.object({ code: z.string(), message: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() }),
});

interface CloudError {
  status: number;
  code: string | null;
  message: string | null;
  details: Record<string, unknown>;
}

export function createCloudEngine(options: CloudEngineOptions): CloudEngine {
  const fetchImpl = options.fetch ?? fetch;
  const tries = Math.max(1, options.retry?.tries ?? 3);
  const baseDelayMs = options.retry?.baseDelayMs ?? 500;
  const maxDelayMs = options.retry?.maxDelayMs ?? 8_000;
  const maxWaitMs = options.maxRateLimitWaitMs ?? 5_000;
  const timeoutMs = options.requestTimeoutMs ?? 120_000;
  const maxAudioBytes = options.maxAudioBytes ?? 100 * 1024 * 1024;
  const random = options.random ?? Math.random;
  const listeners = new Set<(rateLimit: CloudRateLimit) => void>();
  let lastRateLimit: CloudRateLimit | null = null;

  /** Exponential backoff with "equal jitter": half the step, plus up to the other half at random. */
  const backoff = (failures: number) => {
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
    return step / 2 + random() * (step / 2);
  };

  function observe(response: Response): void {
    if (response.status === 401 || response.status === 403) return; // counted against no key
    const reading = rateLimitOf(response.headers);
    if (!reading) return;
    lastRateLimit = reading;
    for (const listener of listeners) {
      try {
        listener(reading);
      } catch {
        // a listener's failure is its own: the memo goes on
      }
    }
  }

  /** One attempt, under the caller's signal and its own time limit. */
  async function attempt<T>(url: string, init: RequestInit, signal: AbortSignal | undefined, read: (response: Response) => Promise<T>): Promise<{ response: Response; value: T | null }> {
    const limit = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, limit]) : limit;
    const response = await fetchImpl(url, { ...init, signal: combined });
    // The body is read under the same signals: a stalled body times out like a stalled answer.
    if (!response.ok) return { response, value: null };
    return { response, value: await read(response) };
  }

  /**
   * Runs `request` until it answers other than 5xx or a network failure, within the tries; answers the response
   * (and its read body when 2xx). 429s are the caller's to handle.
   */
  async function withRetries<T>(
    what: string,
    signal: AbortSignal | undefined,
    request: () => Promise<{ response: Response; value: T | null }>,
  ): Promise<{ response: Response; value: T | null; error: CloudError | null }> {
    for (let failures = 0; ; ) {
      let outcome: { response: Response; value: T | null };
      try {
        outcome = await request();
      } catch (error) {
        if (signal?.aborted) throw abortError();
        if (error instanceof ServiceError) throw error;
        failures++;
        if (failures >= tries) {
          throw new ServiceError('CLOUD_UNAVAILABLE', `The Agent Talk cloud could not be reached (${what}): ${describe(error)}.`, { attempts: failures, cause: describe(error) });
        }
        await sleep(backoff(failures), signal);
        continue;
      }
      const { response } = outcome;
      if (response.ok) return { ...outcome, error: null };
      const error = await errorOf(response);
      if (!retryable(response.status)) return { ...outcome, error };
      failures++;
      const retryAfter = retryAfterMs(response.headers);
      if (failures >= tries || (retryAfter !== null && retryAfter > maxWaitMs)) {
        throw new ServiceError('CLOUD_UNAVAILABLE', `The Agent Talk cloud is not answering right now (${what}: HTTP ${response.status}${error.code ? ` ${error.code}` : ''}); try again later.`, {
          status: response.status,
          cloudCode: error.code,
          attempts: failures,
          ...(retryAfter !== null && { retryAt: new Date(Date.now() + retryAfter).toISOString() }),
        });
      }
      await sleep(Math.max(backoff(failures), retryAfter ?? 0), signal);
    }
  }

  async function createMemo(text: string, voice: string, apiKey: string, signal: AbortSignal | undefined) {
    const url = `${root()}/api/v1/memo`;
    const init: RequestInit = {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ text, voice }),
    };
    for (let rateLimitRetried = false; ; ) {
      const { response, value, error } = await withRetries('memo', signal, async () => {
        const outcome = await attempt(url, init, signal, (r) => r.text());
        observe(outcome.response);
        return outcome;
      });
      if (!error) return parseMemo(value ?? '');
      if (response.status === 429) {
        const wait = rateLimitWaitMs(response.headers, error);
        if (!rateLimitRetried && wait !== null && wait <= maxWaitMs) {
          rateLimitRetried = true;
          await sleep(wait, signal);
          continue;
        }
        throw rateLimitError(response.headers, error, wait);
      }
      throw refusal(error);
    }
  }

  async function download(url: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
    if (/^data:/i.test(url)) return dataUrlBytes(url);
    let target: URL;
    try {
      target = new URL(url, `${root()}/`);
    } catch {
      throw failed('The Agent Talk cloud answered with an audio URL that is not a URL.', { reason: 'bad-audio-url' });
    }
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      throw failed(`The Agent Talk cloud answered with an audio URL the app does not fetch (${target.protocol}).`, { reason: 'bad-audio-url' });
    }
    // No Authorization here: the audio is public and may be on another host (a CDN).
    const { value, error } = await withRetries('audio download', signal, () =>
      attempt(target.href, { method: 'GET', headers: { Accept: 'audio/mpeg, audio/*' } }, signal, (r) => readCapped(r, maxAudioBytes)),
    );
    if (error) throw failed(`The memo's audio could not be downloaded (HTTP ${error.status}).`, { reason: 'audio-download', status: error.status });
    return value ?? new Uint8Array();
  }

  function root(): string {
    const base = options.baseUrl().replace(/\/+$/, '');
    let protocol: string | null = null;
    try {
      protocol = new URL(base).protocol;
    } catch {
      // not a URL: said below
    }
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new ServiceError('CLOUD_UNAVAILABLE', `The Agent Talk cloud address "${base}" is not an http(s) URL; check it in Settings.`, { reason: 'bad-base-url' });
    }
    return base;
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
      const { signal } = synthesisOptions;
      if (signal?.aborted) throw abortError();
      if (!CLOUD_VOICES.some((v) => v.id === voiceId)) throw new ServiceError('VALIDATION_ERROR', `"${voiceId}" is not an Agent Talk cloud voice.`, { voice: voiceId });
      if (text.trim() === '') throw new ServiceError('VALIDATION_ERROR', 'There is no text to speak.', { field: 'text' });
      const apiKey = synthesisOptions.apiKey ?? (await options.apiKey());
      if (signal?.aborted) throw abortError();
      if (!apiKey) throw new ServiceError('INVALID_API_KEY', 'No API key is set for the Agent Talk cloud; add one to use cloud voices.', { cloudCode: 'MISSING_API_KEY' });

      try {
        const memo = await createMemo(text, voiceId, apiKey, signal);
        const audio = await download(memo.audio.url, signal);
        return timed(audio, memo.audio.duration ?? null);
      } catch (error) {
        if (signal?.aborted) throw abortError();
        throw error;
      }
    },
  };
}

// --- answers -----------------------------------------------------------------------------------------------------

function parseMemo(body: string): z.infer<typeof MemoAnswer> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw failed('The Agent Talk cloud answered with something that is not JSON.', { reason: 'bad-response' });
  }
  const memo = MemoAnswer.safeParse(json);
  if (!memo.success) throw failed('The Agent Talk cloud answered without the memo\'s audio.', { reason: 'bad-response' });
  return memo.data;
}

/** The audio's real format and length; the service's duration only when the audio cannot be timed. */
function timed(audio: Uint8Array, reportedDuration: number | null): Synthesis {
  const format = sniffAudio(audio);
  if (!format) throw failed('The Agent Talk cloud sent audio that is neither MP3 nor WAV.', { reason: 'bad-audio', bytes: audio.length });
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

async function readCapped(response: Response, max: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > max) throw failed(`The memo's audio is larger than ${max} bytes.`, { reason: 'audio-too-large' });
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw failed(`The memo's audio is larger than ${max} bytes.`, { reason: 'audio-too-large' });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

async function errorOf(response: Response): Promise<CloudError> {
  let body = '';
  try {
    body = await response.text();
  } catch {
    // a body cut off is no body
  }
  let parsed: z.infer<typeof ErrorAnswer> | null = null;
  try {
    const result = ErrorAnswer.safeParse(JSON.parse(body));
    if (result.success) parsed = result.data;
  } catch {
    // not JSON (a proxy's HTML page): the status alone says what happened
  }
  return {
    status: response.status,
    code: parsed?.error.code ?? null,
    message: parsed?.error.message ?? null,
    details: parsed?.error.details ?? {},
  };
}

const retryable = (status: number) => status >= 500 && status !== 501;

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
function rateLimitError(headers: Headers, error: CloudError, waitMs: number | null): ServiceError {
  const { details } = error;
  const retryAt = waitMs === null ? null : new Date(Date.now() + waitMs).toISOString();
  const retryAfterSec = waitMs === null ? null : Math.ceil(waitMs / 1000);
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

/** How long to wait before retrying a 429: Retry-After, else the reset time the service gave, else a backoff step. */
function rateLimitWaitMs(headers: Headers, error: CloudError): number | null {
  const retryAfter = retryAfterMs(headers);
  if (retryAfter !== null) return retryAfter;
  if (error.code === 'DAILY_LIMIT_EXCEEDED' || error.code === 'MONTHLY_LIMIT_EXCEEDED') {
    const resetAt = isoOrNull(error.details.resetAt) ?? rateLimitOf(headers)?.resetAt ?? null;
    return resetAt === null ? null : Math.max(0, Date.parse(resetAt) - Date.now());
  }
  return 1_000; // too many concurrent requests, with no hint: a short pause
}

function rateLimitOf(headers: Headers): CloudRateLimit | null {
  const limit = headers.get('x-ratelimit-limit');
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  if (limit === null && remaining === null && reset === null) return null;
  const count = (value: string | null) => (value !== null && /^\s*\d+\s*$/.test(value) ? Number(value) : null); // "unlimited" → null
  const resetSec = count(reset);
  return { limit: count(limit), remaining: count(remaining), resetAt: resetSec === null ? null : new Date(resetSec * 1000).toISOString() };
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
function retryAfterMs(headers: Headers): number | null {
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

// --- small things ------------------------------------------------------------------------------------------------

const failed = (message: string, details: Record<string, unknown>) => new ServiceError('TTS_FAILED', message, details);

function abortError(): DOMException {
  return new DOMException('The synthesis was cancelled.', 'AbortError');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const detail = cause instanceof Error ? (cause as Error & { code?: string }).code ?? cause.message : null;
    if (error.name === 'TimeoutError') return 'it did not answer in time';
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
