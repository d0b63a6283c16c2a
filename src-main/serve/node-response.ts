/** Sends a Fetch `Response` (what serve/ answers with) on a Node HTTP response: status, headers, streamed body. */
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

export async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (!response.body) return void res.end();
  try {
    // Streamed as the client reads it; a client that goes away (a media element seeking) cancels the body.
    await pipeline(response.body, res);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
}
