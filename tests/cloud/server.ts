/**
 * The contract server: a real HTTP server on 127.0.0.1 that answers as the Agent Talk cloud service does
 * (shared/AGENT-TALK-CLOUD.md) for what the app uses, so the app is tested against the protocol, not a mock of it.
 *
 *   GET  /health            {status:"ok", service, version, timestamp, ttsMode, database:{status}}; 503 when down
 *   GET  /api/v1/voices     {voices:[{id,name,gender,description}]}: the service's 12 voices, in its order
 *   POST /api/v1/memo       Authorization: Bearer <key>, {text, voice} → 201 {id, text, voice, audio:{url,duration,format}, createdAt}
 *   GET  /audio/:filename   the memo's audio (audio/mpeg, immutable cache)
 *
 * As the service: keys are `at_live_`/`at_test_` + 43 url-safe base64 characters, known by their SHA-256 only;
 * none → 401 MISSING_API_KEY, unknown → 401 INVALID_API_KEY, revoked → 403 REVOKED_KEY; per-tier calls per day and
 * month (429 DAILY_LIMIT_EXCEEDED / MONTHLY_LIMIT_EXCEEDED with {limit, used, resetAt} and Retry-After), concurrent
 * requests (429 RATE_LIMIT_EXCEEDED) and characters per memo (400 VALIDATION_ERROR); every error body is
 * `{error:{code, message, details?}}`; every response carries X-RateLimit-Limit/Remaining/Reset (a key's daily
 * count; `unlimited` for enterprise keys and for requests no valid key is counted against, as the service writes
 * its unlimited case); `audio.duration` is the service's estimate from the text length, not the audio's length.
 *
 * As the service really answers (its server code, run locally), quirks the app must live with: `/audio/:file`
 * carries `Content-Length` twice (the same value); a missing audio file is a 500 STORAGE_ERROR; a call is counted
 * once it passes the limit checks, before its body is validated (a refused text still spends one); and when its
 * voice engine fails it still answers 201, with 316 bytes of silence: one MP3 frame cut short (`silentAudio`).
 *
 * Where it differs, on purpose: the audio is real audio of a synthesized speech-like signal (see audio.ts), MP3 by
 * default as the service's, WAV when a test asks (then labelled `format: "wav"`, honestly); the count is exact (the
 * service's counter can let two concurrent calls through). Test-only controls: the audio settings (an http URL on
 * this server or a data: URL, MP3 encoding options), accounts and their counters, health, and a queue of injected
 * faults (a status, a raw body, a delay, a connection dropped before or after the request was handled, a request
 * handled twice or never answered, expired sessions, the silent fallback). The session routes (the account, its
 * keys, subscription, usage, and the switch to today's 501s) are in session.ts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durationOf, mp3Of, speak, wavOf, type Mp3Options } from './audio';
import { HttpError, MESSAGES } from './http-error';
import { createSessionRoutes, type SessionRoutes } from './session';

// --- what the service holds --------------------------------------------------------------------------------------

export type Tier = 'hobby' | 'pro' | 'enterprise';

/** The service's plans (AGENT-TALK-CLOUD.md, "Tiers and limits"); null is unlimited. Kept apart from the app's copy. */
export const SERVICE_TIERS: Readonly<Record<Tier, { callsPerDay: number | null; callsPerMonth: number | null; charsPerMemo: number | null; concurrent: number }>> = {
  hobby: { callsPerDay: 100, callsPerMonth: 3_000, charsPerMemo: 5_000, concurrent: 1 },
  pro: { callsPerDay: 1_000, callsPerMonth: 30_000, charsPerMemo: 20_000, concurrent: 5 },
  enterprise: { callsPerDay: null, callsPerMonth: null, charsPerMemo: null, concurrent: 50 },
};

