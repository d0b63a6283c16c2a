// The cloud engine against the real contract server on loopback: real HTTP, real MP3 from LAME, real faults.
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudClient, type CloudClientOptions } from '../../../src-main/services/cloud/client';
import { ServiceError } from '../../../src-main/services/errors';
import { CLOUD_VOICES, createCloudEngine, type CloudEngineOptions, type CloudRateLimit } from '../../../src-main/services/tts/engines/cloud';
import type { ServiceAnswer } from '../../../src-main/services/tts/engine';
import { decodeMp3, rms } from '../../cloud/audio';
import { SILENT_FALLBACK, start, type CloudServer, type StartOptions } from '../../cloud/server';
import { requireTools } from '../../support/require-tool';

const hasLame = requireTools(['lame'], 'cloud engine tests');

const servers: CloudServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: StartOptions = {}): Promise<CloudServer> {
  const server = await start(options);
  servers.push(server);
  return server;
}

/** A client of `url` with a quick backoff, so retry tests take milliseconds, not seconds. */
const clientOf = (url: string, options: Partial<CloudClientOptions> = {}) =>
  createCloudClient({ baseUrl: () => url, backoff: { baseMs: 20, capMs: 100 }, random: () => 0.5, attempts: 3, ...options });

/** An engine calling `server` with `key`. */
function engineFor(server: CloudServer, key: string | null = server.keys.pro, options: Partial<CloudEngineOptions> = {}) {
  return createCloudEngine({ client: clientOf(server.url), keyFor: async () => (key === null ? null : { secret: key, serviceUrl: server.url }), ...options });
}

