/** The HTTP edges of the agent API: who may call (Host, key), how much it reads, how it answers. */
import type { IncomingMessage } from 'node:http';
import type { ApiKey } from '../../src-shared/schema';
import type { Services } from '../services';
import { ApiFailure } from './failure';

/** The largest header block read (Node answers 431 beyond it): a key is 51 characters, agents send few headers. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** What a JSON body may add around its text: field names, voice, model, format, whitespace. */
export const JSON_ENVELOPE_BYTES = 16 * 1024;
/** The most bytes one character of text can take in a JSON body (`\uXXXX`). */
const BYTES_PER_JSON_CHAR = 6;

/**
 * The request names this server (127.0.0.1 or localhost on its port) in exactly one Host header: a page on another
 * site whose name was rebound to 127.0.0.1 (DNS rebinding) sends its own name and is refused.
 */
export function checkHost(req: IncomingMessage, port: number): void {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts++;
  if (hosts !== 1) throw new ApiFailure(400, 'INVALID_INPUT', 'Send exactly one Host header.');
  const host = req.headers.host?.toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    throw new ApiFailure(403, 'FORBIDDEN', `This server answers requests addressed to http://127.0.0.1:${port} only.`);
  }
  if (!req.url?.startsWith('/')) throw new ApiFailure(400, 'INVALID_INPUT', 'Ask for a path, not a full URL.');
}

/** The key of `Authorization: Bearer <key>` or of a bare `Authorization: <key>`, as the service reads it. */
export function authenticate(services: Services, req: IncomingMessage): ApiKey {
  const header = req.headers.authorization?.trim() ?? '';
  const given = header.replace(/^Bearer\s+/i, '').trim();
  if (given === '') throw new ApiFailure(401, 'MISSING_API_KEY', 'Send your API key as "Authorization: Bearer <key>" (make one in the app, under Keys).');
  return services.keys.authenticate(given);
}

/** The body bound for a plan's characters per memo (null: the app's own bound for any one text). */
export const bodyLimitFor = (charsPerMemo: number) => charsPerMemo * BYTES_PER_JSON_CHAR + JSON_ENVELOPE_BYTES;

/** Reads a JSON body of at most `maxBytes` (413 beyond, without reading the rest); 400 when it is not JSON. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new ApiFailure(413, 'VALIDATION_ERROR', `The request body is larger than your plan allows (${maxBytes} bytes with the text).`, { limit: maxBytes }, { Connection: 'close' });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiFailure(400, 'INVALID_INPUT', 'The request body must be JSON, such as {"text": "Hello", "voice": "flite:slt"}.');
  }
}