/** The service's voices, with its ids, names, genders and descriptions, in the order it lists them. */
export const SERVICE_VOICES = [
  { id: 'rachel', name: 'Rachel', gender: 'female', description: 'Calm, professional' },
  { id: 'domi', name: 'Domi', gender: 'female', description: 'Strong, confident' },
  { id: 'bella', name: 'Bella', gender: 'female', description: 'Soft, warm' },
  { id: 'adam', name: 'Adam', gender: 'male', description: 'Deep narration' },
  { id: 'sam', name: 'Sam', gender: 'male', description: 'Conversational' },
  { id: 'charlie', name: 'Charlie', gender: 'male', description: 'Casual conversational' },
  { id: 'emily', name: 'Emily', gender: 'female', description: 'Soft, gentle' },
  { id: 'ethan', name: 'Ethan', gender: 'male', description: 'Young male' },
  { id: 'freya', name: 'Freya', gender: 'female', description: 'Young, energetic' },
  { id: 'dorothy', name: 'Dorothy', gender: 'female', description: 'Storyteller' },
  { id: 'bill', name: 'Bill', gender: 'male', description: 'Mature male' },
  { id: 'sarah', name: 'Sarah', gender: 'female', description: 'Professional female' },
] as const;

/** The code a status answers with when a fault names none. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'INVALID_API_KEY',
  403: 'REVOKED_KEY',
  404: 'NOT_FOUND',
  429: 'RATE_LIMIT_EXCEEDED',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  502: 'SERVICE_UNAVAILABLE',
  503: 'SERVICE_UNAVAILABLE',
  504: 'SERVICE_UNAVAILABLE',
};

// --- the test controls -------------------------------------------------------------------------------------------

export interface AudioSettings {
  /** `http`: `audio.url` is this server's `/audio/<file>`; `data`: a `data:audio/...;base64,` URL. */
  url: 'http' | 'data';
  /** `mp3` as the service sends (needs Debian's `lame`), or `wav`. */
  format: 'mp3' | 'wav';
  mp3: Mp3Options;
  /** Sample rate of WAV memos. */
  wavSampleRate: number;
  /** Overrides the `audio.format` label (to test that the app believes the bytes, not the label). */
  declaredFormat?: string;
}

/**
 * A fault the next matching request meets instead of (or before) its normal answer. Faults wait in a queue; the
 * first whose `path` matches a request applies to it, `times` times.
 */
export interface Fault {
  /** Only requests whose path starts with this (default: any request). */
  path?: string;
  /** Only requests with this method (default: any). */
  method?: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Wait this long first; then answer as below, or normally. */
  delayMs?: number;
  /** Destroy the connection without an answer (the request is not handled). */
  dropConnection?: boolean;
  /** Handle the request as usual (a memo is made and counted), then destroy the connection instead of answering. */
  dropAfterApply?: boolean;
  /** Make the memo as the service does when its voice engine fails: 201, with its 316-byte silent fallback audio. */
  silentAudio?: boolean;
  /** Answer with this status (and an error body `{error:{code, message, details?}}`) instead of handling it. */
  status?: number;
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
  /** Answer this raw body instead of an error body (e.g. broken JSON with a 201, or bytes that are not audio). */
  body?: string | Uint8Array;
  contentType?: string;
  /** A Retry-After header, in seconds (or an HTTP date). */
  retryAfter?: number | string;
  /** Handle the request twice, as a retrying proxy delivering it twice would, and answer the second. */
  deliverTwice?: boolean;
  /** Expire every session just before handling the request (it then meets 401 EXPIRED_TOKEN). */
  expireSessions?: boolean;
  /** Handle the request, then never answer (the client is killed or times out meanwhile); logged as `held`. */
  holdAfterApply?: boolean;
}

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  /** The Authorization header as sent, or null. */
  authorization: string | null;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** Milliseconds since the server started. */
  at: number;
  /**
   * The status answered; `dropped` by a fault (`applied-then-dropped` when it was handled first), `held` when it
   * was handled and never answered; `client-closed` when the client went away before the answer.
   */
  status: number | 'dropped' | 'applied-then-dropped' | 'held' | 'client-closed' | null;
  /** Whether an injected fault answered it (or delayed it). */
  fault: boolean;
}

