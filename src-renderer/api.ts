/**
 * The renderer's only door into the app, and the only caller of `window.agentTalk`: calls typed from the contract
 * that throw an ApiError on a refusal, and events. In the browser host, where no preload exposes the bridge, a
 * WebSocket bridge to the host is installed in its place first.
 */
import type { ArgsOf, ErrorCode, EventName, EventPayloads, IpcError, MethodName, ResultOf } from '../src-shared/contract';
import type { AgentTalkBridge, ConnectionState } from '../src-shared/contract/bridge';
import { formatDateTime, formatTimeUntil } from './format';
import { connectWebSocketBridge, hostSocketUrl } from './ws-bridge';

declare global {
  interface Window {
    agentTalk?: AgentTalkBridge;
  }
}

/** A refusal from the core; `message` is written for the user and is what the screens show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor({ code, message, details }: IpcError) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/**
 * What a screen shows for a failure: the core's own message, or a plain sentence for anything else. A limit's
 * reset time (UTC, in the core's words) is told in the user's own time, and how far off it is.
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  const resetAt = error.details?.resetAt;
  if (typeof resetAt !== 'string' || !error.message.includes(resetAt)) return error.message;
  return error.message.replace(resetAt, `${formatDateTime(resetAt)} your time (${formatTimeUntil(resetAt)})`);
}

let bridge: AgentTalkBridge | undefined;

function appBridge(): AgentTalkBridge {
  bridge ??= window.agentTalk ??= connectWebSocketBridge(hostSocketUrl(location), __APP_VERSION__);
  return bridge;
}

/** A method that takes no arguments may be called without them. */
type ArgsParam<M extends MethodName> = undefined extends ArgsOf<M> ? [args?: ArgsOf<M>] : [args: ArgsOf<M>];

export async function call<M extends MethodName>(method: M, ...[args]: ArgsParam<M>): Promise<ResultOf<M>> {
  const result = await appBridge().call(method, args);
  if (!result.ok) throw new ApiError(result.error);
  return result.value as ResultOf<M>;
}

/** Listens to one event; returns the function that stops listening. */
export function on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
  return appBridge().on(event, (payload) => listener(payload as EventPayloads[E]));
}

/** The app's version, as the bridge reports it. */
export const appVersion = () => appBridge().version;

/** The link to the app as it is now: always `open` where it cannot break (Electron). */
export const connectionState = (): ConnectionState => appBridge().connection?.state ?? 'open';

/** Told every change of the link's state; returns the function that stops it. */
export const watchConnection = (watcher: (state: ConnectionState) => void): (() => void) => appBridge().connection?.watch(watcher) ?? (() => undefined);

/**
 * Runs `reload` each time the link comes back after it was lost: what changed meanwhile came with no event, so each
 * store loads again what it shows. Returns the function that stops it.
 */
export function onReconnect(reload: () => void): () => void {
  let wasLost = false;
  return watchConnection((state) => {
    if (state === 'reconnecting') wasLost = true;
    if (state === 'open' && wasLost) {
      wasLost = false;
      reload();
    }
  });
}

/**
 * Hands a file the user picked to the app as a stream (`POST /upload`; in the browser host with the page's token)
 * and answers the id a call then names it by.
 */
export async function upload(file: Blob): Promise<string> {
  const url = new URL('/upload', location.href);
  const token = new URLSearchParams(location.search).get('token');
  if (token) url.searchParams.set('token', token);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body: file });
  } catch {
    throw new ApiError({ code: 'INTERNAL_ERROR', message: 'The file could not be handed to Agent Talk; is it still running?' });
  }
  if (!response.ok) throw new ApiError({ code: 'VALIDATION_ERROR', message: (await response.text()) || `The upload was refused (${response.status}).` });
  return ((await response.json()) as { id: string }).id;
}
