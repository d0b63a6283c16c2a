/**
 * The one HTTP client for the Agent Talk cloud service: the TTS cloud engine, the health probe and sync call the
 * service only through it.
 *
 *   const cloud = createCloudClient({ baseUrl: () => settings.cloudUrl() });
 *   const answer = await cloud.request({ method: 'GET', path: '/api/keys', what: 'the key list',
 *     auth: { secret: sessionToken, serviceUrl: account.serviceUrl }, json: KeyList, capability: 'keys' });
 *   if (answer.kind === 'not-offered') show(answer.message); else use(answer.value);
 *
 * What `request` does:
 * - **Where**: `path` is joined to `baseUrl()` (read at each call, so a settings change applies at once), or is an
 *   absolute http(s) URL (the service's audio may be on a CDN). The service URL must be https, or http to a
 *   loopback address (src-shared/cloud-url.ts): else `bad-url`, nothing sent.
 * - **Credentials**: `auth.secret` goes as `Authorization: Bearer` only when the request's origin is the origin of
 *   `auth.serviceUrl`, the service the secret belongs to (a key pasted for one service is never sent to another
 *   after the URL changed): else `wrong-service`, nothing sent. A request without `auth` carries no credentials.
 * - **Answer**: a 2xx body is parsed with the `json` zod schema (or returned as bytes with `bytes: true`); one that
 *   does not match is `bad-answer`. An error answer's body is read as the service's envelope
 *   `{error:{code, message, details}}` (zod; a body that is not one, like a proxy's HTML page, leaves them null).
 * - **Not offered**: with `capability` set, a 404 or 501 resolves `{kind:'not-offered', capability, status, code,
 *   message}`, a typed result to show the user ("not offered by this service yet"); it is never retried. Without
 *   `capability`, 404 and 501 are `answered` errors (a missing audio file is not a missing feature).
 * - **Retries**, within `attempts` (default 4) tries in all, with full-jitter backoff: the n-th wait is
 *   `random() * min(5 min, 1 s * 2^(n-1))`, and never shorter than the answer's `Retry-After` (seconds or an HTTP
 *   date). Retried: 5xx other than 501, 429, an answer that did not come in time or a connection that broke, as
 *   long as the request is idempotent or was not sent whole. A `Retry-After` longer than `maxWaitMs` (default
 *   5 min) is not waited for: the error is thrown with `retryAt`.
 * - **Never repeated**: a request with `idempotent: false` (default for POST; true for GET, PUT, DELETE) that was
 *   sent whole and then met a dropped connection or a timeout throws `maybe-applied`: the service may have done
 *   it (and counted it), and only the caller knows whether and how to look before doing it again.
 * - `onAnswer` sees every answer's status and headers (rate-limit headers: `rateLimitOf`), retried ones included.
 * - `signal` aborts the exchange and any wait: the promise rejects with a DOMException named `AbortError`.
 * - Time: waits go through the injected `sleep`, `Retry-After` dates and `retryAt` through the injected `clock`,
 *   so tests drive the backoff with a fake clock.
 *
 * Every failure is a `CloudRequestError` whose `kind` is one of:
 *   `unreachable` (no connection, or it broke before the request was sent whole: the service did nothing),
 *   `timeout` (no answer in time to a request safe to repeat, after the retries),
 *   `maybe-applied` (see above), `answered` (an HTTP error: `status`, `code`, `message`, `details`, `retryAt`),
 *   `bad-answer` (a 2xx outside the contract, or larger than `maxBytes`), `bad-url`, `wrong-service`.
 */
import { z } from 'zod';
import { cloudUrlProblem } from '../../../src-shared/cloud-url';
import type { Clock } from '../time';
import { abortError, exchange, TooLargeError, TransportError, type Exchange } from './transport';

export type CloudFailureKind = 'unreachable' | 'timeout' | 'maybe-applied' | 'answered' | 'bad-answer' | 'bad-url' | 'wrong-service';

export class CloudRequestError extends Error {
  override readonly name = 'CloudRequestError';
  constructor(
    readonly kind: CloudFailureKind,
    message: string,
    readonly info: {
      /** What was asked, in words ("the memo", "the key list"). */
      what: string;
      /** Tries made (0 when nothing was sent). */
      attempts: number;
      /** For `answered`: the HTTP status and the service's error envelope, when it sent one. */
      status?: number;
      code?: string | null;
      serviceMessage?: string | null;
      details?: Record<string, unknown>;
      /** When the service said to come back (Retry-After), ISO 8601 UTC. */
      retryAt?: string | null;
      retryAfterMs?: number | null;
      headers?: Headers;
    },
  ) {
    super(message);
  }
}

/** The secret to send and the service it belongs to (its URL as it was when the secret was added). */
export interface CloudCredential {
  secret: string;
  serviceUrl: string;
}

