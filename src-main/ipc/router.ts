/**
 * The router: validate a call against the contract, run its handler, and answer a result value. Anything
 * malformed is refused with VALIDATION_ERROR before a service sees it, so it changes nothing.
 */
import { MAX_ERROR_MESSAGE, methods, type IpcError, type IpcHandler, type IpcResult, type MethodName } from '../../src-shared/contract';
import { StoreError } from '../db';
import { ServiceError } from '../services';
import type { Handlers, StoreHandlers } from './handlers';

const STORE_CODES: Partial<Record<StoreError['code'], IpcError['code']>> = {
  NOT_FOUND: 'NOT_FOUND',
  UNIQUE_VIOLATION: 'CONFLICT',
  STORE_DAMAGED: 'STORE_UNAVAILABLE',
  STORE_MISSING: 'STORE_UNAVAILABLE',
};

/** A store that could not save: its message is written for the user; nothing of the call was saved. */
const SAVE_CODES: Partial<Record<StoreError['code'], IpcError['code']>> = {
  COMMIT_FAILED: 'SAVE_FAILED',
  DISK_FULL: 'DISK_FULL',
};

function toError(error: unknown): IpcError {
  if (error instanceof ServiceError) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof StoreError && SAVE_CODES[error.code]) {
    return { code: SAVE_CODES[error.code]!, message: error.message, details: { retryable: true } };
  }
  if (error instanceof StoreError) {
    // The contract should have caught bad values; what still reaches the store is the caller's data, not a crash.
    return { code: STORE_CODES[error.code] ?? 'VALIDATION_ERROR', message: error.message, details: { reason: error.code } };
  }
  if (error instanceof Error && 'code' in error && error.code === 'KEYCHAIN_UNAVAILABLE') {
    return { code: 'KEYCHAIN_UNAVAILABLE', message: 'The system keychain did not answer; try again, or restart the app.' };
  }
  console.error('internal error in an IPC call', error);
  return { code: 'INTERNAL_ERROR', message: 'Something went wrong inside the app; the details are in its log.' };
}

/**
 * The contract's own messages are sentences written for the user (ending with a period) and are shown as they
 * are; zod's generic ones ("Too big: expected ...") get the field's name in front.
 */
const describeIssue = ({ path, message }: { path: string; message: string }) => (path && !message.endsWith('.') ? `${path}: ${message}` : message);

/** Long messages (a validation error quoting many fields, a path) are cut to what a user reads. */
const capped = (error: IpcError): IpcError =>
  error.message.length <= MAX_ERROR_MESSAGE ? error : { ...error, message: `${error.message.slice(0, MAX_ERROR_MESSAGE - 1)}…` };

/** A router for the methods `handlers` answers (a core's, or the session's store.*); any other is unknown to it. */
export function createRouter(handlers: Handlers | StoreHandlers): IpcHandler {
  const route = routeCall(handlers);
  return async (method, args) => {
    const result = await route(method, args);
    return result.ok ? result : { ok: false, error: capped(result.error) };
  };
}

function routeCall(handlers: Handlers | StoreHandlers): IpcHandler {
  return async (method, args): Promise<IpcResult> => {
    if (typeof method !== 'string' || !Object.hasOwn(methods, method) || !Object.hasOwn(handlers, method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `There is no method ${String(method).slice(0, 100)}.` } };
    }
    const def = methods[method as MethodName];
    const parsed = def.args.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
      return {
        ok: false,
        error: { code: 'VALIDATION_ERROR', message: issues.map(describeIssue).join('; '), details: { issues } },
      };
    }
    try {
      const handler = (handlers as Record<string, (a: unknown) => unknown>)[method]!;
      const value = def.result.parse(await handler(parsed.data ?? {}));
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toError(error) };
    }
  };
}
