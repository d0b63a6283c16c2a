/**
 * The browser host in plain Node: who may open its socket, what it serves, its protocol, and that nothing a
 * client sends brings it down. The renderer here is a stand-in directory; the e2e suite uses the real build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { contentSecurityPolicy } from '../../../src-main/serve/origin';
import { MAX_FRAME_BYTES, startHost, type Host } from '../../../src-main/host/server';
import { uploadDirOf } from '../../../src-main/services/legacy-import';
import { MAX_UPLOAD_BYTES } from '../../../src-shared/contract/settings';
import { writeLegacyFile } from '../../support/legacy-db';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { audioCookieOf } from '../../support/host-cookie';

interface Frame {
  id?: unknown;
  result?: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  event?: string;
  payload?: unknown;
}

/** A WebSocket client of the host, with the frames it received and how it ended. */
class Client {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a socket, or rejects with the HTTP status that refused it. */
  static open(url: string, options: { origin?: string; host?: string } = {}): Promise<Client> {
    const socket = new WebSocket(url, { ...(options.origin && { origin: options.origin }), headers: options.host ? { host: options.host } : {} });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Client(socket)));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  private lastId = 0;
  call(method: unknown, args?: unknown): Promise<Frame['result']> {
    const id = ++this.lastId;
    this.socket.send(JSON.stringify({ id, method, args }));
    return this.next((frame) => frame.id === id).then((frame) => frame.result);
  }

  /** The first frame, received or still to come, that `match` accepts. */
  async next(match: (frame: Frame) => boolean): Promise<Frame> {
    for (let waited = 0; waited < 5_000; waited += 10) {
      const frame = this.frames.find(match);
      if (frame) return frame;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no such frame within 5 s');
  }
}

/** A plain HTTP GET with the given Host header (fetch does not let a caller set it). */
function get(url: URL, host = url.host): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

/** A plain HTTP GET with the given headers, its body as bytes. */
function getBytes(url: URL, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject).end();
  });
}

/** Sends `raw` bytes as they are (two Host headers, which no HTTP client sends) and answers the first line back. */
function rawExchange(url: URL, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(raw));
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.on('error', reject).on('end', () => resolve(reply));
  });
}

