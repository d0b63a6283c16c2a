/**
 * The core of one profile, as every edge (Electron, the browser host, tests) runs it: the store, the keychain,
 * the services, and the router in front of them.
 */
import type { EventSink, IpcHandler } from '../../src-shared/contract';
import { openAgentTalkStore } from '../db';
import { createServices, type Services } from '../services';
import { openSecretStore, type SecretStore } from '../services/secrets';
import type { Clock } from '../services/time';
import type { TtsEngine } from '../services/tts/engine';
import { createOfflineEngine } from '../services/tts/engines/offline';
import { forwardChanges } from './events';
import { createHandlers } from './handlers';
import { createRouter } from './router';

export interface Core {
  handle: IpcHandler;
  /** Pushes events to `sink` until the returned function is called. */
  subscribe(sink: EventSink): () => void;
  services: Services;
  close(): Promise<void>;
}

export interface CoreOptions {
  profileDir: string;
  /** The keychain to use; by default the OS keychain, or a session-only store where none answers. */
  secrets?: SecretStore;
  /** The text-to-speech engines memos can use; by default the offline one (the cloud's comes with its settings). */
  engines?: readonly TtsEngine[];
  clock?: Clock;
}

export async function createCore({ profileDir, secrets, engines, clock }: CoreOptions): Promise<Core> {
  const store = await openAgentTalkStore({ profileDir, ...(clock && { clock }) });
  const services = createServices({
    store,
    profileDir,
    secrets: secrets ?? (await openSecretStore()),
    engines: engines ?? [createOfflineEngine()],
    ...(clock && { clock }),
  });
  await services.generation.start();
  return {
    handle: createRouter(createHandlers(services, profileDir)),
    subscribe: (sink) => forwardChanges(store, sink),
    services,
    async close() {
      await services.generation.stop();
      await services.tts.close();
      await store.close();
    },
  };
}
