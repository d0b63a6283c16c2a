/**
 * OpenAI's speech endpoint, `POST /v1/audio/speech` (`{model, input, voice, response_format, speed}` → the audio
 * bytes: mp3 by default, wav, or pcm), so agent frameworks that speak OpenAI's TTS API work offline against this app: the same key, limits and
 * Library as the memo API. OpenAI's voice names map onto the offline voices; this app's voice ids work too. Errors
 * take OpenAI's shape, `{error: {message, type, param, code}}`.
 */
import type { IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ApiKey } from '../../src-shared/schema';
import { ApiFailure } from './failure';
import { readJson } from './http';
import { bodyLimitOf, parsed } from './memo-routes';
import { mp3Of } from './mp3';
import { pcm24kOf } from './pcm';
import { speak, type SpeakDeps } from './speak';
import { OPENAI_VOICES } from './voices';

/** The formats this app answers with; OpenAI's others (opus, aac, flac) are refused by name. */
const SERVED_FORMATS = ['mp3', 'wav', 'pcm'] as const;
const OPENAI_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

const speechRequest = z.object({
  model: z.string({ error: '"model" is required (any model name works: tts-1, gpt-4o-mini-tts, ...).' }).min(1).max(100),
  input: z.string({ error: '"input" is required: the text to speak.' }).refine((t) => t.trim() !== '', '"input" is empty: there is nothing to speak.'),
  voice: z.string({ error: '"voice" is required: an OpenAI voice name (alloy, echo, ...) or an Agent Talk voice id.' }).min(1).max(100),
  response_format: z.enum(OPENAI_FORMATS, { error: `"response_format" must be one of ${OPENAI_FORMATS.join(', ')}.` }).default('mp3'),
  speed: z.number({ error: '"speed" must be a number.' }).min(0.25, '"speed" must be from 0.25 to 4.0.').max(4, '"speed" must be from 0.25 to 4.0.').optional(),
  instructions: z.string().max(4_096).optional(),
  stream_format: z.enum(['audio', 'sse']).optional(),
});

export async function createSpeech(deps: SpeakDeps, key: ApiKey, req: IncomingMessage) {
  const request = parsed(speechRequest, await readJson(req, bodyLimitOf(deps.services, key)));
  const format = request.response_format;
  if (!(SERVED_FORMATS as readonly string[]).includes(format)) {
    throw new ApiFailure(400, 'VALIDATION_ERROR', `This app serves the formats ${SERVED_FORMATS.join(', ')}; ask for one of them in "response_format".`, { field: 'response_format' });
  }
  if (request.speed !== undefined && request.speed !== 1) {
    throw new ApiFailure(400, 'VALIDATION_ERROR', 'The offline voices speak at one speed: leave "speed" out or at 1.0.', { field: 'speed' });
  }
  if (request.stream_format === 'sse') throw new ApiFailure(400, 'VALIDATION_ERROR', 'This app answers with the whole audio: leave "stream_format" out or "audio".', { field: 'stream_format' });
  const voice = OPENAI_VOICES[request.voice.toLowerCase()] ?? request.voice;
  // The cloud's voices come back as MP3, which this app does not decode: refused before anything is counted.
  if (format !== 'mp3' && deps.services.tts.resolve(voice).voice.engine === 'cloud') {
    throw new ApiFailure(400, 'VALIDATION_ERROR', `The cloud voices are served as mp3 only: ask for "response_format": "mp3", or an offline voice for ${format}.`, { field: 'response_format' });
  }
  const { memo, choice } = await speak(deps, key, request.input, voice);
  const file = deps.services.audio.fileOf(memo.audio_url);
  const bytes = file && new Uint8Array(await readFile(join(deps.services.audio.dir, file)));
  const headers = { 'X-Memo-Id': memo.id, 'X-Voice-Used': choice.voice.id };
  if (bytes && format === 'mp3' && file.endsWith('.mp3')) return { body: bytes, type: 'audio/mpeg', headers };
  if (!bytes || !file.endsWith('.wav')) throw new ApiFailure(500, 'TTS_SERVICE_ERROR', 'The memo was spoken in a format this endpoint cannot convert.', { memoId: memo.id });
  const wav = bytes;
  if (format === 'mp3') return { body: await mp3Of(wav), type: 'audio/mpeg', headers };
  return format === 'wav' ? { body: wav, type: 'audio/wav', headers } : { body: pcm24kOf(wav), type: 'audio/pcm', headers };
}

/** OpenAI's error `type` for a status. */
function openAiType(failure: ApiFailure): string {
  if (failure.code === 'DAILY_LIMIT_EXCEEDED' || failure.code === 'MONTHLY_LIMIT_EXCEEDED') return 'insufficient_quota';
  if (failure.status === 429) return 'rate_limit_error';
  if (failure.status === 403) return 'permission_error';
  if (failure.status === 503) return 'service_unavailable_error';
  return failure.status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** A refusal in OpenAI's shape; its code is the service's, in lower case (`invalid_api_key`, `rate_limit_exceeded`). */
export const openAiErrorOf = (failure: ApiFailure) => ({
  error: {
    message: failure.message,
    type: openAiType(failure),
    param: typeof failure.details?.field === 'string' ? failure.details.field : null,
    code: failure.code.toLowerCase(),
  },
});
