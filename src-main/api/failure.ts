/**
 * A refusal of the agent API: an HTTP status, the service's error code and a message written for the caller, with
 * the headers it needs (Retry-After). Service errors map onto the codes the cloud service answers with
 * (AGENT-TALK-CLOUD.md, "Errors"); anything unexpected becomes a bare 500 that names no file and shows no stack.
 */
import { ServiceError } from '../services';

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Whole seconds from `now` until `iso` (at least 1): a Retry-After value. */
export const secondsUntil = (iso: string, now: Date) => String(Math.max(1, Math.ceil((Date.parse(iso) - now.getTime()) / 1000)));

/** How long a caller waits before trying the cloud's voices again, or another turn in a full line. */
const CLOUD_RETRY_AFTER_S = '60';
const LINE_RETRY_AFTER_S = '1';

/**
 * An AUDIO_NOT_HERE refusal as an agent is told it: the same, except that the sync folder's place on this computer
 * (said to the user in the app) is left out, as is every local path.
 */
export function audioRefusal({ message, details }: ServiceError): { message: string; details: Record<string, unknown> } {
  if (details.reason !== 'folder-unavailable') return { message, details };
  return {
    message: 'This memo’s audio is on another computer, and the sync folder of this computer is not available (unplugged, unmounted or unreadable). It can be had once the folder is back.',
    details: { where: details.where, reason: details.reason },
  };
}

export function failureOf(error: unknown, now: Date): ApiFailure {
  if (error instanceof ApiFailure) return error;
  if (!(error instanceof ServiceError)) return new ApiFailure(500, 'INTERNAL_ERROR', 'Something went wrong in the app while answering; the request may be tried again.');
  const { code, message, details } = error;
  switch (code) {
    case 'INVALID_API_KEY':
      return new ApiFailure(401, code, message);
    case 'REVOKED_KEY':
    case 'FORBIDDEN':
      return new ApiFailure(403, code, message);
    case 'VALIDATION_ERROR':
    case 'INVALID_VOICE':
      return new ApiFailure(400, code, message, details);
    case 'UNSPEAKABLE_TEXT':
      return new ApiFailure(400, 'VALIDATION_ERROR', message, { field: 'text', ...details });
    case 'TEXT_TOO_LONG':
      return new ApiFailure(400, 'VALIDATION_ERROR', message, { field: 'text', ...details });
    case 'DAILY_LIMIT_EXCEEDED':
    case 'MONTHLY_LIMIT_EXCEEDED':
      return new ApiFailure(429, code, message, details, { 'Retry-After': secondsUntil(String(details.resetAt), now) });
    case 'RATE_LIMIT_EXCEEDED':
      return new ApiFailure(429, code, message, details, { 'Retry-After': LINE_RETRY_AFTER_S });
    case 'CLOUD_UNAVAILABLE':
      return new ApiFailure(503, 'SERVICE_UNAVAILABLE', message, details, { 'Retry-After': CLOUD_RETRY_AFTER_S });
    case 'AUDIO_NOT_HERE': {
      // On the service while it is out of reach, or on another computer whose file has not arrived: try again later.
      const refusal = audioRefusal(error);
      return new ApiFailure(503, code, refusal.message, refusal.details, { 'Retry-After': CLOUD_RETRY_AFTER_S });
    }
    case 'CONFLICT':
      return new ApiFailure(409, code, message);
    case 'NOT_FOUND':
      return new ApiFailure(404, 'MEMO_NOT_FOUND', message);
    case 'TTS_FAILED':
      return new ApiFailure(500, 'TTS_SERVICE_ERROR', message);
    case 'NO_PROFILE':
      return new ApiFailure(503, 'SERVICE_UNAVAILABLE', 'Open the app and create your profile first.', undefined, { 'Retry-After': CLOUD_RETRY_AFTER_S });
    default:
      return new ApiFailure(500, 'INTERNAL_ERROR', 'Something went wrong in the app while answering; the request may be tried again.');
  }
}

/** The service's error envelope. */
export const envelopeOf = (failure: ApiFailure) => ({
  error: { code: failure.code, message: failure.message, ...(failure.details && { details: failure.details }) },
});
