import type { ErrorCode } from '../../src-shared/contract/result';

/** A refusal the user can act on: the code travels to the renderer, the message is shown as is. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
