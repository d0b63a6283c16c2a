/** One IPC call from a window to the core: the sender checked, and every outcome an `IpcResult` value. */
import type { ErrorCode, IpcHandler, IpcResult } from '../../src-shared/contract/result';
import { isTrustedSender } from './policy';

const failure = (code: ErrorCode, message: string): IpcResult => ({ ok: false, error: { code, message } });

/** `senderUrl` is the URL of the calling frame, undefined when that frame is gone or is not a top frame. */
export async function dispatchCall(
  handler: IpcHandler,
  senderUrl: string | undefined,
  method: unknown,
  args: unknown,
): Promise<IpcResult> {
  if (!isTrustedSender(senderUrl)) return failure('FORBIDDEN', 'Calls are accepted only from the app window');
  if (typeof method !== 'string') return failure('VALIDATION_ERROR', 'The method name must be a string');
  try {
    return await handler(method, args);
  } catch (error) {
    // Electron would pass only the message of a rejection: keep it a value, and its details out of the page.
    console.error(`IPC method ${method} failed:`, error);
    return failure('INTERNAL_ERROR', 'Internal error');
  }
}
