/** What the preload exposes to the page as `window.agentTalk`: everything the renderer can reach of the app. */
import type { IpcResult } from './result';

/** The global name of the bridge: `window.agentTalk`. */
export const BRIDGE_NAME = 'agentTalk';

/**
 * The page's link to the app where it can break (the browser host's socket): `open`; `connecting` at first;
 * `reconnecting` while the host is away; `no-token` when the page was opened without its token; `token-refused`
 * when the host answers but no longer knows the page's token (it restarted with a new address).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'no-token' | 'token-refused';

export interface Connection {
  readonly state: ConnectionState;
  /** Told every change of state; returns the function that stops it. */
  watch(watcher: (state: ConnectionState) => void): () => void;
}

export interface AgentTalkBridge {
  /** The app's version, from package.json. */
  readonly version: string;
  /** Calls one contract method; its failures come back as `{ ok: false, error }` values. */
  call(method: string, args?: unknown): Promise<IpcResult>;
  /** Listens to one event main pushes; returns the function that stops listening. */
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Absent where the link cannot break (Electron's preload). */
  readonly connection?: Connection;
}
