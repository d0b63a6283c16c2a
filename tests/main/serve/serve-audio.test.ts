import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAppRequest } from '../../../src-main/serve/serve';
import { parseRange, serveAudioRequest } from '../../../src-main/serve/serve-audio';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const BIG_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
/** A few KB of known bytes, none equal to its neighbour's, so an off-by-one shows. */
const BYTES = Uint8Array.from({ length: 5_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
const SIZE = BYTES.length;
/** Larger than one read chunk (64 KB). */
const BIG = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 13) & 0xff);

describe('serveAudioRequest', () => {
  let base: string;
  let audioDir: string;
  const url = (file: string) => `app://agent-talk/audio/${file}`;
  const request = (target: string, headers: Record<string, string> = {}, method = 'GET') =>
    serveAudioRequest(audioDir, new Request(target, { method, headers }));
  const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());
  const openFiles = () => readdirSync('/proc/self/fd').length;

  beforeAll(() => {
    // A secret beside the audio directory: what a traversal would try to read.
    base = mkdtempSync(join(tmpdir(), 'agent-talk-audio-'));
    audioDir = join(base, 'audio');
    mkdirSync(audioDir);
    writeFileSync(join(audioDir, `${ID}.wav`), BYTES);
    writeFileSync(join(audioDir, `${ID}.mp3`), BYTES.subarray(0, 1_000));
    writeFileSync(join(audioDir, `${BIG_ID}.mp3`), BIG);
    writeFileSync(join(audioDir, `${OTHER_ID}.ogg`), BYTES);
    writeFileSync(join(audioDir, 'notes.v2.wav'), BYTES);
    mkdirSync(join(audioDir, `${OTHER_ID}.wav`)); // a directory under a memo's name
    writeFileSync(join(base, 'secret.txt'), 'secret');
    writeFileSync(join(base, `${OTHER_ID}.mp3`), 'secret');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('serves the whole file to a GET without Range, with its type, length and Accept-Ranges', async () => {
    const response = await request(url(`${ID}.wav`));
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'audio/wav',
      'content-length': String(SIZE),
      'accept-ranges': 'bytes',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    expect(response.headers.has('content-range')).toBe(false);
    expect(await bytesOf(response)).toEqual(BYTES);
  });

  it('serves MP3 as audio/mpeg', async () => {
    const response = await request(url(`${ID}.mp3`));
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(await bytesOf(response)).toEqual(BYTES.subarray(0, 1_000));
  });

  it('answers HEAD with the headers and no body, ignoring Range', async () => {
    for (const headers of [{}, { Range: 'bytes=0-99' }] as Record<string, string>[]) {
      const response = await request(url(`${ID}.wav`), headers, 'HEAD');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(SIZE));
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      expect(response.body).toBeNull();
    }
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-', 100, SIZE - 1],
    ['bytes=-50', SIZE - 50, SIZE - 1],
    ['bytes=4990-9999', 4_990, SIZE - 1], // a last-pos past the end is clamped
    ['bytes=-99999', 0, SIZE - 1], // a suffix longer than the file is the whole file
    ['bytes=0-0', 0, 0],
    [`bytes=${SIZE - 1}-`, SIZE - 1, SIZE - 1],
    ['BYTES = 10-19', 10, 19], // the unit is case-insensitive
    ['bytes=10-19,', 10, 19], // empty list elements are allowed
    ['bytes=4000-4999', 4_000, 4_999],
  ])('answers Range: %s with 206 and exactly those bytes', async (range, start, end) => {
    const response = await request(url(`${ID}.wav`), { Range: range });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${SIZE}`);
    expect(response.headers.get('content-length')).toBe(String(end + 1 - start));
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(await bytesOf(response)).toEqual(BYTES.subarray(start, end + 1));
  });

  it('streams a range longer than one read chunk', async () => {
    const response = await request(url(`${BIG_ID}.mp3`), { Range: 'bytes=1000-250000' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 1000-250000/300000');
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body!) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1); // read as the consumer pulls, not all at once
    // Buffer.equals, not toEqual: a deep comparison of 250 KB byte by byte takes seconds.
    expect(Buffer.concat(chunks).equals(BIG.subarray(1000, 250_001))).toBe(true);
  });

  it.each([`bytes=${SIZE}-`, 'bytes=99999-100000', 'bytes=-0'])(
    'answers an unsatisfiable Range: %s with 416 and Content-Range: bytes */size',
    async (range) => {
      const response = await request(url(`${ID}.wav`), { Range: range });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe(`bytes */${SIZE}`);
      expect(await bytesOf(response)).toEqual(new Uint8Array());
    },
  );

  it.each([
    'bytes=abc',
    'bytes=5-1', // last before first: an invalid range-spec
    'bytes=-',
    'bytes=1.5-2',
    'bytes 0-99',
    'bytes=0-99 junk',
    'items=0-99', // a unit the server does not know
    'bytes=0-9,20-29', // several ranges: served whole, not as multipart/byteranges
    '',
  ])('ignores the Range header %j and serves the whole file with 200', async (range) => {
    const response = await request(url(`${ID}.wav`), { Range: range });
    expect(response.status).toBe(200);
    expect(response.headers.has('content-range')).toBe(false);
    expect(await bytesOf(response)).toEqual(BYTES);
  });

  it('serves the whole file when If-Range is sent (no validator of ours can match it)', async () => {
    const response = await request(url(`${ID}.wav`), { Range: 'bytes=0-99', 'If-Range': '"some-etag"' });
    expect(response.status).toBe(200);
    expect(await bytesOf(response)).toEqual(BYTES);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('refuses %s with 405', async (method) => {
    expect((await request(url(`${ID}.wav`), {}, method)).status).toBe(405);
  });

  it.each([
    `app://agent-talk/audio/../${OTHER_ID}.mp3`, // the parser clamps it to /<id>.mp3: not an audio path
    `app://agent-talk/audio/..%2f${OTHER_ID}.mp3`,
    `app://agent-talk/audio/%2e%2e%2f${OTHER_ID}.mp3`,
    `app://agent-talk/audio/..%5c${OTHER_ID}.mp3`,
    'app://agent-talk/audio/..%2fsecret.txt',
    'app://agent-talk/audio/%2e%2e/secret.txt',
    `app://agent-talk/audio/${ID}%2ewav`, // an encoded name
    `app://agent-talk/audio/${ID.replace('0', '%30')}.wav`,
    `app://agent-talk/audio/x/${ID}.wav`,
    `app://agent-talk/audio/${ID}.wav/`,
    `app://agent-talk/audio/${ID}.WAV`,
    `app://agent-talk/audio/${ID.toUpperCase()}.wav`,
    `app://agent-talk/audio/${OTHER_ID}.ogg`, // a file that exists, with another extension
    `app://agent-talk/audio/${ID}.wav.mp3`,
    `app://agent-talk/audio/${ID}`,
    'app://agent-talk/audio/notes.v2.wav', // a file that exists, not named by a memo id (ids have no dots)
    'app://agent-talk/audio/',
    `app://agent-talk/audio/${OTHER_ID}.wav`, // a directory
    `app://agent-talk/audio/${OTHER_ID}.mp3`, // missing
    `app://agent-talk/audio/${ID}.wav%00.mp3`,
    `app://evil/audio/${ID}.wav`,
    `app://agent-talk.evil/audio/${ID}.wav`,
  ])('answers 404 to %s, and never with a file', async (target) => {
    const response = await request(target, { Range: 'bytes=0-99' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe('Not Found');
  });

  const onLinux = process.platform === 'linux'; // open files counted in /proc/self/fd

  it.runIf(onLinux)('closes the file when the consumer cancels the body halfway (a media element seeking)', async () => {
    const before = openFiles();
    const bodies = await Promise.all(Array.from({ length: 20 }, () => request(url(`${BIG_ID}.mp3`), { Range: 'bytes=10-' })));
    expect(openFiles()).toBeGreaterThanOrEqual(before + 20); // each response holds its file open until read
    for (const response of bodies) {
      const reader = response.body!.getReader();
      const { value } = await reader.read();
      expect(Buffer.from(value!).equals(BIG.subarray(10, 10 + 64 * 1024))).toBe(true);
      await reader.cancel();
    }
    expect(openFiles()).toBe(before);
  });

  it.runIf(onLinux)('closes the file once the body is read, and after HEAD, 416 and 404', async () => {
    const before = openFiles();
    await bytesOf(await request(url(`${ID}.wav`)));
    await bytesOf(await request(url(`${BIG_ID}.mp3`)));
    await bytesOf(await request(url(`${ID}.wav`), { Range: 'bytes=0-99' }));
    await request(url(`${ID}.wav`), {}, 'HEAD');
    await request(url(`${ID}.wav`), { Range: `bytes=${SIZE}-` });
    await request(url(`${OTHER_ID}.wav`));
    expect(openFiles()).toBe(before);
  });

  it('reaches the audio through routeAppRequest, and the renderer otherwise', async () => {
    const dirs = { rendererDir: join(base, 'renderer'), audioDir, uploadDir: join(base, 'uploads') };
    mkdirSync(dirs.rendererDir, { recursive: true });
    writeFileSync(join(dirs.rendererDir, 'index.html'), '<title>Agent Talk</title>');
    const audio = await routeAppRequest(dirs, new Request(url(`${ID}.wav`), { headers: { Range: 'bytes=-50' } }));
    expect(audio.status).toBe(206);
    expect(await bytesOf(audio)).toEqual(BYTES.subarray(SIZE - 50));
    const page = await routeAppRequest(dirs, new Request('app://agent-talk/index.html'));
    expect(await page.text()).toBe('<title>Agent Talk</title>');
    // The renderer directory never serves audio, and the audio route never serves the renderer.
    expect((await routeAppRequest(dirs, new Request('app://agent-talk/audio/index.html'))).status).toBe(404);
  });
});

describe('parseRange', () => {
  it.each([
    [null, 10, null],
    ['bytes=0-4', 0, null], // an empty file is served whole
    ['bytes=0-4', 10, { start: 0, end: 4 }],
    ['bytes=5-', 10, { start: 5, end: 9 }],
    ['bytes=-3', 10, { start: 7, end: 9 }],
    ['bytes=10-', 10, 'unsatisfiable'],
    ['bytes=-0', 10, 'unsatisfiable'],
    ['bytes=3-2', 10, null],
    ['bytes=0-1,3-4', 10, null],
    ['bytes=99999999999999999999-', 10, 'unsatisfiable'],
    ['bytes=0-99999999999999999999', 10, { start: 0, end: 9 }],
  ] as const)('reads %j against %i bytes as %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