/** A memo the server made, with the truth about its audio that the app's measurement is checked against. */
export interface ServedMemo {
  id: string;
  text: string;
  voice: string;
  file: string;
  format: 'mp3' | 'wav';
  bytes: Uint8Array;
  /** The audio's real length: its PCM sample count over its sample rate. */
  durationSec: number;
  /** What the service reports in `audio.duration`: its estimate from the text length. */
  reportedDuration: number;
  url: string;
}

export interface AccountOptions {
  /** An `at_test_` key instead of `at_live_`. */
  test?: boolean;
  usedToday?: number;
  usedThisMonth?: number;
}

export interface StartOptions {
  audio?: Partial<AudioSettings>;
  /** How long the text-to-speech takes for each memo, besides encoding (for concurrency tests). */
  memoLatencyMs?: number;
  clock?: () => Date;
}

export interface CloudServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** A key of an account on each tier, and a revoked one. */
  keys: { hobby: string; pro: string; enterprise: string; revoked: string };
  /** Every request, in arrival order. */
  requests: LoggedRequest[];
  memos: ServedMemo[];
  inject(fault: Fault): void;
  /** Drops every fault still waiting (the service is back). */
  clearFaults(): void;
  configure(audio: Partial<AudioSettings>): void;
  addAccount(tier: Tier, options?: AccountOptions): string;
  setUsage(key: string, usage: { today?: number; month?: number }): void;
  usage(key: string): { today: number; month: number };
  revoke(key: string): void;
  setHealthy(healthy: boolean): void;
  /** The account and its keys behind the session routes (session.ts), and the switch to today's 501s. */
  session: Omit<SessionRoutes, 'route' | 'countMemo'>;
  /** Stops listening, so connections are refused as when the service cannot be reached; accounts and memos stay. */
  goOffline(): Promise<void>;
  /** Listens again, on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The service's fallback audio when its voice engine fails, 316 bytes: the header of one MPEG-1 layer III frame
 * (128 kb/s, 44.1 kHz, mono: 417 bytes long) and zeros (no spectral data: silence), cut short at 316 bytes.
 */
export const SILENT_FALLBACK: Uint8Array = (() => {
  const bytes = new Uint8Array(316);
  bytes.set([0xff, 0xfb, 0x90, 0xc4]);
  return bytes;
})();

// --- the server --------------------------------------------------------------------------------------------------

interface Account {
  tier: Tier;
  active: boolean;
  day: string;
  today: number;
  month: string;
  thisMonth: number;
  inFlight: number;
}

const MAX_BODY = 1024 * 1024;
const AUDIO_FILE = /^audio_[a-z0-9_-]+\.(mp3|wav)$/i;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const utcMonth = (d: Date) => d.toISOString().slice(0, 7);
const nextMidnight = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
const nextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
const unixSeconds = (d: Date) => String(Math.floor(d.getTime() / 1000));
/** The service's `audio.duration`: 150 words a minute of 5 characters, to a tenth of a second. */
const estimateDuration = (text: string) => Math.round((text.length / 5 / 150) * 60 * 10) / 10;

