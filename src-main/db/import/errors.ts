/** Why a file could not be imported at all. Nothing is written to the store when one is thrown. */
/** NO_ACCOUNT: imported into a profile, the file has no account with the profile's email (and more than one). */
export type LegacyImportErrorCode = 'NOT_FOUND' | 'UNREADABLE' | 'NOT_SQLITE' | 'NOT_AGENT_TALK' | 'NO_ACCOUNT';

export class LegacyImportError extends Error {
  override readonly name = 'LegacyImportError';
  constructor(
    readonly code: LegacyImportErrorCode,
    message: string,
    readonly details: { file: string; [key: string]: unknown },
  ) {
    super(message);
  }
}
