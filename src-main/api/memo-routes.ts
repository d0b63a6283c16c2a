/**
 * The service's memo API (AGENT-TALK-CLOUD.md), answered from this computer: make a memo, fetch one, list them
 * (what the service leaves at 501), the voices, and health.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { MAX_MEMO_TEXT } from '../../src-shared/contract';
import type { ApiKey, Memo } from '../../src-shared/schema';
import { TIER_LIMITS } from '../../src-shared/tiers';
import { ServiceError, type Services } from '../services';
import { ApiFailure, audioRefusal } from './failure';
import { bodyLimitFor, readJson } from './http';
import { speak, type SpeakDeps } from './speak';
import { agentVoices, voiceView } from './voices';

/** The service's memo shape, with what this app adds: the memo's status and title, and the voice asked for when
 * another one spoke in its place. `audio` is null until the audio exists. */
export function memoView(services: Services, memo: Memo, origin: string) {
  const file = memo.status === 'completed' ? services.audio.fileOf(memo.audio_url) : null;
  let voice;
  try {
    voice = voiceView(services.tts.resolve(memo.voice ?? '').voice);
  } catch {
    voice = { id: memo.voice, name: memo.voice, gender: null, description: '' }; // a voice this app no longer has (imported)
  }
  return {
    id: memo.id,
    text: memo.text,
    title: memo.title,
    status: memo.status,
    voice,
    audio: file ? { url: `${origin}/audio/${file}`, duration: memo.duration_sec, format: file.slice(file.lastIndexOf('.') + 1) } : null,
    createdAt: memo.created_at,
  };
}

/** A body's required field, or 400 MISSING_FIELD naming it. */
function field(body: Record<string, unknown>, name: string): unknown {
  if (body[name] === undefined || body[name] === null) throw new ApiFailure(400, 'MISSING_FIELD', `The body needs "${name}".`, { field: name });
  return body[name];
}

const memoRequest = z.object({
  text: z.string({ error: '"text" must be a string.' }).refine((t) => t.trim() !== '', '"text" is empty: there is nothing to speak.'),
  voice: z.string({ error: '"voice" must be a voice id (GET /api/v1/voices lists them).' }).max(100, '"voice" must be a voice id.'),
});

/** Parses with `schema`, or 400 VALIDATION_ERROR with the first problem. */
export function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ApiFailure(400, 'VALIDATION_ERROR', issue.message, { field: issue.path.join('.') || null });
}

/** How large a body this key's plan may send. */
export const bodyLimitOf = (services: Services, key: ApiKey) => bodyLimitFor(TIER_LIMITS[services.accounts.tier(key.user_id)].charsPerMemo ?? MAX_MEMO_TEXT);

export async function createMemo(deps: SpeakDeps, key: ApiKey, req: IncomingMessage, origin: string) {
  const body = await readJson(req, bodyLimitOf(deps.services, key));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiFailure(400, 'VALIDATION_ERROR', 'The body must be a JSON object: {"text": "...", "voice": "..."}.');
  const request = parsed(memoRequest, { text: field(body as Record<string, unknown>, 'text'), voice: field(body as Record<string, unknown>, 'voice') });
  const { memo, choice } = await speak(deps, key, request.text, request.voice);
  return { ...memoView(deps.services, memo, origin), ...(choice.standsInFor && { requestedVoice: choice.standsInFor }) };
}

/**
 * One memo; a completed memo's audio is brought to this computer first when it is not here (another computer's, an
 * imported one). Audio that cannot be had now leaves `audio` null and says why in `audioUnavailable`.
 */
export async function getMemo(services: Services, key: ApiKey, id: string, origin: string) {
  const memo = services.store.get('memos', id);
  if (!memo || memo.user_id !== key.user_id) throw new ApiFailure(404, 'MEMO_NOT_FOUND', 'There is no memo with that id.');
  if (memo.status !== 'completed') return memoView(services, memo, origin);
  try {
    return memoView(services, (await services.memoAudio.ensure(id, key.user_id)).memo, origin);
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const { where } = error.details;
    const message = error.code === 'AUDIO_NOT_HERE' ? audioRefusal(error).message : error.message;
    return { ...memoView(services, { ...memo, audio_url: '' }, origin), audioUnavailable: { code: error.code, message, ...(typeof where === 'string' && { where }) } };
  }
}

/** A page's position: the creation time of the last memo sent and how many memos with that time were sent. */
const cursorSchema = z.object({ t: z.iso.datetime(), n: z.int().min(1) });
const listQuery = z.object({
  limit: z.coerce.number({ error: '"limit" must be a number from 1 to 100.' }).int('"limit" must be a whole number.').min(1, '"limit" must be from 1 to 100.').max(100, '"limit" must be from 1 to 100.').default(20),
  cursor: z.string().max(200).optional(),
});

const encodeCursor = (cursor: z.infer<typeof cursorSchema>) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(text: string) {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new ApiFailure(400, 'VALIDATION_ERROR', '"cursor" is not one this server gave out: pass nextCursor from the last page as it is.', { field: 'cursor' });
  }
}

/**
 * The key's user's memos, newest first, from the (user_id, created_at desc) index. The cursor names where the last
 * page ended by creation time, and how many memos of that very time it had sent, so memos sharing a millisecond
 * are neither skipped nor sent twice, and memos made meanwhile do not shift the pages.
 */
export function listMemos(services: Services, key: ApiKey, search: URLSearchParams, origin: string) {
  const query = parsed(listQuery, Object.fromEntries(search));
  const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
  const where = { user_id: key.user_id, ...(cursor && { created_at: { lte: cursor.t } }) };
  const rows = services.store.query('memos', where, { orderBy: 'created_at', order: 'desc', limit: query.limit + 1, offset: cursor?.n ?? 0 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  let nextCursor: string | null = null;
  if (last && rows.length > query.limit) {
    const sameTime = page.filter((m) => m.created_at === last.created_at).length;
    nextCursor = encodeCursor({ t: last.created_at!, n: sameTime + (cursor && cursor.t === last.created_at ? cursor.n : 0) });
  }
  return { memos: page.map((memo) => memoView(services, memo, origin)), nextCursor };
}

export async function listVoices(services: Services, nearestOffline: boolean) {
  return { voices: await agentVoices(services, nearestOffline) };
}

export function health(services: Services, now: Date) {
  return {
    status: 'ok',
    service: 'agent-talk-desktop',
    timestamp: now.toISOString(),
    ttsMode: services.settings.cloudUrl() === null ? 'offline' : 'offline+cloud',
    database: { status: 'ok' },
  };
}
