// The cloud client against the real contract server on loopback, its waits driven by a fake clock: what it retries,
// how long it waits, what it never repeats, and what each failure is called.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CloudRequestError, createCloudClient, type CloudClientOptions, type CloudFailureKind } from '../../../src-main/services/cloud/client';
import { start, type CloudServer } from '../../cloud/server';

const servers: CloudServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(): Promise<CloudServer> {
  const server = await start({ audio: { format: 'wav', url: 'data' } });
  servers.push(server);
  return server;
}

const NOW = new Date('2026-03-10T12:00:00.000Z');

/** A client whose waits are recorded and skipped, at a fixed time. */
function clientOf(url: string, options: Partial<CloudClientOptions> = {}) {
  const waits: number[] = [];
  const client = createCloudClient({
    baseUrl: () => url,
    clock: () => NOW,
    sleep: async (ms) => void waits.push(ms),
    random: () => 1,
    ...options,
  });
  return { client, waits };
}

const Voices = z.object({ voices: z.array(z.object({ id: z.string() })) });
const voices = { method: 'GET', path: '/api/v1/voices', what: 'the voices', json: Voices } as const;

async function failure(promise: Promise<unknown>, kind: CloudFailureKind): Promise<CloudRequestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudRequestError);
  expect((error as CloudRequestError).kind).toBe(kind);
  return error as CloudRequestError;
}

const statuses = (server: CloudServer) => server.requests.map((r) => r.status);

