/**
 * The agent API over raw HTTP on loopback, against a real core (LMDB, the job queue, Flite): every route, status,
 * header and error code, Range on the audio, the safety rules (Host, sizes, no CORS, no key in logs).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseWav } from '../../../src-main/services/tts/wav';
import { monthStart, utcDate } from '../../../src-main/services/time';
import { agentCore, call, postJson, rawCall, type Answer } from '../../support/agent-api';

type Running = Awaited<ReturnType<typeof agentCore>>;

/** Every answer carries the limit headers and no CORS header, whatever it says. */
function expectCommonHeaders(answer: Answer) {
  expect(answer.headers['x-ratelimit-limit']).toMatch(/^(\d+|unlimited)$/);
  expect(answer.headers['x-ratelimit-remaining']).toMatch(/^(\d+|unlimited)$/);
  expect(Number(answer.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
  expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
}

function expectEnvelope(answer: Answer, status: number, code: string) {
  expect({ status: answer.status, code: answer.json?.error?.code }).toEqual({ status, code });
  expect(typeof answer.json.error.message).toBe('string');
  expect(answer.text).not.toMatch(/\n\s*at |\/tmp\/|node_modules|src-main/); // no stack, no path
  expectCommonHeaders(answer);
}

const logged: string[] = [];
beforeAll(() => {
  for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    const original = console[method];
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
      original(...args);
    });
  }
});

