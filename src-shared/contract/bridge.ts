/** What the preload exposes to the page as `window.agentTalk`: everything the renderer can reach of the app. */
import type { IpcResult } from './result';

/** The global name of the bridge: `window.agentTalk`. */
export const BRIDGE_NAME = 'agentTalk';

export interface AgentTalkBridge {
  /** The app's version, from package.json. */
  readonly version: string;
  /** Calls one contract method; its failures come back as `{ ok: false, error }` values. */
  call(method: string, args?: unknown): Promise<IpcResult>;
  /** Listens to one event main pushes; returns the function that stops listening. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}