interface RequestBase {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/api/v1/memo` (joined to the service URL) or an absolute http(s) URL. */
  path: string;
  /** What is asked, in words, for messages: "the memo", "the audio download". */
  what: string;
  /** A JSON body. */
  body?: unknown;
  auth?: CloudCredential | null;
  headers?: Record<string, string>;
  /** Safe to repeat after it was sent (default: every method but POST). */
  idempotent?: boolean;
  /** Names the feature a 404/501 means is not offered: the request then resolves `not-offered` instead of throwing. */
  capability?: string;
  attempts?: number;
  timeoutMs?: number;
  maxWaitMs?: number;
  /** The largest answer accepted (default 1 MiB; audio downloads ask for more). */
  maxBytes?: number;
  signal?: AbortSignal;
  onAnswer?: (status: number, headers: Headers) => void;
}

/** A request whose 2xx body is JSON checked by `json`, or (`bytes: true`) raw bytes such as audio. */
export type CloudRequest<T> = RequestBase & ({ json: z.ZodType<T>; bytes?: never } | { bytes: true; json?: never });

export type CloudResult<T> =
  | { kind: 'ok'; status: number; headers: Headers; value: T }
  | { kind: 'not-offered'; capability: string; status: number; code: string | null; message: string };

export interface CloudClientOptions {
  /** The service's root, e.g. `https://talk.onhyper.io`; null while none is set. Read at each request. */
  baseUrl: () => string | null;
  clock?: Clock;
  /** Waits `ms` (rejecting with an AbortError when `signal` aborts); tests pass a fake. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For the jitter (default Math.random). */
  random?: () => number;
  /** The backoff's first step and cap (default 1 s and 5 min). */
  backoff?: { baseMs?: number; capMs?: number };
  attempts?: number;
  /** Each try's time limit, connection to the last byte (default 30 s). */
  timeoutMs?: number;
  /** The longest Retry-After waited for (default 5 min). */
  maxWaitMs?: number;
}

export interface CloudClient {
  request(request: RequestBase & { bytes: true }): Promise<CloudResult<Uint8Array>>;
  request<T>(request: RequestBase & { json: z.ZodType<T> }): Promise<CloudResult<T>>;
  /** The service URL now (no trailing slash), or null; throws `bad-url` when it is not one keys may go to. */
  serviceUrl(): string | null;
}

/** The service's error envelope. */
const Envelope = z.object({
  error: z.object({ code: z.string(), message: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() }),
});