describe('the memo API', () => {
  let t: Running;
  let key: string;
  let memoId: string;
  beforeAll(async () => {
    t = await agentCore({ tier: 'pro' });
    key = await t.newKey();
  });
  afterAll(() => t.core.close());

  it('POST /api/v1/memo answers 201 once the audio exists, in the service shape, counted under its key', async () => {
    const before = await call(t.port, { path: '/health' });
    const answer = await postJson(t.port, '/api/v1/memo', { text: 'Grüße aus dem Büro: the build is green.', voice: 'flite:slt' }, key);
    expect(answer.status).toBe(201);
    expectCommonHeaders(answer);
    const memo = answer.json;
    memoId = memo.id;
    expect(memo).toMatchObject({
      text: 'Grüße aus dem Büro: the build is green.',
      voice: { id: 'flite:slt', name: 'Sally', gender: 'female' },
      audio: { url: `${t.base}/audio/${memo.id}.wav`, format: 'wav' },
      status: 'completed',
    });
    expect(memo.audio.duration).toBeGreaterThan(0.5);
    expect(Date.parse(memo.createdAt)).not.toBeNaN();
    expect(answer.headers['x-ratelimit-limit']).toBe('1000');
    expect(answer.headers['x-ratelimit-remaining']).toBe('999');
    expect(before.headers['x-ratelimit-remaining']).toBe('1000');
    const row = t.core.services.store.get('memos', memo.id)!;
    expect(row).toMatchObject({ status: 'completed', user_id: t.user.id });
    const keyRow = t.core.services.keys.authenticate(key);
    expect(row.api_key_id).toBe(keyRow.id);
    expect(keyRow.usage_count).toBe(1);
    expect(t.core.services.usage.list(t.user.id, { action: 'key_used' }).map((l) => l.api_key_id)).toEqual([keyRow.id]);
  });

  it('accepts the bare key as the service does', async () => {
    const answer = await call(t.port, { path: `/api/v1/memo/${memoId}`, headers: { authorization: key } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id: memoId, status: 'completed', audio: { format: 'wav' } });
  });

  it('serves the audio with Range: 200 whole, 206 a part, 416 past the end; HEAD', async () => {
    const path = `/audio/${memoId}.wav`;
    const whole = await call(t.port, { path });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expectCommonHeaders(whole);
    expect(parseWav(new Uint8Array(whole.bytes)).data.length).toBeGreaterThan(1000);
    const part = await call(t.port, { path, headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${whole.bytes.length}`);
    expect(part.bytes.equals(whole.bytes.subarray(100, 200))).toBe(true);
    const tail = await call(t.port, { path, headers: { range: 'bytes=-10' } });
    expect(tail.bytes.equals(whole.bytes.subarray(-10))).toBe(true);
    const past = await call(t.port, { path, headers: { range: `bytes=${whole.bytes.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${whole.bytes.length}`);
    const head = await call(t.port, { method: 'HEAD', path });
    expect([head.status, head.headers['content-length'], head.bytes.length]).toEqual([200, String(whole.bytes.length), 0]);
    expectEnvelope(await call(t.port, { path: '/audio/00000000-0000-4000-8000-000000000000.wav' }), 404, 'NOT_FOUND');
    expectEnvelope(await call(t.port, { path: '/audio/..%2Fstore.mdb' }), 404, 'NOT_FOUND');
  });

  it('GET /api/v1/memos pages the user’s memos newest first with a cursor, memos of one millisecond included once', async () => {
    const keyRow = t.core.services.keys.authenticate(key);
    const at = '2026-01-01T00:00:00.000Z';
    for (let i = 0; i < 5; i++) {
      await t.core.services.store.insert('memos', { user_id: t.user.id, api_key_id: keyRow.id, text: `tie ${i}`, voice: 'flite:slt', audio_url: '', duration_sec: 0, created_at: at });
    }
    await t.core.services.store.insert('memos', { user_id: t.user.id, text: 'oldest', voice: 'flite:rms', audio_url: '', duration_sec: 0, created_at: '2025-06-01T00:00:00.000Z' });
    const seen: string[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await call(t.port, { path: `/api/v1/memos?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: { authorization: `Bearer ${key}` } });
      expect(answer.status).toBe(200);
      expectCommonHeaders(answer);
      seen.push(...answer.json.memos.map((m: { id: string }) => m.id));
      times.push(...answer.json.memos.map((m: { createdAt: string }) => m.createdAt));
      cursor = answer.json.nextCursor;
      pages++;
    } while (cursor);
    const all = t.core.services.store.query('memos', { user_id: t.user.id });
    expect(new Set(seen).size).toBe(all.length);
    expect(seen.length).toBe(all.length);
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(times).toEqual([...times].sort().reverse());
    expect(seen[0]).toBe(memoId); // the newest first
    expectEnvelope(await call(t.port, { path: '/api/v1/memos?cursor=bm9wZQ', headers: { authorization: key } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await call(t.port, { path: '/api/v1/memos?limit=1000', headers: { authorization: key } }), 400, 'VALIDATION_ERROR');
  });

  it('GET /api/v1/voices and /health answer without a key', async () => {
    const voices = await call(t.port, { path: '/api/v1/voices' });
    expect(voices.status).toBe(200);
    expectCommonHeaders(voices);
    expect(voices.json.voices).toContainEqual(expect.objectContaining({ id: 'flite:rms', name: 'Robert', gender: 'male', engine: 'offline', available: true }));
    // No cloud here: the cloud voices are spoken by the nearest offline voice (the setting is on by default).
    expect(voices.json.voices).toContainEqual(expect.objectContaining({ id: 'rachel', gender: 'female', engine: 'cloud', available: true, speaksAs: 'flite:slt' }));
    const health = await call(t.port, { path: '/health' });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', ttsMode: 'offline', database: { status: 'ok' } });
  });

  it('refuses with the service’s codes: 401, 400, 404, 405, 413', async () => {
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: 'hi', voice: 'flite:slt' }), 401, 'MISSING_API_KEY');
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: 'hi', voice: 'flite:slt' }, 'at_live_' + 'x'.repeat(43)), 401, 'INVALID_API_KEY');
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: 'hi', voice: 'flite:slt' }, 'sk-not-ours'), 401, 'INVALID_API_KEY');
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { voice: 'flite:slt' }, key), 400, 'MISSING_FIELD');
    const missingVoice = await postJson(t.port, '/api/v1/memo', { text: 'hi' }, key);
    expectEnvelope(missingVoice, 400, 'MISSING_FIELD');
    expect(missingVoice.json.error.details).toEqual({ field: 'voice' });
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: 42, voice: 'flite:slt' }, key), 400, 'VALIDATION_ERROR');
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: '   ', voice: 'flite:slt' }, key), 400, 'VALIDATION_ERROR');
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: 'x'.repeat(20_001), voice: 'flite:slt' }, key), 400, 'VALIDATION_ERROR');
    expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: 'hi', voice: 'nobody' }, key), 400, 'INVALID_VOICE');
    const unspeakable = await postJson(t.port, '/api/v1/memo', { text: '你好，世界。', voice: 'flite:slt' }, key);
    expectEnvelope(unspeakable, 400, 'VALIDATION_ERROR');
    expect(unspeakable.json.error.message).toMatch(/English only/);
    expectEnvelope(await call(t.port, { method: 'POST', path: '/api/v1/memo', body: '{"text":', headers: { authorization: key } }), 400, 'INVALID_INPUT');
    expectEnvelope(await call(t.port, { path: '/api/v1/memo/no-such-memo', headers: { authorization: key } }), 404, 'MEMO_NOT_FOUND');
    expectEnvelope(await call(t.port, { path: '/api/v2/anything' }), 404, 'NOT_FOUND');
    const wrongMethod = await call(t.port, { method: 'DELETE', path: '/api/v1/memos', headers: { authorization: key } });
    expectEnvelope(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.allow).toBe('GET');
    // Beyond the plan's characters per memo and the JSON bound: refused before the body is read.
    const huge = await call(t.port, { method: 'POST', path: '/api/v1/memo', headers: { authorization: key, 'content-length': String(10_000_000) }, body: '{}' });
    expectEnvelope(huge, 413, 'VALIDATION_ERROR');
    // Nothing refused was counted.
    expect(t.core.services.keys.authenticate(key).usage_count).toBe(1);
  });

  it('speaks a cloud voice with the nearest offline voice while the cloud is unavailable, or answers 503 when that is off', async () => {
    const spoken = await postJson(t.port, '/api/v1/memo', { text: 'Adam is not here, Robert speaks.', voice: 'adam' }, key);
    expect(spoken.status).toBe(201);
    expect(spoken.json).toMatchObject({ voice: { id: 'flite:rms', gender: 'male' }, requestedVoice: 'adam' });
    await t.core.handle('agentApi.update', { nearestOfflineVoice: false });
    const refused = await postJson(t.port, '/api/v1/memo', { text: 'Rachel?', voice: 'rachel' }, key);
    expectEnvelope(refused, 503, 'SERVICE_UNAVAILABLE');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await t.core.handle('agentApi.update', { nearestOfflineVoice: true });
  });

  it('is safe by default: foreign and duplicate Host headers, oversized headers, no CORS preflight', async () => {
    expectEnvelope(await call(t.port, { path: '/health', host: 'evil.example:' + t.port }), 403, 'FORBIDDEN');
    expectEnvelope(await call(t.port, { path: '/health', host: `127.0.0.1:${t.port + 1}` }), 403, 'FORBIDDEN');
    expect((await call(t.port, { path: '/health', host: `localhost:${t.port}` })).status).toBe(200);
    const twice = await rawCall(t.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
    expect(twice).toMatch(/^HTTP\/1\.1 400 /);
    expect(twice).toContain('"INVALID_INPUT"');
    const bigHeaders = await rawCall(t.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(bigHeaders).toMatch(/^HTTP\/1\.1 431 /);
    expect(bigHeaders).toContain('"error"');
    const garbage = await rawCall(t.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    const preflight = await call(t.port, { method: 'OPTIONS', path: '/api/v1/memo', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    expectEnvelope(preflight, 405, 'METHOD_NOT_ALLOWED');
  });

  it('listens on 127.0.0.1 only', () => {
    expect(t.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('limits, the line, revocation, timeouts', () => {
  it('429 DAILY_LIMIT_EXCEEDED and MONTHLY_LIMIT_EXCEEDED with Retry-After; revoking in the app makes the next call 403 at once', async () => {
    const t = await agentCore();
    try {
      const daily = await t.newKey('Daily');
      const dailyRow = t.core.services.keys.authenticate(daily);
      const today = utcDate(new Date());
      await t.core.services.store.insert('rate_limits', { api_key_id: dailyRow.id, user_id: t.user.id, date: today, count: 100 });
      const refused = await postJson(t.port, '/api/v1/memo', { text: 'One more?', voice: 'flite:slt' }, daily);
      expectEnvelope(refused, 429, 'DAILY_LIMIT_EXCEEDED');
      expect(refused.json.error.details).toMatchObject({ limit: 100, used: 100 });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(86_400);
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');

      const other = await t.newKey('Other');
      const otherRow = t.core.services.keys.authenticate(other);
      const first = utcDate(monthStart(new Date()));
      const existing = t.core.services.store.query('rate_limits', { api_key_id: dailyRow.id, date: first })[0];
      if (existing) await t.core.services.store.update('rate_limits', existing.id, { count: 3_000 });
      else await t.core.services.store.insert('rate_limits', { api_key_id: dailyRow.id, user_id: t.user.id, date: first, count: 2_900 });
      const monthly = await postJson(t.port, '/api/v1/memo', { text: 'And now?', voice: 'flite:slt' }, other);
      expectEnvelope(monthly, 429, 'MONTHLY_LIMIT_EXCEEDED');
      expect(Number(monthly.headers['retry-after'])).toBeGreaterThan(0);

      const revoked = await t.core.handle('keys.revoke', { id: otherRow.id });
      expect(revoked.ok).toBe(true);
      expectEnvelope(await postJson(t.port, '/api/v1/memo', { text: 'Still me?', voice: 'flite:slt' }, other), 403, 'REVOKED_KEY');
      expectEnvelope(await call(t.port, { path: '/api/v1/memos', headers: { authorization: other } }), 403, 'REVOKED_KEY');
    } finally {
      await t.core.close();
    }
  });

  it('past the bound a request answers 504 with the memo id, the memo completes; a full line answers 429 RATE_LIMIT_EXCEEDED uncounted; a quit leaves the memo to the queue', async () => {
    const t = await agentCore({ agentApi: { timeoutMs: 1_500, waitingPerSlot: 1 } });
    const key = await t.newKey();
    await t.core.services.generation.stop(); // nothing is spoken until it starts again
    try {
      const slow = postJson(t.port, '/api/v1/memo', { text: 'Waiting for my turn.', voice: 'flite:slt' }, key);
      await vi.waitFor(() => expect(t.core.services.store.query('memos', { user_id: t.user.id })).toHaveLength(1));
      const crowded = await postJson(t.port, '/api/v1/memo', { text: 'Me too.', voice: 'flite:slt' }, key);
      expectEnvelope(crowded, 429, 'RATE_LIMIT_EXCEEDED');
      expect(crowded.headers['retry-after']).toBe('1');
      expect(crowded.headers['x-ratelimit-remaining']).toBe('99'); // only the waiting one was counted
      const timedOut = await slow;
      expectEnvelope(timedOut, 504, 'GENERATION_TIMEOUT');
      const { memoId } = timedOut.json.error.details;
      expect((await call(t.port, { path: `/api/v1/memo/${memoId}`, headers: { authorization: key } })).json).toMatchObject({ status: 'queued', audio: null });
      await t.core.services.generation.start();
      await vi.waitFor(async () => expect((await call(t.port, { path: `/api/v1/memo/${memoId}`, headers: { authorization: key } })).json).toMatchObject({ status: 'completed', audio: { format: 'wav' } }), { timeout: 30_000, interval: 200 });

      // A quit while a request waits: the request ends, the memo stays queued and completes at the next start.
      await t.core.services.generation.stop();
      const cut = postJson(t.port, '/api/v1/memo', { text: 'Cut short by a quit.', voice: 'flite:slt' }, key).catch((error: Error) => error);
      await vi.waitFor(() => expect(t.core.services.store.query('memos', { user_id: t.user.id, status: 'queued' })).toHaveLength(1));
      const [queued] = t.core.services.store.query('memos', { user_id: t.user.id, status: 'queued' });
      await t.core.close();
      expect(await cut).toBeInstanceOf(Error);
      const again = await agentCore({ profileDir: t.profileDir });
      try {
        await vi.waitFor(() => expect(again.core.services.store.get('memos', queued!.id)?.status).toBe('completed'), { timeout: 30_000, interval: 200 });
      } finally {
        await again.core.close();
      }
    } finally {
      await t.core.close().catch(() => undefined);
    }
  }, 90_000);
});

describe('Settings: on/off, the port, a port in use', () => {
  it('a port in use leaves the app working and says why; another port, or off, applies at once', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const t = await agentCore();
    try {
      await t.core.services.settings.updateAgentApi({ port: taken });
      const core2 = await (await import('../../../src-main/core')).createCore({ profileDir: t.profileDir + '-2', secrets: (await import('../../../src-main/services/secrets')).sessionSecretStore('t'), agentApi: { port: taken } });
      try {
        const view = (await core2.handle('agentApi.get', undefined)) as { ok: true; value: { address: string | null; problem: string | null } };
        expect(view.value.address).toBeNull();
        expect(view.value.problem).toMatch(new RegExp(`Port ${taken} is in use.*Pick another port`));
        expect((await core2.handle('profile.create', { email: 'still@works.example' })).ok).toBe(true);
      } finally {
        await core2.close();
      }
      const off = (await t.core.handle('agentApi.update', { enabled: false })) as { ok: true; value: { address: string | null; enabled: boolean } };
      expect(off.value).toMatchObject({ enabled: false, address: null });
      await expect(call(t.port, { path: '/health' })).rejects.toThrow(/ECONNREFUSED/);
      const on = (await t.core.handle('agentApi.update', { enabled: true })) as { ok: true; value: { address: string } };
      expect((await call(Number(new URL(on.value.address).port), { path: '/health' })).status).toBe(200);
      const bad = await t.core.handle('agentApi.update', { port: 80 });
      expect(bad.ok).toBe(false);
    } finally {
      await t.core.close();
      blocker.close();
    }
  });
});

afterAll(() => {
  // No key ever reached a log line.
  expect(logged.join('\n')).not.toMatch(/at_(live|test)_[A-Za-z0-9_-]{20,}/);
});