export async function start(options: StartOptions = {}): Promise<CloudServer> {
  const clock = options.clock ?? (() => new Date());
  const startedAt = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'agent-talk-cloud-'));
  const closing = new AbortController();
  const audio: AudioSettings = { url: 'http', format: 'mp3', mp3: {}, wavSampleRate: 24_000, ...options.audio };
  const accounts = new Map<string, Account>(); // by SHA-256 of the key, as the service stores them
  const files = new Map<string, { bytes: Uint8Array; format: 'mp3' | 'wav' }>();
  const faults: Fault[] = [];
  const requests: LoggedRequest[] = [];
  const memos: ServedMemo[] = [];
  let healthy = true;
  let baseUrl = '';
  const queries = new WeakMap<IncomingMessage, URLSearchParams>();

  function addAccount(tier: Tier, account: AccountOptions = {}): string {
    const key = (account.test ? 'at_test_' : 'at_live_') + randomBytes(32).toString('base64url');
    const now = clock();
    accounts.set(sha256(key), {
      tier,
      active: true,
      day: utcDay(now),
      today: account.usedToday ?? 0,
      month: utcMonth(now),
      thisMonth: account.usedThisMonth ?? account.usedToday ?? 0,
      inFlight: 0,
    });
    return key;
  }
  const accountOf = (key: string) => {
    const account = accounts.get(sha256(key));
    if (!account) throw new Error('The contract server has no account with that key.');
    return rolled(account);
  };
  /** Counters start afresh on a new UTC day and month. */
  function rolled(account: Account): Account {
    const now = clock();
    if (account.day !== utcDay(now)) Object.assign(account, { day: utcDay(now), today: 0 });
    if (account.month !== utcMonth(now)) Object.assign(account, { month: utcMonth(now), thisMonth: 0 });
    return account;
  }

  const keys = {
    hobby: addAccount('hobby'),
    pro: addAccount('pro'),
    enterprise: addAccount('enterprise'),
    revoked: addAccount('hobby'),
  };
  accountOf(keys.revoked).active = false;

  const session = createSessionRoutes({
    clock,
    registerKey: (key, tier) => {
      const now = clock();
      accounts.set(sha256(key), { tier, active: true, day: utcDay(now), today: 0, month: utcMonth(now), thisMonth: 0, inFlight: 0 });
    },
    setKeyActive: (key, active) => {
      accountOf(key).active = active;
    },
  });

  /** X-RateLimit-* for an account's daily count, or for a request no valid key is counted against. */
  function rateHeaders(account: Account | null): Record<string, string> {
    const now = clock();
    const limit = account ? SERVICE_TIERS[account.tier].callsPerDay : null;
    return {
      'X-RateLimit-Limit': limit === null ? 'unlimited' : String(limit),
      'X-RateLimit-Remaining': limit === null ? 'unlimited' : String(Math.max(0, limit - account!.today)),
      'X-RateLimit-Reset': unixSeconds(nextMidnight(now)),
    };
  }

  /** The account an Authorization header names, as the service authenticates: throws its 401/403 errors. */
  function authenticate(header: string | undefined): Account {
    const key = bearerKey(header);
    if (!key.startsWith('at_live_') && !key.startsWith('at_test_')) throw new HttpError(401, 'MISSING_API_KEY');
    const account = accounts.get(sha256(key));
    if (!account) throw new HttpError(401, 'INVALID_API_KEY');
    if (!account.active) throw new HttpError(403, 'REVOKED_KEY');
    return rolled(account);
  }
  /** The valid account a request carries, if any, for its rate-limit headers; never throws. */
  function accountIn(req: IncomingMessage): Account | null {
    try {
      return authenticate(req.headers.authorization);
    } catch {
      return null;
    }
  }

  function takeFault(method: string, path: string): Fault | null {
    const index = faults.findIndex((f) => path.startsWith(f.path ?? '') && (f.method === undefined || f.method === method));
    if (index < 0) return null;
    const fault = faults[index]!;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) faults.splice(index, 1);
    else faults[index] = { ...fault, times: left };
    return fault;
  }

  // --- routes ---

  async function createMemo(req: IncomingMessage, raw: Buffer, silent: boolean): Promise<{ status: number; body: unknown; account: Account }> {
    const account = authenticate(req.headers.authorization);
    const limits = SERVICE_TIERS[account.tier];
    const now = clock();
    if (limits.callsPerMonth !== null && account.thisMonth >= limits.callsPerMonth) {
      const resetAt = nextMonth(now);
      throw new HttpError(429, 'MONTHLY_LIMIT_EXCEEDED', undefined, { limit: limits.callsPerMonth, used: account.thisMonth, resetAt: resetAt.toISOString() }, retryAfter(now, resetAt));
    }
    if (limits.callsPerDay !== null && account.today >= limits.callsPerDay) {
      const resetAt = nextMidnight(now);
      throw new HttpError(429, 'DAILY_LIMIT_EXCEEDED', undefined, { limit: limits.callsPerDay, used: account.today, resetAt: resetAt.toISOString() }, retryAfter(now, resetAt));
    }
    if (account.inFlight >= limits.concurrent) throw new HttpError(429, 'RATE_LIMIT_EXCEEDED', undefined, undefined, { 'Retry-After': '1' });
    // Counted here, as the service counts: before the body is validated, so a refused body still spends a call.
    account.today++;
    account.thisMonth++;

    account.inFlight++;
    try {
      let body: { text?: unknown; voice?: unknown };
      try {
        body = JSON.parse(raw.toString('utf8')) as typeof body;
        if (typeof body !== 'object' || body === null) throw new Error('not an object');
      } catch {
        throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid JSON body');
      }
      const { text, voice } = body;
      if (text === undefined || text === null || text === '') throw new HttpError(400, 'MISSING_FIELD', 'Missing required field: text', { field: 'text' });
      if (typeof text !== 'string') throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid text: expected string', { field: 'text', reason: 'expected string', providedType: typeof text });
      if (limits.charsPerMemo !== null && text.length > limits.charsPerMemo) {
        throw new HttpError(400, 'VALIDATION_ERROR', `Character limit exceeded. Your tier allows up to ${limits.charsPerMemo} characters per memo.`, {
          field: 'text',
          limit: limits.charsPerMemo,
          provided: text.length,
          tier: account.tier,
        });
      }
      if (voice === undefined || voice === null || voice === '') throw new HttpError(400, 'MISSING_FIELD', 'Missing required field: voice', { field: 'voice' });
      if (typeof voice !== 'string') throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid voice: expected string', { field: 'voice', reason: 'expected string', providedType: typeof voice });
      const spec = SERVICE_VOICES.find((v) => v.id === voice.toLowerCase());
      if (!spec) {
        throw new HttpError(400, 'INVALID_VOICE', `Invalid voice: "${voice}"`, { field: 'voice', requestedVoice: voice, availableVoices: SERVICE_VOICES.map((v) => v.id) });
      }

      if (options.memoLatencyMs) await sleep(options.memoLatencyMs, closing.signal);
      const memo = silent ? serveSilence(text, spec.id) : await synthesize(text, spec.id);
      session.countMemo(bearerKey(req.headers.authorization), text.length);
      return {
        status: 201,
        account,
        body: {
          id: memo.id,
          text,
          voice: { ...spec },
          audio: { url: memo.url, duration: memo.reportedDuration, format: audio.declaredFormat ?? memo.format },
          createdAt: clock().toISOString(),
        },
      };
    } finally {
      account.inFlight--;
    }
  }

  async function synthesize(text: string, voice: string): Promise<ServedMemo> {
    const { format } = audio;
    const pcm = speak(text, voice, format === 'mp3' ? (audio.mp3.sampleRate ?? 44_100) : audio.wavSampleRate);
    const bytes = format === 'mp3' ? await mp3Of(pcm, workDir, audio.mp3) : wavOf(pcm);
    const id = randomUUID();
    const file = `audio_${id.replaceAll('-', '')}.${format}`;
    const mime = format === 'mp3' ? 'audio/mpeg' : 'audio/wav';
    files.set(file, { bytes, format });
    const url = audio.url === 'data' ? `data:${mime};base64,${Buffer.from(bytes).toString('base64')}` : `${baseUrl}/audio/${file}`;
    const memo: ServedMemo = { id, text, voice, file, format, bytes, durationSec: durationOf(pcm), reportedDuration: estimateDuration(text), url };
    memos.push(memo);
    return memo;
  }

  /** The service's fallback when its voice engine fails: SILENT_FALLBACK, served like any memo's audio. */
  function serveSilence(text: string, voice: string): ServedMemo {
    const id = randomUUID();
    const file = `audio_${id.replaceAll('-', '')}.mp3`;
    const bytes = SILENT_FALLBACK;
    files.set(file, { bytes, format: 'mp3' });
    const url = audio.url === 'data' ? `data:audio/mpeg;base64,${Buffer.from(bytes).toString('base64')}` : `${baseUrl}/audio/${file}`;
    const memo: ServedMemo = { id, text, voice, file, format: 'mp3', bytes, durationSec: 0, reportedDuration: estimateDuration(text), url };
    memos.push(memo);
    return memo;
  }

  async function route(req: IncomingMessage, raw: Buffer, path: string, query: URLSearchParams, silent = false): Promise<{ status: number; body: unknown; headers?: Record<string, string>; account?: Account | null }> {
    const method = req.method ?? 'GET';
    const sessionAnswer = session.route(req, raw, path, query);
    if (sessionAnswer) return typeof sessionAnswer.body === 'string' ? { ...sessionAnswer, headers: { 'Content-Type': 'text/plain; charset=utf-8' } } : sessionAnswer;
    if (method === 'GET' && path === '/health') {
      const base = { service: 'Agent Talk API', version: '1.0.0', timestamp: clock().toISOString(), ttsMode: 'simulation' };
      return healthy
        ? { status: 200, body: { status: 'ok', ...base, database: { status: 'ok' } } }
        : { status: 503, body: { status: 'error', ...base, error: 'Database unavailable' } };
    }
    if (method === 'GET' && path === '/api/v1/voices') return { status: 200, body: { voices: SERVICE_VOICES.map((v) => ({ ...v })) } };
    if (method === 'POST' && path === '/api/v1/memo') return createMemo(req, raw, silent);
    throw new HttpError(404, 'NOT_FOUND');
  }

  // --- plumbing ---

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    queries.set(req, url.searchParams);
    const entry: LoggedRequest = {
      seq: requests.length + 1,
      method: req.method ?? 'GET',
      path: url.pathname,
      authorization: req.headers.authorization ?? null,
      at: Date.now() - startedAt,
      status: null,
      fault: false,
    };
    requests.push(entry);
    res.on('close', () => {
      if (entry.status === null || entry.status === 'held') entry.status = 'client-closed';
    });
    handle(req, res, entry).catch((error: unknown) => {
      // Only a broken connection gets here; an answer already begun cannot be replaced.
      if (!res.headersSent && !res.destroyed) reply(res, entry, 500, { error: { code: 'INTERNAL_ERROR', message: String(error) } }, rateHeaders(null));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, entry: LoggedRequest): Promise<void> {
    const raw = await readBody(req);
    if (raw === null) {
      reply(res, entry, 413, { error: { code: 'VALIDATION_ERROR', message: 'Request body too large' } }, rateHeaders(null));
      return;
    }
    if (raw.length > 0 && /json/i.test(req.headers['content-type'] ?? '')) {
      try {
        entry.body = JSON.parse(raw.toString('utf8'));
      } catch {
        entry.body = raw.toString('utf8');
      }
    }

    const query = queries.get(req) ?? new URLSearchParams();
    const fault = takeFault(entry.method, entry.path);
    if (fault?.expireSessions) session.expireSessions();
    if (fault) {
      entry.fault = true;
      if (fault.delayMs) await sleep(fault.delayMs, closing.signal);
      if (res.destroyed || closing.signal.aborted) return;
      if (fault.dropConnection || fault.dropAfterApply) {
        if (fault.dropAfterApply) await route(req, raw, entry.path, query, fault.silentAudio).catch(() => undefined);
        entry.status = fault.dropAfterApply ? 'applied-then-dropped' : 'dropped';
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        const headers: Record<string, string> = { ...rateHeaders(accountIn(req)) };
        if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
        if (fault.body !== undefined) {
          reply(res, entry, fault.status, fault.body, { ...headers, 'Content-Type': fault.contentType ?? 'application/json' });
        } else {
          const code = fault.code ?? CODE_OF_STATUS[fault.status] ?? 'INTERNAL_ERROR';
          const error = { code, message: fault.message ?? MESSAGES[code] ?? code, ...(fault.details && { details: fault.details }) };
          reply(res, entry, fault.status, { error }, headers);
        }
        return;
      }
    }

    if (req.method === 'GET' && entry.path.startsWith('/audio/')) {
      const name = decodeURIComponent(entry.path.slice('/audio/'.length));
      const file = AUDIO_FILE.test(name) ? files.get(name) : undefined;
      if (!file) {
        // As the service: its storage read fails, and says so with a 500.
        reply(res, entry, 500, { error: { code: 'STORAGE_ERROR', message: 'Failed to read audio file' } }, rateHeaders(null));
        return;
      }
      // As the service: Content-Length twice, with the same value.
      const length = String(file.bytes.byteLength);
      entry.status = 200;
      res.writeHead(200, [
        ...Object.entries(rateHeaders(null)).flat(),
        ...['Content-Type', file.format === 'mp3' ? 'audio/mpeg' : 'audio/wav', 'Cache-Control', 'public, max-age=31536000, immutable', 'Accept-Ranges', 'bytes'],
        ...['Content-Length', length, 'Content-Length', length],
      ]);
      res.end(file.bytes);
      return;
    }

    try {
      if (fault?.deliverTwice) await route(req, raw, entry.path, query).catch(() => undefined);
      const answer = await route(req, raw, entry.path, query, fault?.silentAudio);
      if (fault?.holdAfterApply) {
        entry.status = 'held';
        return;
      }
      if (res.destroyed) return;
      reply(res, entry, answer.status, answer.body, { ...rateHeaders(answer.account ?? accountIn(req)), ...answer.headers });
    } catch (error) {
      if (res.destroyed) return;
      if (error instanceof HttpError) {
        const body = { error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) } };
        reply(res, entry, error.status, body, { ...rateHeaders(accountIn(req)), ...error.headers });
      } else {
        reply(res, entry, 500, { error: { code: 'INTERNAL_ERROR', message: MESSAGES.INTERNAL_ERROR } }, rateHeaders(null));
      }
    }
  }

  function reply(res: ServerResponse, entry: LoggedRequest, status: number, body: unknown, headers: Record<string, string>): void {
    const payload = body instanceof Uint8Array ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    entry.status = status;
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      ...headers,
      'Content-Length': String(payload.byteLength),
    });
    res.end(payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    keys,
    requests,
    memos,
    inject(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults.splice(0);
    },
    configure(settings) {
      Object.assign(audio, settings);
    },
    addAccount,
    setUsage(key, usage) {
      const account = accountOf(key);
      if (usage.today !== undefined) account.today = usage.today;
      if (usage.month !== undefined) account.thisMonth = usage.month;
    },
    usage(key) {
      const account = accountOf(key);
      return { today: account.today, month: account.thisMonth };
    },
    revoke(key) {
      accountOf(key).active = false;
    },
    setHealthy(value) {
      healthy = value;
    },
    session: {
      addUser: session.addUser,
      addKey: session.addKey,
      user: session.user,
      keysOf: session.keysOf,
      key: session.key,
      setSessionRoutes: session.setSessionRoutes,
      expireSessions: session.expireSessions,
    },
    async goOffline() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async comeBack() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async close() {
      closing.abort();
      await new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

// --- helpers -----------------------------------------------------------------------------------------------------

/** The key an Authorization header carries: `Bearer <key>` or the bare key, as the service reads it. */
function bearerKey(header: string | undefined): string {
  const value = header?.trim() ?? '';
  return /^bearer\s/i.test(value) ? value.slice(7).trim() : value;
}

function retryAfter(now: Date, at: Date): Record<string, string> {
  return { 'Retry-After': String(Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000))) };
}

/** The whole body, or null past MAX_BODY. */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Resolves after `ms`, or at once when the server closes. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