/** Whether a TCP connection to `address`:`port` is accepted. */
const accepts = (address: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: address, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('the browser host', () => {
  let base: string;
  let host: Host;
  let pageUrl: URL;
  let origin: string;
  let socketUrl: string;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'agent-talk-host-'));
    const rendererDir = join(base, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Agent Talk</title>');
    writeFileSync(join(rendererDir, 'assets', 'index.js'), 'console.log(1)');
    host = await startHost({ profileDir: join(base, 'profile'), rendererDir, secrets: sessionSecretStore('test') });
    pageUrl = new URL(host.url);
    origin = pageUrl.origin;
    socketUrl = `ws://${pageUrl.host}/ws?token=${pageUrl.searchParams.get('token')}`;
  });
  afterAll(async () => {
    await host.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('prints a 127.0.0.1 address with a fresh 24-byte token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('tells a page whether its token is this run’s (a restarted host with a new one), and nothing else', async () => {
    const token = pageUrl.searchParams.get('token')!;
    expect((await get(new URL(`/token-check?token=${token}`, origin))).status).toBe(204);
    expect((await get(new URL('/token-check?token=an-older-token', origin))).status).toBe(403);
    expect((await get(new URL('/token-check', origin))).status).toBe(403);
  });

  it('starts again on the same profile with the same port and token when told, so an open page can reconnect', async () => {
    const profileDir = join(base, 'profile-again');
    const rendererDir = join(base, 'renderer');
    const first = await startHost({ profileDir, rendererDir, secrets: sessionSecretStore('test') });
    const { port, searchParams } = new URL(first.url);
    await first.close();
    const again = await startHost({ profileDir, rendererDir, port: Number(port), token: searchParams.get('token')!, secrets: sessionSecretStore('test') });
    try {
      expect(again.url).toBe(first.url);
    } finally {
      await again.close();
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    const port = Number(pageUrl.port);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // Linux routes all of 127.0.0.0/8 to the loopback interface: a server bound to 0.0.0.0 would accept here.
    const elsewhere = ['127.0.0.2', ...Object.values(networkInterfaces()).flat().flatMap((i) => (i && !i.internal ? [i.address] : []))];
    for (const address of elsewhere) expect(await accepts(address, port), address).toBe(false);
  });

  it('serves the page and its assets with the CSP header', async () => {
    const page = await get(pageUrl);
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toEqual([expect.stringMatching(/^agent_talk_token=[\w-]{32}; Path=\/audio\/; HttpOnly; SameSite=Strict$/)]);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(contentSecurityPolicy);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<title>Agent Talk</title>');

    const script = await get(new URL('/assets/index.js', origin));
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['content-security-policy']).toBe(contentSecurityPolicy);
    expect(script.body).toBe('console.log(1)');

    expect((await get(new URL('/assets/..%2f..%2fprofile', origin))).status).toBe(404);
    expect((await get(new URL('/missing.js', origin))).status).toBe(404);
  });

  it('serves memo audio from the profile with HTTP Range, so a media element can seek', async () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const audio = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
    mkdirSync(join(base, 'profile', 'audio'), { recursive: true });
    writeFileSync(join(base, 'profile', 'audio', `${id}.wav`), audio);

    // Only with the cookie the page's load (with the token) sets: another local program gets nothing.
    expect((await getBytes(new URL(`/audio/${id}.wav`, origin))).status).toBe(403);
    expect((await getBytes(new URL(`/audio/${id}.wav`, origin), { cookie: 'agent_talk_token=guess' })).status).toBe(403);
    const noToken = await fetch(new URL('/', origin));
    expect(noToken.headers.get('set-cookie')).toBeNull();
    await noToken.arrayBuffer();
    const cookie = await audioCookieOf(pageUrl);

    const part = await getBytes(new URL(`/audio/${id}.wav`, origin), { cookie, range: 'bytes=70000-89999' });
    expect(part.status).toBe(206);
    expect(part.headers).toMatchObject({
      'content-type': 'audio/wav',
      'content-range': 'bytes 70000-89999/100000',
      'content-length': '20000',
      'accept-ranges': 'bytes',
    });
    expect(part.body.equals(audio.subarray(70_000, 90_000))).toBe(true);

    const whole = await getBytes(new URL(`/audio/${id}.wav`, origin), { cookie });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe('100000');
    expect(whole.body.equals(audio)).toBe(true);

    expect((await getBytes(new URL(`/audio/${id}.wav`, origin), { cookie, range: 'bytes=100000-' })).status).toBe(416);
    expect((await getBytes(new URL(`/audio/..%2f${id}.wav`, origin), { cookie })).status).toBe(404);
  });

  it('answers a request for another host name (DNS rebinding) with 421 and no file', async () => {
    const rebound = await get(pageUrl, `evil.example:${pageUrl.port}`);
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('<title>');
  });

  it('answers a request with two Host headers with 400 (RFC 9112), on a page and on the socket', async () => {
    for (const path of [`/?token=${pageUrl.searchParams.get('token')}`, `/ws?token=${pageUrl.searchParams.get('token')}`]) {
      const upgrade = path.startsWith('/ws') ? `Origin: ${origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` : '';
      const head = await rawExchange(pageUrl, `GET ${path} HTTP/1.1\r\nHost: ${pageUrl.host}\r\nHost: ${pageUrl.host}\r\n${upgrade}Connection: close\r\n\r\n`);
      expect(head, path).toMatch(/^HTTP\/1\.1 400 /);
    }
  });

  it.each([
    ['no token', () => socketUrl.replace(/\?token=.*/, ''), () => ({ origin })],
    ['a wrong token', () => `${socketUrl}x`, () => ({ origin })],
    ['an empty token', () => socketUrl.replace(/token=.*/, 'token='), () => ({ origin })],
    ['a foreign Origin', () => socketUrl, () => ({ origin: 'http://evil.example' })],
    ['the Origin of another port', () => socketUrl, () => ({ origin: 'http://127.0.0.1:1' })],
    ['no Origin', () => socketUrl, () => ({})],
    ['a rebound Host, whatever its Origin', () => socketUrl, () => ({ origin, host: `evil.example:${pageUrl.port}` })],
    ['another path', () => socketUrl.replace('/ws?', '/socket?'), () => ({ origin })],
  ])('refuses a WebSocket with %s', async (_what, url, options) => {
    await expect(Client.open(url(), options())).rejects.toThrow('refused with 403');
  });

  it('answers calls with the core’s results, and pushes events to every open socket', async () => {
    const client = await Client.open(socketUrl, { origin });
    const watcher = await Client.open(socketUrl, { origin });
    expect(await client.call('profile.get')).toEqual({ ok: true, value: null });
    expect(await client.call('keys.list')).toMatchObject({ ok: false, error: { code: 'NO_PROFILE' } });

    const created = await client.call('profile.create', { email: 'ada@example.com' });
    expect(created).toMatchObject({ ok: true, value: { email: 'ada@example.com', tier: 'hobby' } });
    const { id } = created?.value as { id: string };
    for (const socket of [client, watcher]) {
      expect(await socket.next((frame) => frame.event === 'profile.changed')).toEqual({
        event: 'profile.changed',
        payload: { ids: expect.arrayContaining([id]) },
      });
    }

    await client.call('keys.create', { name: 'Laptop' });
    expect((await watcher.next((frame) => frame.event === 'keys.changed')).payload).toEqual({ ids: [expect.any(String)] });
    client.socket.close();
    watcher.socket.close();
  });

  it('answers a call it cannot route with an error result', async () => {
    const client = await Client.open(socketUrl, { origin });
    expect(await client.call('no.such.method')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await client.call(42)).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await client.call('profile.create', { email: 'x', extra: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    client.socket.close();
  });

  it.each([
    ['text that is not JSON', 'not json', 1007],
    ['JSON that is not an object', '[1,2,3]', 1007],
    ['a call without an id', JSON.stringify({ method: 'profile.get' }), 1007],
    ['a call with an object as its id', JSON.stringify({ id: {}, method: 'profile.get' }), 1007],
    ['a binary frame', Buffer.from([1, 2, 3]), 1003],
    ['a frame over 1 MB', 'x'.repeat(MAX_FRAME_BYTES + 1), 1009],
  ])('closes a socket that sends %s, and goes on serving', async (_what, frame, code) => {
    const client = await Client.open(socketUrl, { origin });
    client.socket.send(frame);
    expect((await client.closed).code).toBe(code);

    const next = await Client.open(socketUrl, { origin });
    expect(await next.call('profile.get')).toMatchObject({ ok: true });
    next.socket.close();
  });
});

