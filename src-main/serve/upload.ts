/**
 * Files the page hands to the app (a legacy database to import), received as a stream: `POST /upload` with the
 * file as the body, written to `<profile>/uploads/<id>` and answered with that id, which a call then names. Bytes
 * never travel inside a call (base64 in one IPC message or WebSocket frame would hold several copies in memory).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_UPLOAD_BYTES } from '../../src-shared/contract/settings';
import { plainResponse } from './plain-response';

export const UPLOAD_PATH = '/upload';

export const isUploadUrl = (url: string) => new URL(url).pathname === UPLOAD_PATH;

/** Refuses a body past `limit` bytes as it arrives, whatever its Content-Length said. */
function capped(limit: number): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(received > limit ? new RangeError('upload too large') : null, chunk);
    },
  });
}

export async function receiveUpload(uploadDir: string, request: Request, limit = MAX_UPLOAD_BYTES): Promise<Response> {
  if (request.method !== 'POST') return plainResponse(405, 'Method Not Allowed');
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return tooLarge(limit);
  if (!request.body) return plainResponse(400, 'The upload has no body.');
  await mkdir(uploadDir, { recursive: true });
  const id = randomUUID();
  const partial = join(uploadDir, `.${id}.partial`);
  try {
    await pipeline(Readable.fromWeb(request.body as import('node:stream/web').ReadableStream), capped(limit), createWriteStream(partial, { flags: 'wx' }));
    await rename(partial, join(uploadDir, id));
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof RangeError) return tooLarge(limit);
    throw error;
  }
  return Response.json({ id }, { status: 201 });
}

const tooLarge = (limit: number) => plainResponse(413, `The file is larger than ${Math.floor(limit / 2 ** 20)} MB.`);
