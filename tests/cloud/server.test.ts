// The contract server answers as AGENT-TALK-CLOUD.md says the service does: the reference the app is tested against.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requireTools } from '../support/require-tool';
import { decodeMp3, durationOf, pcmOfWav, rms } from './audio';
import { SERVICE_VOICES, SILENT_FALLBACK, start, type CloudServer, type StartOptions } from './server';

const hasLame = requireTools(['lame'], 'contract server MP3 tests');

const servers: CloudServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server; WAV audio unless a test asks for MP3, so the protocol tests need no encoder. */
async function serve(options: StartOptions = {}): Promise<CloudServer> {
  const server = await start({ ...options, audio: { format: 'wav', ...options.audio } });
  servers.push(server);
  return server;
}

const memo = (server: CloudServer, key: string | null, body: unknown) =>
  fetch(`${server.url}/api/v1/memo`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key !== null && { Authorization: `Bearer ${key}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const nextMidnight = (d = new Date()) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));

/** An error body exactly `{error:{code, message, details?}}`. */
async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(Object.keys(body.error).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  return body.error as { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * GET over a raw socket, as the bytes arrive: fetch refuses the audio's duplicate Content-Length, which is what
 * these tests show the server sends.
 */
async function rawGet(url: string): Promise<{ status: number; head: string[]; body: Buffer }> {
  const { hostname, port, pathname } = new URL(url);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine, ...head] = raw.subarray(0, end).toString('latin1').split('\r\n');
  return { status: Number(statusLine!.split(' ')[1]), head, body: raw.subarray(end + 4) };
}
const headerValues = (head: string[], name: string) => head.filter((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`)).map((h) => h.slice(name.length + 1).trim());

function expectRateHeaders(response: Response) {
  for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) expect(response.headers.get(name), name).not.toBeNull();
}