describe('uploads to the browser host', () => {
  it('takes a file the page uploads as a stream, with its token, up to the cap, and imports it by its id', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agent-talk-host-upload-'));
    const host = await startHost({ profileDir: join(base, 'profile'), rendererDir: base, secrets: sessionSecretStore('test') });
    const pageUrl = new URL(host.url);
    const origin = pageUrl.origin;
    const token = pageUrl.searchParams.get('token')!;
    const uploadUrl = new URL(`/upload?token=${token}`, origin);
    const [legacyFile] = writeLegacyFile(join(base, 'agent-talk.db'), { email: 'ada@example.com', memos: 2 });
    const bytes = readFileSync(legacyFile!);
    const post = (url: URL, headers: Record<string, string>, body = new Uint8Array(bytes)) => fetch(url, { method: 'POST', headers, body });

    // Another site's page, or a local program without the token, uploads nothing.
    expect((await post(uploadUrl, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(new URL('/upload?token=guess', origin), { origin })).status).toBe(403);
    expect((await post(new URL('/upload', origin), { origin })).status).toBe(403);
    // A file over the cap is refused from its Content-Length, before a byte of it is stored.
    const huge = await rawExchange(pageUrl, `POST /upload?token=${token} HTTP/1.1\r\nHost: ${pageUrl.host}\r\nOrigin: ${origin}\r\nContent-Length: ${MAX_UPLOAD_BYTES + 1}\r\nConnection: close\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 413 /);

    const uploaded = await post(uploadUrl, { origin });
    expect(uploaded.status).toBe(201);
    const { id } = (await uploaded.json()) as { id: string };
    expect(readFileSync(join(uploadDirOf(join(base, 'profile')), id)).equals(bytes)).toBe(true);

    const client = await Client.open(`ws://${pageUrl.host}/ws?token=${token}`, { origin });
    await client.call('profile.create', { email: 'ada@example.com' });
    expect(await client.call('legacy.import', { fileName: 'agent-talk.db', database: id })).toMatchObject({ ok: true, value: { tables: { memos: { imported: 2 } } } });
    // The upload is gone once imported: naming it again finds nothing.
    expect(await client.call('legacy.import', { fileName: 'agent-talk.db', database: id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    client.socket.close();
    await host.close();
    rmSync(base, { recursive: true, force: true });
  });

});

describe('closing the browser host', () => {
  it('closes its sockets, stops listening and closes the profile, which opens again', async () => {
    const base = mkdtempSync(join(tmpdir(), 'agent-talk-host-close-'));
    const options = { profileDir: join(base, 'profile'), rendererDir: base, secrets: sessionSecretStore('test') };
    try {
      const host = await startHost(options);
      const url = new URL(host.url);
      const client = await Client.open(`ws://${url.host}/ws?token=${url.searchParams.get('token')}`, { origin: url.origin });
      await host.close();
      expect((await client.closed).code).toBe(1006); // terminated: no closing handshake
      expect(await accepts('127.0.0.1', Number(url.port))).toBe(false);

      const again = await startHost(options);
      await again.close();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
