/**
 * Why a memo failed, as its kind (the error code kept on the memo): a failure that another try cannot change
 * offers no Retry anywhere (the core refuses one too), and says what to change instead.
 */
import type { ErrorCode } from './contract/result';

/** What to change, per failure that trying again cannot mend. */
const WHAT_TO_CHANGE: Partial<Record<ErrorCode, string>> = {
  INVALID_API_KEY: 'Pick another API key in the Studio, or create one on the Keys screen, and generate it again.',
  REVOKED_KEY: 'Its key was revoked: pick an active key in the Studio and generate it again.',
  FORBIDDEN: 'The service refused this key: pick another key in the Studio and generate it again.',
  INVALID_VOICE: 'That voice is not known: pick another voice in the Studio and generate it again.',
  VALIDATION_ERROR: 'Change the text in the Studio and generate it again.',
  TEXT_TOO_LONG: 'Shorten the text to your plan’s limit (or split it in two) in the Studio and generate it again.',
  UNSPEAKABLE_TEXT: 'Write the text in English for the offline voices, or pick a cloud voice, and generate it again.',
  SILENT_AUDIO: 'Write the text in English for the offline voices, or pick a cloud voice, and generate it again.',
};

/** Null when another try may succeed (the service was down, the engine crashed): then Retry is offered. */
export function whatToChange(code: string | null): string | null {
  return (code !== null && WHAT_TO_CHANGE[code as ErrorCode]) || null;
}

export const retryCannotHelp = (code: string | null): boolean => whatToChange(code) !== null;

/** Failures of the memo's own text or voice, which it keeps: another try would fail the same (the core refuses it). */
const OF_THE_MEMO: readonly string[] = ['INVALID_VOICE', 'VALIDATION_ERROR', 'TEXT_TOO_LONG', 'UNSPEAKABLE_TEXT', 'SILENT_AUDIO'];

/**
 * Whether the core refuses to queue the memo again. A key's refusal is not among them: the Studio offers no Retry
 * for it, but the key's secret may be replaced meanwhile (by sync or an agent), and then a try can succeed.
 */
export const failsAgainOnRetry = (code: string | null): boolean => code !== null && OF_THE_MEMO.includes(code);