describe('contract server: public endpoints', () => {
  it('GET /health answers ok with the documented fields, and 503 when down', async () => {
    const server = await serve();
    const ok = await fetch(`${server.url}/health`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', service: expect.any(String), version: expect.any(String), ttsMode: expect.any(String), database: { status: 'ok' } });
    expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    expectRateHeaders(ok);

    server.setHealthy(false);
    const down = await fetch(`${server.url}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'error' });
  });

  it('GET /api/v1/voices lists the 12 voices as the service does', async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/api/v1/voices`);
    expect(response.status).toBe(200);
    expectRateHeaders(response);
    const { voices } = (await response.json()) as { voices: { id: string; name: string; gender: string; description: string }[] };
    expect(voices).toEqual(SERVICE_VOICES.map((v) => ({ ...v })));
    // AGENT-TALK-CLOUD.md's list, gender and the gist of each description.
    const documented: [string, 'female' | 'male', string][] = [
      ['rachel', 'female', 'calm, professional'],
      ['domi', 'female', 'strong, confident'],
      ['bella', 'female', 'soft, warm'],
      ['emily', 'female', 'soft, gentle'],
      ['freya', 'female', 'young, energetic'],
      ['dorothy', 'female', 'storyteller'],
      ['sarah', 'female', 'professional'],
      ['adam', 'male', 'deep narration'],
      ['sam', 'male', 'conversational'],
      ['charlie', 'male', 'casual conversational'],
      ['ethan', 'male', 'young'],
      ['bill', 'male', 'mature'],
    ];
    expect(voices).toHaveLength(documented.length);
    for (const [id, gender, gist] of documented) {
      const voice = voices.find((v) => v.id === id);
      expect(voice, id).toBeDefined();
      expect(voice!.gender).toBe(gender);
      expect(voice!.name).toBe(id[0]!.toUpperCase() + id.slice(1));
      expect(voice!.description.toLowerCase()).toContain(gist);
    }
  });

  it('answers unknown paths with a NOT_FOUND error body and the rate-limit headers', async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/api/v1/nothing`);
    expectRateHeaders(response);
    await expectError(response, 404, 'NOT_FOUND');
  });

  it('holds keys in the service format, one per tier and a revoked one', async () => {
    const server = await serve();
    for (const key of Object.values(server.keys)) expect(key).toMatch(/^at_live_[A-Za-z0-9_-]{43}$/);
    expect(server.addAccount('pro', { test: true })).toMatch(/^at_test_[A-Za-z0-9_-]{43}$/);
  });
});

describe('contract server: POST /api/v1/memo', () => {
  it('refuses a missing, unknown or revoked key with 401/403 and the service codes', async () => {
    const server = await serve();
    const body = { text: 'Hello', voice: 'rachel' };
    await expectError(await memo(server, null, body), 401, 'MISSING_API_KEY');
    await expectError(await memo(server, 'not-a-key', body), 401, 'MISSING_API_KEY'); // not an API key at all: none, as the service reads it
    await expectError(await memo(server, `at_live_${'A'.repeat(43)}`, body), 401, 'INVALID_API_KEY');
    const revoked = await memo(server, server.keys.revoked, body);
    expectRateHeaders(revoked);
    await expectError(revoked, 403, 'REVOKED_KEY');
    expect(server.memos).toHaveLength(0);
  });

  it('validates the body: JSON, text, voice, the plan\'s characters per memo', async () => {
    const server = await serve();
    const key = server.keys.hobby;
    await expectError(await memo(server, key, '{"text": '), 400, 'VALIDATION_ERROR');
    expect((await expectError(await memo(server, key, { voice: 'rachel' }), 400, 'MISSING_FIELD')).details).toEqual({ field: 'text' });
    await expectError(await memo(server, key, { text: 42, voice: 'rachel' }), 400, 'VALIDATION_ERROR');
    expect((await expectError(await memo(server, key, { text: 'Hi' }), 400, 'MISSING_FIELD')).details).toEqual({ field: 'voice' });
    const voice = await expectError(await memo(server, key, { text: 'Hi', voice: 'hal9000' }), 400, 'INVALID_VOICE');
    expect(voice.details).toMatchObject({ field: 'voice', requestedVoice: 'hal9000', availableVoices: SERVICE_VOICES.map((v) => v.id) });
    const long = await expectError(await memo(server, key, { text: 'a'.repeat(5_001), voice: 'rachel' }), 400, 'VALIDATION_ERROR');
    expect(long.details).toMatchObject({ field: 'text', limit: 5_000, provided: 5_001, tier: 'hobby' });
    // As the service: each was counted before its body was refused.
    expect(server.usage(key)).toEqual({ today: 6, month: 6 });
    expect(server.memos).toHaveLength(0);
  });

  it('makes a memo: 201 with the documented shape, audio at an http URL on the server, and the count in the headers', async () => {
    const server = await serve();
    const key = server.addAccount('hobby', { usedToday: 10 });
    const response = await memo(server, key, { text: 'Ok, see you at noon.', voice: 'Adam' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-ratelimit-limit')).toBe('100');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('89');
    expect(response.headers.get('x-ratelimit-reset')).toBe(String(nextMidnight().getTime() / 1000));
    const body = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(body).sort()).toEqual(['audio', 'createdAt', 'id', 'text', 'voice']);
    expect(body.text).toBe('Ok, see you at noon.');
    expect(body.voice).toEqual({ id: 'adam', name: 'Adam', gender: 'male', description: 'Deep narration' });
    expect(body.audio).toEqual({ url: expect.stringMatching(new RegExp(`^${server.url}/audio/audio_[a-z0-9]+\\.wav$`)), duration: 1.6, format: 'wav' });
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);

    const [made] = server.memos;
    expect(made!.reportedDuration).toBe(1.6); // the service's estimate (20 characters at 150 words a minute) ...
    expect(Math.abs(made!.durationSec - 1.6)).toBeGreaterThan(0.3); // ... which is not the audio's length

    const audio = await rawGet(body.audio.url);
    expect(audio.status).toBe(200);
    expect(headerValues(audio.head, 'content-type')).toEqual(['audio/wav']);
    expect(headerValues(audio.head, 'cache-control')[0]).toContain('immutable');
    expect(headerValues(audio.head, 'x-ratelimit-remaining')).toHaveLength(1);
    // As the service: Content-Length twice, the same value (which fetch refuses).
    expect(headerValues(audio.head, 'content-length')).toEqual([String(made!.bytes.length), String(made!.bytes.length)]);
    await expect(fetch(body.audio.url)).rejects.toThrow();
    const bytes = new Uint8Array(audio.body);
    expect(Buffer.compare(bytes, made!.bytes)).toBe(0);
    const pcm = pcmOfWav(bytes);
    expect(durationOf(pcm)).toBeCloseTo(made!.durationSec, 6);
    expect(rms(pcm)).toBeGreaterThan(0.02); // a signal, not silence
    expect(server.usage(key)).toEqual({ today: 11, month: 11 });
  });

  it('serves the audio as a data: URL when asked', async () => {
    const server = await serve({ audio: { url: 'data' } });
    const response = await memo(server, server.keys.pro, { text: 'Data, please.', voice: 'bella' });
    const { audio } = (await response.json()) as { audio: { url: string } };
    expect(audio.url.startsWith('data:audio/wav;base64,')).toBe(true);
    expect(Buffer.compare(Buffer.from(audio.url.slice(audio.url.indexOf(',') + 1), 'base64'), server.memos[0]!.bytes)).toBe(0);
  });

  it('answers audio it does not hold with 500 STORAGE_ERROR, as the service does', async () => {
    const server = await serve();
    await expectError(await fetch(`${server.url}/audio/audio_missing.mp3`), 500, 'STORAGE_ERROR');
    await expectError(await fetch(`${server.url}/audio/..%2Fetc%2Fpasswd`), 500, 'STORAGE_ERROR');
  });

  it('answers 201 with its 316-byte silent fallback when asked to fail its voice engine, and counts it', async () => {
    const server = await serve();
    server.inject({ path: '/api/v1/memo', silentAudio: true });
    const response = await memo(server, server.keys.pro, { text: 'Nobody hears this.', voice: 'rachel' });
    expect(response.status).toBe(201);
    const { audio } = (await response.json()) as { audio: { url: string; format: string } };
    expect(audio.format).toBe('mp3');
    const served = await rawGet(audio.url);
    expect(served.body).toHaveLength(316);
    expect(Buffer.compare(served.body, SILENT_FALLBACK)).toBe(0);
    // One MPEG-1 layer III frame header (417 bytes long at 128 kb/s, 44.1 kHz, padding off) and no audio data.
    expect([...served.body.subarray(0, 4)]).toEqual([0xff, 0xfb, 0x90, 0xc4]);
    expect(served.body.subarray(4).every((b) => b === 0)).toBe(true);
    expect(server.usage(server.keys.pro).today).toBe(1);
  });

  it('drops the connection after making and counting the memo, when asked', async () => {
    const server = await serve();
    server.inject({ path: '/api/v1/memo', dropAfterApply: true });
    await expect(memo(server, server.keys.pro, { text: 'Made, then lost.', voice: 'rachel' })).rejects.toThrow();
    expect(server.requests.map((r) => r.status)).toEqual(['applied-then-dropped']);
    expect(server.memos).toHaveLength(1);
    expect(server.usage(server.keys.pro).today).toBe(1);
  });

  it('refuses past the daily limit with 429 DAILY_LIMIT_EXCEEDED {limit, used, resetAt}, Retry-After and the headers', async () => {
    const server = await serve();
    const key = server.addAccount('hobby', { usedToday: 99 });
    const last = await memo(server, key, { text: 'The last one.', voice: 'sam' });
    expect(last.status).toBe(201);
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');

    const refused = await memo(server, key, { text: 'One more?', voice: 'sam' });
    const reset = nextMidnight();
    expect(refused.headers.get('x-ratelimit-limit')).toBe('100');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe(String(reset.getTime() / 1000));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const error = await expectError(refused, 429, 'DAILY_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 100, used: 100, resetAt: reset.toISOString() });
    expect(server.usage(key).today).toBe(100);
  });

  it('refuses past the monthly limit with 429 MONTHLY_LIMIT_EXCEEDED, resetting on the 1st', async () => {
    const server = await serve();
    const key = server.addAccount('hobby', { usedToday: 0, usedThisMonth: 3_000 });
    const now = new Date();
    const error = await expectError(await memo(server, key, { text: 'Hi', voice: 'sam' }), 429, 'MONTHLY_LIMIT_EXCEEDED');
    expect(error.details).toEqual({ limit: 3_000, used: 3_000, resetAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString() });
  });

  it('starts the daily count afresh on a new UTC day', async () => {
    let now = new Date('2030-01-15T23:59:58Z');
    const server = await serve({ clock: () => now });
    const key = server.addAccount('hobby', { usedToday: 100 });
    await expectError(await memo(server, key, { text: 'Hi', voice: 'sam' }), 429, 'DAILY_LIMIT_EXCEEDED');
    now = new Date('2030-01-16T00:00:01Z');
    const response = await memo(server, key, { text: 'Hi', voice: 'sam' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('99');
    expect(response.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2030-01-17T00:00:00Z') / 1000));
  });

  it('says unlimited for an enterprise key', async () => {
    const server = await serve();
    const response = await memo(server, server.keys.enterprise, { text: 'Unlimited.', voice: 'bill' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-ratelimit-limit')).toBe('unlimited');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('unlimited');
  });

  it('refuses a second concurrent request on the hobby plan with 429 RATE_LIMIT_EXCEEDED', async () => {
    const server = await serve({ memoLatencyMs: 1_000 });
    const key = server.keys.hobby;
    const [a, b] = await Promise.all([memo(server, key, { text: 'First', voice: 'sam' }), memo(server, key, { text: 'Second', voice: 'sam' })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 429]);
    const refused = a.status === 429 ? a : b;
    expect(refused.headers.get('retry-after')).toBe('1');
    await expectError(refused, 429, 'RATE_LIMIT_EXCEEDED');
  });
});

describe('contract server: fault injection and the request log', () => {
  it('answers injected statuses the given number of times, then normally, and logs each request in order', async () => {
    const server = await serve();
    server.inject({ path: '/api/v1/memo', status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await memo(server, server.keys.pro, { text: 'Hi', voice: 'sam' })).status);
    expect(statuses).toEqual([503, 503, 201]);
    expect(server.requests.map((r) => [r.method, r.path, r.status, r.fault])).toEqual([
      ['POST', '/api/v1/memo', 503, true],
      ['POST', '/api/v1/memo', 503, true],
      ['POST', '/api/v1/memo', 201, false],
    ]);
    expect(server.requests[0]!.body).toEqual({ text: 'Hi', voice: 'sam' });
    expect(server.requests[0]!.authorization).toBe(`Bearer ${server.keys.pro}`);
  });

  it('injects a 429 with Retry-After, a raw body, a dropped connection, a delay; each only on its path', async () => {
    const server = await serve();
    server.inject({ path: '/audio/', status: 500 });
    server.inject({ path: '/api/v1/memo', status: 429, retryAfter: 1 });
    server.inject({ path: '/api/v1/memo', status: 201, body: '{"id": "broken' });
    server.inject({ path: '/api/v1/memo', dropConnection: true });
    server.inject({ path: '/health', delayMs: 100 });

    const limited = await memo(server, server.keys.pro, { text: 'Hi', voice: 'sam' });
    expect(limited.headers.get('retry-after')).toBe('1');
    expectRateHeaders(limited);
    await expectError(limited, 429, 'RATE_LIMIT_EXCEEDED');

    const broken = await memo(server, server.keys.pro, { text: 'Hi', voice: 'sam' });
    expect(broken.status).toBe(201);
    expect(await broken.text()).toBe('{"id": "broken');

    await expect(memo(server, server.keys.pro, { text: 'Hi', voice: 'sam' })).rejects.toThrow();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    const made = await memo(server, server.keys.pro, { text: 'Hi', voice: 'sam' });
    const { audio } = (await made.json()) as { audio: { url: string } };
    await expectError(await fetch(audio.url), 500, 'INTERNAL_ERROR');
    expect((await rawGet(audio.url)).status).toBe(200);

    expect(server.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/api/v1/memo 429',
      '/api/v1/memo 201',
      '/api/v1/memo dropped',
      '/health 200',
      '/api/v1/memo 201',
      `${new URL(audio.url).pathname} 500`,
      `${new URL(audio.url).pathname} 200`,
    ]);
  });
});

describe.skipIf(!hasLame)('contract server: MP3 audio (Debian lame)', () => {
  it('serves real MP3 as audio/mpeg, which decodes to the signal at its length', async () => {
    const server = await serve({ audio: { format: 'mp3' } });
    const response = await memo(server, server.keys.pro, { text: 'This is an MP3 memo.', voice: 'rachel' });
    const { audio } = (await response.json()) as { audio: { url: string; format: string } };
    expect(audio.format).toBe('mp3');
    const download = await rawGet(audio.url);
    expect(headerValues(download.head, 'content-type')).toEqual(['audio/mpeg']);
    const bytes = new Uint8Array(download.body);
    expect([bytes[0], bytes[1]! & 0xe0]).toEqual([0xff, 0xe0]); // an MPEG audio frame sync
    const pcm = await decodeMp3(bytes);
    expect(rms(pcm)).toBeGreaterThan(0.02);
    expect(Math.abs(durationOf(pcm) - server.memos[0]!.durationSec)).toBeLessThan(0.1);
  });

  it('sends MP3 as a data:audio/mpeg URL when asked', async () => {
    const server = await serve({ audio: { format: 'mp3', url: 'data' } });
    const response = await memo(server, server.keys.pro, { text: 'Inline MP3.', voice: 'rachel' });
    const { audio } = (await response.json()) as { audio: { url: string } };
    expect(audio.url.startsWith('data:audio/mpeg;base64,')).toBe(true);
  });
});
