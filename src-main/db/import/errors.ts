/** Why a file could not be imported at all. Nothing is written to the store when one is thrown. */
export type LegacyImportErrorCode = 'NOT_FOUND' | 'UNREADABLE' | 'NOT_SQLITE' | 'NOT_AGENT_TALK';

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
