/**
 * What every IPC call answers. Electron passes only `error.message` through a rejected invoke, so errors travel
 * as values: `{ ok: false, error }` with a code the renderer can switch on.
 */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'REVOKED_KEY',
  'INVALID_API_KEY',
  'KEY_LIMIT_REACHED',
  'TEXT_TOO_LONG',
  'INVALID_VOICE',
  'DAILY_LIMIT_EXCEEDED',
  'MONTHLY_LIMIT_EXCEEDED',
  'RATE_LIMIT_EXCEEDED',
  'NO_PROFILE',
  'IMPORT_FAILED',
  'KEYCHAIN_UNAVAILABLE',
  // The cloud account: signed out or its session refused; the service does not offer this (404/501) yet.
  'SIGN_IN_NEEDED',
  'NOT_OFFERED',
  // Something this window or engine cannot do (a save dialog in a browser, a preview of a cloud voice).
  'UNSUPPORTED',
  // The cloud service: unreachable or failing (5xx, network) after retries; or it answered outside its contract.
  'CLOUD_UNAVAILABLE',
  // A memo request reached the cloud and its answer was lost: it may have been made and counted; not sent again.
  'CLOUD_ANSWER_LOST',
  'TTS_FAILED',
  // Nothing was saved: the commit failed (SAVE_FAILED) or the disk is full (DISK_FULL); the same call may work later.
  'SAVE_FAILED',
  'DISK_FULL',
  // The text has nothing the voice can say (an English voice and Chinese text, emoji only), so its audio would be silence.
  'UNSPEAKABLE_TEXT',
  // The voice made audio, but it was empty or silence: the memo failed rather than complete without a sound.
  'SILENT_AUDIO',
  // A memo's audio is not on this computer and cannot be had now: on the service while offline, or on another
  // computer whose file the sync folder has not brought yet (`details.where`: 'service' | 'another-computer').
  'AUDIO_NOT_HERE',
  // The profile's store is damaged or missing: only the store.* methods answer until the user picks a way back.
  'STORE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The longest error message a call answers with: a sentence for the user, never a dump of what was sent. */
export const MAX_ERROR_MESSAGE = 300;

export interface IpcError {
  code: ErrorCode;
  /** At most MAX_ERROR_MESSAGE characters. */
  message: string;
  details?: Record<string, unknown>;
}

export type IpcResult<T = unknown> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The one function every transport calls: method name and raw arguments in, a result value out. */
export type IpcHandler = (method: string, args: unknown) => Promise<IpcResult>;

/** Events main pushes to the renderer: name and payload. */
export type EventSink = (event: string, payload: unknown) => void;

/** The single Electron IPC channel calls travel on, and the one events travel on. */
export const IPC_CALL_CHANNEL = 'agent-talk:call';
export const IPC_EVENT_CHANNEL = 'agent-talk:event';
