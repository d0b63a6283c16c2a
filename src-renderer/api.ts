/**
 * The renderer's only door into the app, and the only caller of `window.agentTalk`: the typed contract client
 * (client.ts) over the app's bridge. In the browser host, where no preload exposes the bridge, a WebSocket bridge to
 * the host is installed in its place first.
 */
import type { AgentTalkBridge, ConnectionState } from '../src-shared/contract/bridge';
import { ApiError, clientOf, type Client } from './client';
import { connectWebSocketBridge, hostSocketUrl } from './ws-bridge';

export { ApiError, errorMessage } from './client';

declare global {
  interface Window {
    agentTalk?: AgentTalkBridge;
  }
}

let bridge: AgentTalkBridge | undefined;

function appBridge(): AgentTalkBridge {
  bridge ??= window.agentTalk ??= connectWebSocketBridge(hostSocketUrl(location), __APP_VERSION__);
  return bridge;
}

/** The app's contract client over the real bridge: what the stores are given (stores/index.ts). */
export const appClient: Client = clientOf(appBridge);

export const { call, on, onReconnect } = appClient;

/** The app's version, as the bridge reports it. */
export const appVersion = () => appBridge().version;

/** The link to the app as it is now: always `open` where it cannot break (Electron). */
export const connectionState = (): ConnectionState => appBridge().connection?.state ?? 'open';

/** Told every change of the link's state; returns the function that stops it. */
export const watchConnection = (watcher: (state: ConnectionState) => void): (() => void) => appBridge().connection?.watch(watcher) ?? (() => undefined);

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
