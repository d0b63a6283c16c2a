/**
 * The core of one profile, as every edge (Electron, the browser host, tests) runs it: the store, the keychain,
 * the services, and the router in front of them.
 */
import type { ChangedEvent, EventSink, IpcHandler, JobProgress, StoreHealthView } from '../src-shared/contract';
import { TIER_LIMITS } from '../src-shared/tiers';
import { createServices, type Services } from './services';
import { removeLeftUploads, uploadDirOf } from './services/legacy-import';
import { openProfileStore } from './services/profile-store';
import { openSecretStore, type SecretStore } from './services/secrets';
import type { Clock } from './services/time';
import { readCloudUrl } from './services/settings';
import { createCloudClient } from './services/cloud/client';
import { createCloudEngine } from './services/tts/engines/cloud';
import { createOfflineEngine } from './services/tts/engines/offline';
import { createAgentApi, type AgentApi, type AgentApiOptions } from './api/server';
import { forwardChanges, forwardSyncStatus } from './ipc/events';
import { createHandlers, type EdgeDeps } from './ipc/handlers';
import { createRouter } from './ipc/router';

export interface Core {
  handle: IpcHandler;
  /** Pushes events to `sink` until the returned function is called. */
  subscribe(sink: EventSink): () => void;
  services: Services;
  /** The agent API, when this core runs it. */
  agentApi: AgentApi | undefined;
  close(): Promise<void>;
}

export interface CoreOptions {
  profileDir: string;
  /** The keychain to use; by default the OS keychain, or a session-only store where none answers. */
  secrets?: SecretStore;
  clock?: Clock;
  /** Where the edge can show a save dialog (Electron): asks for the path of a file to save. */
  saveFile?: EdgeDeps['saveFile'];
  /**
   * Runs the agent API (Electron and the browser host do) on the saved port, or on `port` (tests pass 0); its
   * other options are for tests. Without it the core serves no agents.
   */
  agentApi?: Omit<AgentApiOptions, 'services' | 'clock'>;
  /** Start an empty store where the profile had one (the user chose to start afresh). */
  create?: boolean;
}

export async function createCore({ profileDir, secrets, clock, saveFile, agentApi: agentApiOptions, create }: CoreOptions): Promise<Core> {
  const store = await openProfileStore({ profileDir, ...(clock && { clock }), ...(create && { create }) });
  // The client reads the URL from the settings at each call: a change applies to the next memo.
  const cloudClient = createCloudClient({ baseUrl: () => readCloudUrl(store), ...(clock && { clock }) });
  const cloud = createCloudEngine({
    client: cloudClient,
    // The memo's key, bound to the service it is first sent to (keys.cloudCredential).
    keyFor: async (keyId) => {
      const serviceUrl = cloudClient.serviceUrl();
      return keyId && serviceUrl ? services.keys.cloudCredential(keyId, serviceUrl) : null;
    },
    charsPerMemo: () => TIER_LIMITS[services.profileTier()].charsPerMemo,
  });
  const services = createServices({
    store,
    profileDir,
    secrets: secrets ?? (await openSecretStore()),
    engines: [createOfflineEngine(), cloud],
    cloudClient,
    ...(clock && { clock }),
  });
  await services.generation.start();
  // Sync between computers: a round soon after a local change or a change in the folder; the periodic ones, "Sync
  // now" and reconnects are the sync scheduler's (started below), which runs the cloud account and the folder.
  services.devices.start();
  // Keychain copies of keys revoked while the keychain did not answer; in the background, as nothing waits on it.
  void services.keys.removeRevokedSecrets();
  await removeLeftUploads(uploadDirOf(profileDir));
  // A port in use leaves the app working: the API then says why it is not running (Settings shows it).
  const agentApi: AgentApi | undefined = agentApiOptions && createAgentApi({ services, ...(clock && { clock }), ...agentApiOptions });
  await agentApi?.apply();
  services.sync.start();
  /** Every subscription's stop: closing ends them first, so no deferred event reads the closed store. */
  const subscriptions = new Set<() => void>();
  return {
    handle: createRouter(createHandlers(services, { profileDir, cloud, ...(saveFile && { saveFile }), ...(agentApi && { agentApi }) })),
    subscribe(sink) {
      const stops = [
        forwardChanges(store, sink),
        store.onHealth((health) => sink('store.health', health satisfies StoreHealthView)),
        services.generation.onProgress((memoId, progress) => sink('job.progress', { memoId, progress } satisfies JobProgress)),
        services.devices.onStatus((status) => sink('devices.status', status)),
        cloud.onRateLimit(() => sink('usage.changed', { ids: [] } satisfies ChangedEvent)),
        forwardSyncStatus(services, sink),
      ];
      const unsubscribe = () => {
        subscriptions.delete(unsubscribe);
        stops.forEach((stop) => stop());
      };
      subscriptions.add(unsubscribe);
      return unsubscribe;
    },
    services,
    agentApi,
    async close() {
      for (const unsubscribe of [...subscriptions]) unsubscribe();
      await services.devices.stop();
      // Agents' requests end first; a memo they were waiting for stays queued and resumes at the next start.
      await agentApi?.close();
      await services.sync.stop();
      await services.generation.stop();
      await services.tts.close();
      await store.close();
    },
  };
}
