/**
 * The memo audio responses: `app://agent-talk/audio/<memo id>.<wav|mp3>`, with HTTP Range support so that an
 * `<audio>` element can seek. One implementation for Electron's protocol handler and the browser host. Plain Node,
 * no electron.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIO_FILE_NAME } from '../../src-shared/audio-file';
import { isAppUrl } from './origin';
import { plainResponse } from './plain-response';

/** The URL path prefix the audio is served under. */
export const AUDIO_PATH_PREFIX = '/audio/';


const AUDIO_TYPES: Readonly<Record<string, string>> = { wav: 'audio/wav', mp3: 'audio/mpeg' };

/** Bytes read from the file per chunk of the response body. */
const CHUNK_BYTES = 64 * 1024;

/** Whether an app:// URL is one of the audio paths (which `serveAudioRequest` answers, with 404 if need be). */
export function isAudioUrl(url: unknown): boolean {
  return isAppUrl(url) && new URL(url).pathname.startsWith(AUDIO_PATH_PREFIX);
}

/**
 * Brings a memo's audio to this computer when its file is not here, and answers the file's name in the audio folder
 * (services' `memoAudio.ensure`); throws the service's typed refusal when it cannot be had (the edges answer it).
 */
export type EnsureAudio = (memoId: string) => Promise<string>;

/** The memo and file an audio file name names inside `audioDir`, or null. */
function fileOf(audioDir: string, name: string): { memoId: string; path: string; mimeType: string } | null {
  const match = AUDIO_FILE_NAME.exec(name);
  if (!match) return null;
  const [, id, extension] = match as unknown as [string, string, string];
  return { memoId: id, path: join(audioDir, `${id}.${extension}`), mimeType: AUDIO_TYPES[extension]! };
}

/** The file an audio URL names inside `audioDir`, or null. */
function audioFile(audioDir: string, url: string) {
  if (!isAppUrl(url)) return null;
  // Matched against the raw path: the only names served are AUDIO_FILE_NAME's, right under the prefix.
  const { pathname } = new URL(url);
  return pathname.startsWith(AUDIO_PATH_PREFIX) ? fileOf(audioDir, pathname.slice(AUDIO_PATH_PREFIX.length)) : null;
}

/** An audio file opened for reading, with its size (both from the same open file), or null when there is none. */
async function openAudio(path: string): Promise<{ handle: FileHandle; size: number } | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('not a file');
    return { handle, size: stats.size };
  } catch {
    await handle.close().catch(() => undefined);
    return null;
  }
}

/** An inclusive byte range inside the file. */
export interface ByteRange {
  start: number;
  end: number;
}

const BYTE_RANGE = /^(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against a representation of `size` bytes (RFC 9110 §14.1-14.2):
 * - null: serve the whole file (200): no header, a malformed one, another unit, more than one range, or an empty
 *   file (a server may ignore Range; multiple ranges would need a multipart/byteranges body, which no media
 *   player asks for);
 * - 'unsatisfiable': 416;
 * - a range, clamped to the file: 206.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === null || size === 0) return null;
  const equals = header.indexOf('=');
  if (equals < 0 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return null;
  const specs = header.slice(equals + 1).split(',').map((spec) => spec.trim()).filter((spec) => spec !== '');
  if (specs.length !== 1) return null;
  const match = BYTE_RANGE.exec(specs[0]!);
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '') {
    if (last === '') return null; // "bytes=-"
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return null; // an invalid range-spec: the header is ignored
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/**
 * The bytes `start..end` (inclusive) of an open file, read as the consumer pulls them, one chunk at a time: the
 * file is never read whole into memory. The handle closes when the range is read, on an error, or when the
 * consumer cancels (a media element drops a request each time it seeks). A file that shrinks under the stream
 * errors it rather than send fewer bytes than Content-Length promised.
 */
function fileRangeStream(handle: FileHandle, { start, end }: ByteRange): ReadableStream<Uint8Array> {
  let position = start;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= handle.close().catch(() => undefined));
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(Math.min(CHUNK_BYTES, end + 1 - position));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) throw new Error('The audio file ended before the range did');
        position += bytesRead;
        controller.enqueue(buffer.subarray(0, bytesRead));
        if (position > end) {
          await close();
          controller.close();
        }
      } catch (error) {
        await close();
        controller.error(error); // a no-op if the consumer has already cancelled
      }
    },
    cancel: close,
  });
}


/**
 * Answers GET and HEAD for a memo's audio file in `audioDir`. Range is honored on GET only (the one method
 * RFC 9110 defines it for). There are no validators (ETag, Last-Modified): a request with `If-Range` cannot match
 * one, so it gets the whole file, as RFC 9110 §13.1.5 says.
 *
 * A file that is not here is brought by `ensure` when given (another computer's memo from the synced folder, an
 * imported one from the service) and then served, whichever of wav or mp3 the memo's audio turns out to be (the
 * name's id names the memo); the refusal `ensure` throws when it cannot be had is left to the edge to answer.
 */
export async function serveAudioRequest(audioDir: string, request: Request, ensure?: EnsureAudio): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plainResponse(405, 'Method Not Allowed');
  let file = audioFile(audioDir, request.url);
  if (!file) return plainResponse(404, 'Not Found');

  // The size and the bytes come from the same open file: a memo re-generated meanwhile (its file replaced) cannot
  // make them disagree.
  let opened = await openAudio(file.path);
  if (!opened && ensure) {
    file = fileOf(audioDir, await ensure(file.memoId));
    opened = file && (await openAudio(file.path));
  }
  if (!file || !opened) return plainResponse(404, 'Not Found');
  const { handle, size } = opened;

  const headers = new Headers({
    'Content-Type': file.mimeType,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-cache', // a re-generated memo replaces its file
    'X-Content-Type-Options': 'nosniff',
  });
  const wantsRange = request.method === 'GET' && !request.headers.has('If-Range');
  const range = wantsRange ? parseRange(request.headers.get('Range'), size) : null;

  if (range === 'unsatisfiable') {
    await handle.close().catch(() => undefined);
    headers.set('Content-Range', `bytes */${size}`);
    headers.set('Content-Length', '0');
    return new Response(null, { status: 416, headers });
  }
  const bytes = range ?? { start: 0, end: size - 1 };
  headers.set('Content-Length', String(bytes.end + 1 - bytes.start));
  if (range) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  const status = range ? 206 : 200;

  if (request.method === 'HEAD' || size === 0) {
    await handle.close().catch(() => undefined);
    return new Response(null, { status, headers });
  }
  return new Response(fileRangeStream(handle, bytes), { status, headers });
}