describe('cloud client', () => {
  it('backs off with full jitter from 1 s, doubling, capped at 5 min, within its tries', async () => {
    const server = await serve();
    server.inject({ path: '/api/v1/voices', status: 503, times: 11 });
    const { client, waits } = clientOf(server.url, { attempts: 12 });
    const answer = await client.request(voices);
    expect(answer).toMatchObject({ kind: 'ok', status: 200 });
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
    expect(statuses(server)).toEqual([...Array<number>(11).fill(503), 200]);

    // The jitter is the whole step: a random draw of 0.25 waits a quarter of it.
    server.inject({ path: '/api/v1/voices', status: 502, times: 2 });
    const quarter = clientOf(server.url, { random: () => 0.25 });
    await quarter.client.request(voices);
    expect(quarter.waits).toEqual([250, 500]);
  });

  it('waits at least what Retry-After says, in seconds or as an HTTP date, and not at all past maxWaitMs', async () => {
    const server = await serve();
    const { client, waits } = clientOf(server.url, { random: () => 0 });
    server.inject({ path: '/api/v1/voices', status: 429, retryAfter: 120 });
    server.inject({ path: '/api/v1/voices', status: 503, retryAfter: new Date(NOW.getTime() + 90_000).toUTCString() });
    await client.request(voices);
    expect(waits).toEqual([120_000, 90_000]);

    server.inject({ path: '/api/v1/voices', status: 429, code: 'DAILY_LIMIT_EXCEEDED', retryAfter: 3_600 });
    const error = await failure(client.request(voices), 'answered');
    expect(error.info).toMatchObject({ status: 429, code: 'DAILY_LIMIT_EXCEEDED', attempts: 1, retryAt: new Date(NOW.getTime() + 3_600_000).toISOString() });
    expect(waits).toHaveLength(2); // no wait for an hour
  });

  it('reports a 404 or 501 as a capability not offered, once, never retried', async () => {
    const server = await serve();
    const { client, waits } = clientOf(server.url);
    server.inject({ path: '/api/keys', status: 501, message: 'Authentication not configured.' });
    server.session.setSessionRoutes('not-implemented'); // as today's hosted service: no /api/v1/auth/* routes
    const keys = await client.request({ method: 'GET', path: '/api/keys', what: 'the key list', json: z.unknown(), capability: 'account keys' });
    expect(keys).toEqual({
      kind: 'not-offered',
      capability: 'account keys',
      status: 501,
      code: 'NOT_IMPLEMENTED',
      message: 'This Agent Talk service does not offer account keys yet (HTTP 501 NOT_IMPLEMENTED: Authentication not configured.).',
    });
    const login = await client.request({ method: 'POST', path: '/api/v1/auth/login', what: 'the sign-in', body: {}, json: z.unknown(), capability: 'sign-in' });
    expect(login).toMatchObject({ kind: 'not-offered', status: 404, code: null }); // its 404 is a plain-text page
    expect(statuses(server)).toEqual([501, 404]);
    expect(waits).toEqual([]);

    // Without a capability named, a 404 is an error like any other, not retried.
    const missing = await failure(client.request({ method: 'GET', path: '/api/v1/memo/m1', what: 'the memo', json: z.unknown() }), 'answered');
    expect(missing.info).toMatchObject({ status: 404, code: 'NOT_FOUND', attempts: 1 });
  });

  it('never repeats a request that changes something once it was sent whole: maybe-applied', async () => {
    const server = await serve();
    const { client, waits } = clientOf(server.url);
    server.inject({ path: '/api/v1/memo', dropAfterApply: true });
    const memo = { method: 'POST', path: '/api/v1/memo', what: 'the memo', body: { text: 'Made, then lost.', voice: 'rachel' }, json: z.unknown() } as const;
    const lost = await failure(client.request({ ...memo, auth: { secret: server.keys.pro, serviceUrl: server.url } }), 'maybe-applied');
    expect(lost.message).toMatch(/may have done it, and counted it/);
    expect(statuses(server)).toEqual(['applied-then-dropped']);
    expect(server.memos).toHaveLength(1); // the service did make it
    expect(server.usage(server.keys.pro).today).toBe(1);
    expect(waits).toEqual([]);

    // The same lost answer to a request safe to repeat is simply asked again.
    server.inject({ path: '/api/v1/voices', dropConnection: true });
    expect(await client.request(voices)).toMatchObject({ kind: 'ok' });
    expect(statuses(server).slice(1)).toEqual(['dropped', 200]);
  });

  it('tells unreachable (nothing sent) from a timeout (sent, no answer in time)', async () => {
    const server = await serve();
    const url = server.url;
    const { client: slowClient } = clientOf(url, { attempts: 2, timeoutMs: 150 });
    server.inject({ path: '/api/v1/voices', delayMs: 5_000, times: 2 });
    const slow = await failure(slowClient.request(voices), 'timeout');
    expect(slow.info.attempts).toBe(2);

    // A POST timing out after it was sent may have been done: not sent again.
    server.inject({ path: '/api/v1/memo', delayMs: 5_000 });
    await failure(slowClient.request({ method: 'POST', path: '/api/v1/memo', what: 'the memo', body: {}, json: z.unknown() }), 'maybe-applied');

    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { client, waits } = clientOf(url, { attempts: 3 });
    const gone = await failure(client.request({ method: 'POST', path: '/api/v1/memo', what: 'the memo', body: {}, json: z.unknown() }), 'unreachable');
    expect(gone.info.attempts).toBe(3); // nothing was sent, so even a POST is tried again
    expect(waits).toEqual([1_000, 2_000]);
  });

  it('reads the service\'s error envelope; a body that is not one leaves code and message null', async () => {
    const server = await serve();
    const { client } = clientOf(server.url);
    server.inject({ path: '/api/v1/voices', status: 400, code: 'INVALID_VOICE', message: 'Invalid voice: "zed"', details: { field: 'voice' } });
    const refused = await failure(client.request(voices), 'answered');
    expect(refused.info).toMatchObject({ status: 400, code: 'INVALID_VOICE', serviceMessage: 'Invalid voice: "zed"', details: { field: 'voice' }, attempts: 1 });

    server.inject({ path: '/api/v1/voices', status: 403, body: '<html>Forbidden by proxy</html>', contentType: 'text/html' });
    const proxy = await failure(client.request(voices), 'answered');
    expect(proxy.info).toMatchObject({ status: 403, code: null, serviceMessage: null });

    server.inject({ path: '/api/v1/voices', status: 200, body: '{"voices": "none"}' });
    expect((await failure(client.request(voices), 'bad-answer')).message).toMatch(/voices/);
  });

  it('sends a secret only to the service it belongs to, and only over https or to this computer', async () => {
    const server = await serve();
    const { client } = clientOf(server.url);
    const other = 'https://talk.example.com';
    const wrong = await failure(client.request({ ...voices, auth: { secret: server.keys.pro, serviceUrl: other } }), 'wrong-service');
    expect(wrong.message).toContain(other);
    expect(server.requests).toHaveLength(0);

    await failure(clientOf('http://talk.example.com').client.request(voices), 'bad-url');
    await failure(clientOf('ftp://talk.example.com').client.request(voices), 'bad-url');
    expect(() => clientOf('http://talk.example.com').client.serviceUrl()).toThrow(/https/);
    expect(clientOf('http://127.0.0.9:8080/').client.serviceUrl()).toBe('http://127.0.0.9:8080');
    expect(clientOf('http://[::1]:8080').client.serviceUrl()).toBe('http://[::1]:8080');
    expect(clientOf('http://localhost:8080').client.serviceUrl()).toBe('http://localhost:8080');

    // With its own service, it goes as a Bearer header.
    await client.request({ ...voices, auth: { secret: server.keys.pro, serviceUrl: `${server.url}/` } });
    expect(server.requests.map((r) => r.authorization)).toEqual([`Bearer ${server.keys.pro}`]);
  });

  it('aborts a wait before a retry: no second request', async () => {
    const server = await serve();
    const controller = new AbortController();
    const client = createCloudClient({ baseUrl: () => server.url, random: () => 1 });
    server.inject({ path: '/api/v1/voices', status: 503 });
    const pending = client.request({ ...voices, signal: controller.signal, onAnswer: () => setTimeout(() => controller.abort(), 50) });
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(statuses(server)).toEqual([503]);
  });
});