/** The ServiceError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

const memoRequests = (server: CloudServer) => server.requests.filter((r) => r.path === '/api/v1/memo');
const statuses = (server: CloudServer, path = '/api/v1/memo') => server.requests.filter((r) => r.path.startsWith(path)).map((r) => r.status);
const nextMidnight = (d = new Date()) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Short words, commas: the service's estimate (from the character count) is far from the audio's real length.
const TEXT = 'Ok, see you at noon, by the old mill.';

describe.skipIf(!hasLame)('cloud engine', () => {
  describe('synthesize: real audio, measured', () => {
    it('downloads the MP3 from an http URL and measures its length from the audio, not from the answer', async () => {
      const server = await serve();
      const result = await engineFor(server).synthesize(TEXT, 'rachel');
      const [memo] = server.memos;
      expect(result.format).toBe('mp3');
      expect(sameBytes(result.audio, memo!.bytes)).toBe(true);
      // LAME's Info header gives the frame count, delay and padding: the exact length, to the sample.
      expect(Math.abs(result.durationSec - memo!.durationSec)).toBeLessThan(0.001);
      expect(Math.abs(memo!.reportedDuration - memo!.durationSec)).toBeGreaterThan(0.5);
      expect(statuses(server, '/')).toEqual([201, 200]);
      expect(server.requests[1]!.path).toMatch(/^\/audio\/audio_[a-z0-9]+\.mp3$/);
      expect(server.requests[1]!.authorization).toBeNull(); // the key goes only to the API
      expect(memoRequests(server)[0]!.body).toEqual({ text: TEXT, voice: 'rachel' });
      expect(memoRequests(server)[0]!.authorization).toBe(`Bearer ${server.keys.pro}`);
      expect(rms(await decodeMp3(result.audio))).toBeGreaterThan(0.02); // it plays: a signal, not silence
    });

    it('takes the MP3 from a data: URL, without a download', async () => {
      const server = await serve({ audio: { url: 'data' } });
      const result = await engineFor(server).synthesize(TEXT, 'adam');
      expect(result.format).toBe('mp3');
      expect(sameBytes(result.audio, server.memos[0]!.bytes)).toBe(true);
      expect(Math.abs(result.durationSec - server.memos[0]!.durationSec)).toBeLessThan(0.001);
      expect(server.requests.map((r) => r.path)).toEqual(['/api/v1/memo']);
      expect(rms(await decodeMp3(result.audio))).toBeGreaterThan(0.02);
    });

    it.each([
      ['VBR with a Xing header', { vbr: true }, 0.001],
      ['CBR with no header (frames summed)', { infoTag: false }, 0.1],
      ['MPEG-2 at 24 kHz, 48 kb/s, no header (as Edge TTS sends)', { sampleRate: 24_000, bitrate: 48, infoTag: false }, 0.1],
      ['behind an ID3v2 tag', { id3: true }, 0.001],
    ] as const)('measures MP3 %s', async (_, mp3, tolerance) => {
      const server = await serve({ audio: { mp3 } });
      const result = await engineFor(server).synthesize(TEXT, 'sam');
      expect(result.format).toBe('mp3');
      expect(Math.abs(result.durationSec - server.memos[0]!.durationSec)).toBeLessThan(tolerance);
    });

    it('believes the bytes over the label: WAV labelled mp3 is WAV, timed from its header', async () => {
      const server = await serve({ audio: { format: 'wav', declaredFormat: 'mp3' } });
      const result = await engineFor(server).synthesize(TEXT, 'emily');
      expect(result.format).toBe('wav');
      expect(result.durationSec).toBeCloseTo(server.memos[0]!.durationSec, 6);
    });

    it('falls back to the service\'s duration only for MPEG audio it cannot time (free-format bitrate)', async () => {
      const server = await serve();
      const freeFormat = Buffer.alloc(10 + 20 * 400);
      freeFormat.write('ID3\x04', 0, 'latin1');
      for (let i = 0; i < 20; i++) freeFormat.set([0xff, 0xfb, 0x00, 0xc4], 10 + i * 400); // bitrate index 0: "free"
      server.inject({ path: '/audio/', status: 200, body: new Uint8Array(freeFormat), contentType: 'audio/mpeg' });
      const result = await engineFor(server).synthesize(TEXT, 'rachel');
      expect(result.format).toBe('mp3');
      expect(result.durationSec).toBe(server.memos[0]!.reportedDuration);
    });

    it('lists the service\'s 12 voices, as its /api/v1/voices does', async () => {
      const server = await serve();
      const { voices } = (await (await fetch(`${server.url}/api/v1/voices`)).json()) as { voices: object[] };
      const engine = engineFor(server);
      expect(engine.voices()).toEqual(voices.map((v) => ({ ...v, engine: 'cloud' })));
      expect(engine.voices()).toEqual(CLOUD_VOICES);
      expect(engine.id).toBe('cloud');
    });
  });

  describe('rate-limit headers', () => {
    it('keeps the last X-RateLimit-* reading and tells listeners', async () => {
      const server = await serve({ audio: { url: 'data' } });
      const key = server.addAccount('hobby', { usedToday: 10 });
      const engine = engineFor(server, key);
      const seen: CloudRateLimit[] = [];
      engine.onRateLimit((r) => seen.push(r));
      expect(engine.lastRateLimit).toBeNull();
      await engine.synthesize('One.', 'rachel');
      await engine.synthesize('Two.', 'rachel');
      const reset = nextMidnight().toISOString();
      expect(seen).toEqual([
        { limit: 100, remaining: 89, resetAt: reset },
        { limit: 100, remaining: 88, resetAt: reset },
      ]);
      expect(engine.lastRateLimit).toEqual({ limit: 100, remaining: 88, resetAt: reset });
    });

    it('reads "unlimited" as null for an enterprise key, and ignores answers to a key refused', async () => {
      const server = await serve({ audio: { url: 'data' } });
      const engine = engineFor(server, server.keys.enterprise);
      await engine.synthesize('Unlimited.', 'bill');
      expect(engine.lastRateLimit).toEqual({ limit: null, remaining: null, resetAt: nextMidnight().toISOString() });

      const revoked = engineFor(server, server.keys.revoked);
      await refusal(revoked.synthesize('No.', 'bill'));
      expect(revoked.lastRateLimit).toBeNull();
    });
  });

  describe('typed errors', () => {
    it('INVALID_API_KEY when there is no key (no call made) or the service does not know it', async () => {
      const server = await serve();
      const none = await refusal(engineFor(server, null).synthesize(TEXT, 'rachel'));
      expect(none.code).toBe('INVALID_API_KEY');
      expect(server.requests).toHaveLength(0);

      const unknown = await refusal(engineFor(server, `at_live_${'x'.repeat(43)}`).synthesize(TEXT, 'rachel'));
      expect(unknown.code).toBe('INVALID_API_KEY');
      expect(unknown.details).toMatchObject({ status: 401, cloudCode: 'INVALID_API_KEY' });
      expect(unknown.message).not.toContain('at_live_');
      expect(statuses(server)).toEqual([401]); // not retried
    });

    it('REVOKED_KEY for a revoked key', async () => {
      const server = await serve();
      const error = await refusal(engineFor(server, server.keys.revoked).synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('REVOKED_KEY');
      expect(statuses(server)).toEqual([403]);
    });

    it('DAILY_LIMIT_EXCEEDED with {limit, used, resetAt}, at once: the reset is hours away', async () => {
      const server = await serve();
      const key = server.addAccount('hobby', { usedToday: 100 });
      const error = await refusal(engineFor(server, key).synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('DAILY_LIMIT_EXCEEDED');
      expect(error.details).toMatchObject({ limit: 100, used: 100, resetAt: nextMidnight().toISOString(), cloudCode: 'DAILY_LIMIT_EXCEEDED' });
      expect(statuses(server)).toEqual([429]);
    });

    it('MONTHLY_LIMIT_EXCEEDED with the first of next month as resetAt', async () => {
      const server = await serve();
      const key = server.addAccount('pro', { usedThisMonth: 30_000 });
      const error = await refusal(engineFor(server, key).synthesize(TEXT, 'rachel'));
      const now = new Date();
      expect(error.code).toBe('MONTHLY_LIMIT_EXCEEDED');
      expect(error.details).toMatchObject({ limit: 30_000, used: 30_000, resetAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString() });
    });

    it('RATE_LIMIT_EXCEEDED with retryAfterSec when the service asks for a long wait', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfter: 60 });
      const error = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(error.details).toMatchObject({ retryAfterSec: 60 });
      expect(statuses(server)).toEqual([429]);
    });

    it('CLOUD_UNAVAILABLE after the bounded tries when 5xx persists; 501 is not retried', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 503, times: 5 });
      const error = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('CLOUD_UNAVAILABLE');
      expect(error.details).toMatchObject({ status: 503, cloudCode: 'SERVICE_UNAVAILABLE', attempts: 3 });
      expect(statuses(server)).toEqual([503, 503, 503]);

      const other = await serve();
      other.inject({ path: '/api/v1/memo', status: 501 });
      expect((await refusal(engineFor(other).synthesize(TEXT, 'rachel'))).code).toBe('CLOUD_UNAVAILABLE');
      expect(statuses(other)).toEqual([501]);
    });

    it('CLOUD_UNAVAILABLE when nothing listens, and when every try times out', async () => {
      const gone = await serve();
      const url = gone.url;
      await gone.close();
      servers.splice(servers.indexOf(gone), 1);
      const engine = createCloudEngine({ client: clientOf(url), keyFor: async () => ({ secret: gone.keys.pro, serviceUrl: url }) });
      const error = await refusal(engine.synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('CLOUD_UNAVAILABLE');
      expect(error.details).toMatchObject({ reason: 'unreachable', attempts: 3 });

      const misconfigured = createCloudEngine({ client: clientOf('talk.example'), keyFor: async () => ({ secret: gone.keys.pro, serviceUrl: url }) });
      expect((await refusal(misconfigured.synthesize(TEXT, 'rachel'))).details).toMatchObject({ reason: 'bad-base-url' });

      // A memo request sent whole and not answered in time may have been made: it is not sent again.
      const slow = await serve();
      slow.inject({ path: '/api/v1/memo', delayMs: 5_000, times: 3 });
      const timeout = await refusal(engineFor(slow, slow.keys.pro, { requestTimeoutMs: 200 }).synthesize(TEXT, 'rachel'));
      expect(timeout).toMatchObject({ code: 'CLOUD_ANSWER_LOST', details: { reason: 'maybe-applied' } });
      expect(memoRequests(slow)).toHaveLength(1);
    });

    it('VALIDATION_ERROR for a voice that is not a cloud voice, TEXT_TOO_LONG past the plan\'s characters', async () => {
      const server = await serve();
      expect((await refusal(engineFor(server).synthesize(TEXT, 'flite:kal'))).code).toBe('VALIDATION_ERROR');
      expect((await refusal(engineFor(server).synthesize('   ', 'rachel'))).code).toBe('VALIDATION_ERROR');
      expect(server.requests).toHaveLength(0);

      const long = await refusal(engineFor(server, server.keys.hobby).synthesize('a'.repeat(5_001), 'rachel'));
      expect(long.code).toBe('TEXT_TOO_LONG');
      expect(long.details).toMatchObject({ limit: 5_000, used: 5_001 });
    });

    it('TTS_FAILED for an answer that is not JSON, or has no audio; not retried (the memo may exist)', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 201, body: '{"id": "memo_1", "audio": {"url": ' });
      const bad = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
      expect(bad.code).toBe('TTS_FAILED');
      expect(bad.details).toMatchObject({ reason: 'bad-response' });

      server.inject({ path: '/api/v1/memo', status: 201, body: JSON.stringify({ id: 'memo_2', text: TEXT }) });
      expect((await refusal(engineFor(server).synthesize(TEXT, 'rachel'))).details).toMatchObject({ reason: 'bad-response' });
      expect(statuses(server)).toEqual([201, 201]);
    });

    it('TTS_FAILED for a download that is not audio, or is gone', async () => {
      const server = await serve();
      server.inject({ path: '/audio/', status: 200, body: '<html>Sign in</html>', contentType: 'text/html' });
      expect((await refusal(engineFor(server).synthesize(TEXT, 'rachel'))).details).toMatchObject({ reason: 'bad-audio' });

      const truncatedWav = new Uint8Array(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00', 'latin1'));
      server.inject({ path: '/audio/', status: 200, body: truncatedWav, contentType: 'audio/wav' });
      expect((await refusal(engineFor(server).synthesize(TEXT, 'rachel'))).details).toMatchObject({ reason: 'bad-audio', format: 'wav' });

      server.inject({ path: '/audio/', status: 404 });
      expect((await refusal(engineFor(server).synthesize(TEXT, 'rachel'))).details).toMatchObject({ reason: 'audio-download', status: 404 });
    });
  });

  describe('retries', () => {
    it('succeeds after two injected 503s: three requests, one memo', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 503, times: 2 });
      const result = await engineFor(server).synthesize(TEXT, 'rachel');
      expect(statuses(server)).toEqual([503, 503, 201]);
      expect(server.memos).toHaveLength(1);
      expect(sameBytes(result.audio, server.memos[0]!.bytes)).toBe(true);
    });

    it('does not send a memo request again after its connection dropped: the service may have made it', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', dropConnection: true });
      const error = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
      expect(error).toMatchObject({ code: 'CLOUD_ANSWER_LOST', details: { reason: 'maybe-applied' } });
      expect(statuses(server)).toEqual(['dropped']);
    });

    it('retries a failed download alone, never making a second memo', async () => {
      const server = await serve();
      server.inject({ path: '/audio/', status: 502 });
      server.inject({ path: '/audio/', dropConnection: true });
      const result = await engineFor(server).synthesize(TEXT, 'rachel');
      expect(server.requests.map((r) => `${r.method} ${r.path.split('/')[1]} ${r.status}`)).toEqual(['POST api 201', 'GET audio 502', 'GET audio dropped', 'GET audio 200']);
      expect(server.memos).toHaveLength(1);
      expect(result.durationSec).toBeGreaterThan(0);
    });

    it('honors Retry-After on a 429: waits, then retries once and succeeds', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfter: 1 });
      await engineFor(server).synthesize(TEXT, 'rachel');
      const [first, second] = memoRequests(server);
      expect([first!.status, second!.status]).toEqual([429, 201]);
      // Timers never fire early, so this lower bound cannot flake (there is no upper bound).
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    });

    it('retries a 429 within the tries, then says so', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfter: 0, times: 3 });
      const error = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(statuses(server)).toEqual([429, 429, 429]);
    });

    it('waits out a concurrency refusal from the service (hobby: one at a time)', async () => {
      // The first holds the one slot for 500 ms; the second, refused meanwhile, comes back after Retry-After: 1.
      const server = await serve({ memoLatencyMs: 500, audio: { url: 'data' } });
      const engine = engineFor(server, server.keys.hobby);
      const results = await Promise.all([engine.synthesize('First.', 'rachel'), engine.synthesize('Second.', 'rachel')]);
      expect(results.every((r) => r.durationSec > 0)).toBe(true);
      // Refused at least once meanwhile (more often on a busy machine, where the first takes longer than Retry-After).
      const answered = statuses(server);
      expect(answered.filter((s) => s === 201)).toHaveLength(2);
      expect(answered.filter((s) => s !== 201).length).toBeGreaterThanOrEqual(1);
      expect(answered.every((s) => s === 201 || s === 429)).toBe(true);
    });

    it('does not wait for a 503\'s Retry-After beyond the limit', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 503, retryAfter: 120 });
      const error = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('CLOUD_UNAVAILABLE');
      expect(error.details.retryAt).toEqual(expect.any(String));
      expect(statuses(server)).toEqual([503]);
    });
  });

  describe('the service as it really answers', () => {
    it('takes audio sent with Content-Length twice (the same value), which fetch refuses', async () => {
      const server = await serve();
      const result = await engineFor(server).synthesize(TEXT, 'rachel');
      expect(sameBytes(result.audio, server.memos[0]!.bytes)).toBe(true);
      expect(statuses(server, '/')).toEqual([201, 200]);
      await expect(fetch(server.memos[0]!.url)).rejects.toThrow(); // what the app met: "the cloud could not be reached"
    });

    it('says the service answered with silence for its 316-byte fallback (one MP3 frame cut short)', async () => {
      for (const url of ['http', 'data'] as const) {
        const server = await serve({ audio: { url } });
        server.inject({ path: '/api/v1/memo', silentAudio: true });
        const error = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
        expect(error.code).toBe('TTS_FAILED');
        expect(error.message).toMatch(/answered with silence/);
        expect(error.details).toMatchObject({ reason: 'silent', format: 'mp3', bytes: SILENT_FALLBACK.length });
        expect(memoRequests(server)).toHaveLength(1);
      }
    });

    it('tells the service\'s answer as soon as it arrives, and fetches a kept answer\'s audio without asking again', async () => {
      const server = await serve();
      server.inject({ path: '/audio/', status: 500, code: 'STORAGE_ERROR', times: 3 });
      const answers: ServiceAnswer[] = [];
      const engine = engineFor(server);
      const error = await refusal(engine.synthesize(TEXT, 'rachel', { onAnswer: async (a) => void answers.push(a) }));
      expect(error.code).toBe('CLOUD_UNAVAILABLE');
      const [memo] = server.memos;
      expect(answers).toEqual([{ memoId: memo!.id, audioUrl: memo!.url, durationSec: memo!.reportedDuration }]);

      const result = await engine.synthesize(TEXT, 'rachel', { kept: answers[0]! });
      expect(sameBytes(result.audio, memo!.bytes)).toBe(true);
      expect(memoRequests(server)).toHaveLength(1); // one memo asked for, one counted
      expect(server.usage(server.keys.pro).today).toBe(1);
      expect(statuses(server, '/audio/')).toEqual([500, 500, 500, 200]);
    });

    it('checks the text against the plan before sending: the service would count a call it refuses', async () => {
      const server = await serve();
      const error = await refusal(engineFor(server, server.keys.hobby, { charsPerMemo: () => 5_000 }).synthesize('a'.repeat(5_001), 'rachel'));
      expect(error).toMatchObject({ code: 'TEXT_TOO_LONG', details: { limit: 5_000, used: 5_001 } });
      expect(server.requests).toHaveLength(0);
      expect(server.usage(server.keys.hobby).today).toBe(0);
    });

    it('sends a key only to the service it belongs to, and never over plain http to another computer', async () => {
      const server = await serve();
      const other = await serve();
      const engine = createCloudEngine({ client: clientOf(server.url), keyFor: async () => ({ secret: other.keys.pro, serviceUrl: other.url }) });
      const error = await refusal(engine.synthesize(TEXT, 'rachel'));
      expect(error).toMatchObject({ code: 'INVALID_API_KEY', details: { reason: 'wrong-service' } });
      expect(error.message).toContain(other.url);

      const cleartext = createCloudEngine({ client: clientOf('http://cloud.example.com'), keyFor: async () => ({ secret: server.keys.pro, serviceUrl: 'http://cloud.example.com' }) });
      const refused = await refusal(cleartext.synthesize(TEXT, 'rachel'));
      expect(refused).toMatchObject({ code: 'CLOUD_UNAVAILABLE', details: { reason: 'bad-base-url' } });
      expect(refused.message).toMatch(/https/);
      expect([...server.requests, ...other.requests]).toHaveLength(0);
    });

    it('does not send a memo again when its answer was lost after the service made and counted it', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', dropAfterApply: true });
      const error = await refusal(engineFor(server).synthesize(TEXT, 'rachel'));
      expect(error.code).toBe('CLOUD_ANSWER_LOST');
      expect(error.message).toMatch(/may have made it, and counted it/);
      expect(statuses(server)).toEqual(['applied-then-dropped']);
      expect(server.usage(server.keys.pro).today).toBe(1);
    });
  });

  describe('abort', () => {
    it('rejects with an AbortError at once when the signal is already aborted', async () => {
      const server = await serve();
      await expect(engineFor(server).synthesize(TEXT, 'rachel', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      expect(server.requests).toHaveLength(0);
    });

    it('aborts a request in flight: the connection closes', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', delayMs: 10_000 });
      const controller = new AbortController();
      const pending = engineFor(server).synthesize(TEXT, 'rachel', { signal: controller.signal });
      await until(() => memoRequests(server).length === 1, 'the request');
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await until(() => memoRequests(server)[0]!.status === 'client-closed', 'the server to see the connection close');
      expect(server.memos).toHaveLength(0);
    });

    it('aborts the wait before a retry: no second request', async () => {
      const server = await serve();
      server.inject({ path: '/api/v1/memo', status: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfter: 4 });
      const controller = new AbortController();
      const engine = engineFor(server);
      engine.onRateLimit(() => setTimeout(() => controller.abort(), 200)); // the 429 is in: abort during the 4 s wait
      await expect(engine.synthesize(TEXT, 'rachel', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect(statuses(server)).toEqual([429]);
    });

    it('aborts during the audio download', async () => {
      const server = await serve();
      server.inject({ path: '/audio/', delayMs: 10_000 });
      const controller = new AbortController();
      const pending = engineFor(server).synthesize(TEXT, 'rachel', { signal: controller.signal });
      await until(() => server.requests.some((r) => r.path.startsWith('/audio/')), 'the download');
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
});