export function createCloudClient(options: CloudClientOptions): CloudClient {
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const baseMs = options.backoff?.baseMs ?? 1_000;
  const capMs = options.backoff?.capMs ?? 300_000;

  function serviceUrl(): string | null {
    const raw = options.baseUrl();
    if (raw === null || raw === '') return null;
    const problem = cloudUrlProblem(raw);
    if (problem) throw new CloudRequestError('bad-url', `${problem} It is "${raw}" now; change it in Settings.`, { what: 'the cloud URL', attempts: 0 });
    return raw.replace(/\/+$/, '');
  }

  function target(path: string, what: string): URL {
    if (/^https?:\/\//i.test(path)) return new URL(path);
    const base = serviceUrl();
    if (base === null) throw new CloudRequestError('bad-url', 'Set the Agent Talk cloud URL in Settings first.', { what, attempts: 0 });
    return new URL(`${base}${path.startsWith('/') ? '' : '/'}${path}`);
  }

  async function request<T>(req: CloudRequest<T>): Promise<CloudResult<T>> {
    const { what, signal } = req;
    if (signal?.aborted) throw abortError();
    const url = target(req.path, what);
    const headers: Record<string, string> = { Accept: req.bytes ? '*/*' : 'application/json', ...req.headers };
    if (req.auth) {
      if (origin(req.auth.serviceUrl) !== url.origin) {
        throw new CloudRequestError('wrong-service', `This key belongs to the Agent Talk service at ${req.auth.serviceUrl}, not to ${url.origin}; it is not sent anywhere else.`, { what, attempts: 0 });
      }
      if (cloudUrlProblem(url.href)) throw new CloudRequestError('bad-url', cloudUrlProblem(url.href)!, { what, attempts: 0 });
      headers.Authorization = `Bearer ${req.auth.secret}`;
    }
    let body: Uint8Array | undefined;
    if (req.body !== undefined) {
      body = new Uint8Array(Buffer.from(JSON.stringify(req.body), 'utf8'));
      headers['Content-Type'] = 'application/json';
    }
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const attempts = Math.max(1, req.attempts ?? options.attempts ?? 4);
    const maxWaitMs = req.maxWaitMs ?? options.maxWaitMs ?? 300_000;
    const backoff = (failures: number) => random() * Math.min(capMs, baseMs * 2 ** (failures - 1));
    const fail = (kind: CloudFailureKind, message: string, info: Partial<CloudRequestError['info']> & { attempts: number }) => new CloudRequestError(kind, message, { what, ...info });

    for (let tries = 1; ; tries++) {
      let answer: Exchange;
      try {
        answer = await exchange(url, {
          method: req.method,
          headers,
          ...(body && { body }),
          timeoutMs: req.timeoutMs ?? options.timeoutMs ?? 30_000,
          maxBytes: req.maxBytes ?? 1024 * 1024,
          ...(signal && { signal }),
        });
      } catch (error) {
        if (error instanceof TooLargeError) throw fail('bad-answer', `The Agent Talk cloud's answer (${what}) is ${error.message}.`, { attempts: tries });
        if (!(error instanceof TransportError)) throw error; // an AbortError
        if (error.stage === 'answer' && !idempotent) {
          throw fail('maybe-applied', `The connection to the Agent Talk cloud was lost after ${what} was sent (${error.message}): the service may have done it, and counted it.`, { attempts: tries });
        }
        // No connection in time is no connection: nothing was sent.
        const kind = error.timedOut && error.stage !== 'connect' ? 'timeout' : 'unreachable';
        if (tries >= attempts) {
          throw fail(kind, kind === 'timeout' ? `The Agent Talk cloud did not answer in time (${what}).` : `The Agent Talk cloud could not be reached (${what}): ${error.message}.`, { attempts: tries });
        }
        await sleep(backoff(tries), signal);
        continue;
      }

      req.onAnswer?.(answer.status, answer.headers);
      if (answer.status >= 200 && answer.status < 300) return { kind: 'ok', status: answer.status, headers: answer.headers, value: read(req, answer, tries) };

      const envelope = envelopeOf(answer.body);
      const info = { attempts: tries, status: answer.status, code: envelope?.code ?? null, serviceMessage: envelope?.message ?? null, details: envelope?.details ?? {}, headers: answer.headers };
      const label = `HTTP ${answer.status}${info.code ? ` ${info.code}` : ''}`;
      if ((answer.status === 404 || answer.status === 501) && req.capability) {
        return {
          kind: 'not-offered',
          capability: req.capability,
          status: answer.status,
          code: info.code,
          message: `This Agent Talk service does not offer ${req.capability} yet (${label}${info.serviceMessage ? `: ${info.serviceMessage}` : ''}).`,
        };
      }
      const retryAfter = retryAfterMs(answer.headers, clock());
      const retryAt = retryAfter === null ? null : new Date(clock().getTime() + retryAfter).toISOString();
      const retryable = answer.status === 429 || (answer.status >= 500 && answer.status !== 501);
      if (!retryable || tries >= attempts || (retryAfter !== null && retryAfter > maxWaitMs)) {
        throw fail('answered', `The Agent Talk cloud answered ${label} (${what})${info.serviceMessage ? `: ${info.serviceMessage}` : '.'}`, { ...info, retryAt, retryAfterMs: retryAfter });
      }
      await sleep(Math.max(backoff(tries), retryAfter ?? 0), signal);
    }
  }

  function read<T>(req: CloudRequest<T>, answer: Exchange, tries: number): T {
    if (req.bytes) return answer.body as T;
    const bad = (why: string) => new CloudRequestError('bad-answer', `The Agent Talk cloud answered ${req.what} with ${why}.`, { what: req.what, attempts: tries, status: answer.status });
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(answer.body).toString('utf8'));
    } catch {
      throw bad('something that is not JSON');
    }
    const parsed = req.json.safeParse(json);
    if (!parsed.success) throw bad(`JSON that is not what it should be (${parsed.error.issues[0]?.path.join('.') || 'the body'}: ${parsed.error.issues[0]?.message ?? ''})`);
    return parsed.data;
  }

  return { request: request as CloudClient['request'], serviceUrl };
}

/** The service's daily allowance for a key, from an answer's X-RateLimit-* headers; null numbers mean unlimited. */
export interface CloudRateLimit {
  limit: number | null;
  remaining: number | null;
  /** ISO 8601 UTC time of the next reset, or null when the service did not say. */
  resetAt: string | null;
}

/** X-RateLimit-Limit/Remaining/Reset (unix seconds) of an answer; null when it carries none. */
export function rateLimitOf(headers: Headers): CloudRateLimit | null {
  const limit = headers.get('x-ratelimit-limit');
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  if (limit === null && remaining === null && reset === null) return null;
  const count = (value: string | null) => (value !== null && /^\s*\d+\s*$/.test(value) ? Number(value) : null); // "unlimited" → null
  const resetSec = count(reset);
  return { limit: count(limit), remaining: count(remaining), resetAt: resetSec === null ? null : new Date(resetSec * 1000).toISOString() };
}

function envelopeOf(body: Uint8Array): z.infer<typeof Envelope>['error'] | null {
  try {
    const parsed = Envelope.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    return parsed.success ? parsed.data.error : null;
  } catch {
    return null; // not JSON: the status alone says what happened
  }
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
function retryAfterMs(headers: Headers, now: Date): number | null {
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

function origin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
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
