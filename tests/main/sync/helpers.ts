/**
 * "Computers" for sync tests: a profile on a real store in a temp directory, its services pointed at a contract
 * server, an in-memory keychain, and timers that never fire (runs happen when a test asks: `sync.syncNow()`).
 */
import { afterEach } from 'vitest';
import { createServices } from '../../../src-main/services';
import { createCloudClient } from '../../../src-main/services/cloud/client';
import { sessionSecretStore, type SecretStore } from '../../../src-main/services/secrets';
import { createCloudCaller } from '../../../src-main/services/sync/cloud-call';
import type { Timers } from '../../../src-main/services/sync/scheduler';
import { createCloudEngine } from '../../../src-main/services/tts/engines/cloud';
import { start, type CloudServer, type StartOptions } from '../../cloud/server';
import { openAgentTalk, tempDir } from '../db/helpers';

const servers: CloudServer[] = [];
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  // Sync runs stop before their stores close (db/helpers closes them after this).
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

export async function cloudServer(options: StartOptions = {}): Promise<CloudServer> {
  const server = await start({ ...options, audio: { format: 'wav', url: 'data', ...options.audio } });
  servers.push(server);
  return server;
}

/** Timers that only record what was planned: a test runs sync itself. */
export function recordingTimers(): Timers & { planned: number[] } {
  const planned: number[] = [];
  return {
    planned,
    setTimeout: (_fn, ms) => {
      planned.push(ms);
      return planned.length;
    },
    clearTimeout: () => {},
  };
}

export interface ComputerOptions {
  email?: string;
  /** This computer's clock is this far off the real time (the service's). */
  skewMs?: number;
  secrets?: SecretStore;
  profileDir?: string;
  /** Each request's time limit (short, so a "timeout" fault is quick). */
  timeoutMs?: number;
}

export async function computer(server: CloudServer, { email = 'ada@example.com', skewMs = 0, secrets = sessionSecretStore('test'), profileDir = tempDir(), timeoutMs = 1_000 }: ComputerOptions = {}) {
  const clock = () => new Date(Date.now() + skewMs);
  const store = await openAgentTalk(profileDir, { clock });
  const timers = recordingTimers();
  let cloudUrl = server.url;
  // The cloud voices as the app wires them (src-main/core.ts): a memo's key, bound to the service it is sent to.
  const client = createCloudClient({ baseUrl: () => cloudUrl, clock, attempts: 1 });
  const keyFor = async (keyId: string | null) => {
    const serviceUrl = client.serviceUrl();
    return keyId && serviceUrl ? services.keys.cloudCredential(keyId, serviceUrl) : null;
  };
  const services = createServices({
    store,
    secrets,
    profileDir,
    clock,
    engines: [createCloudEngine({ client, keyFor })],
    sync: { caller: createCloudCaller({ baseUrl: () => cloudUrl, timeoutMs }), timers, random: () => 0.5 },
  });
  const user = services.accounts.current() ?? (await services.accounts.createProfile(email));
  await services.settings.update({ cloudUrl: server.url });
  services.sync.start();
  running.push(services.sync);
  return {
    ...services,
    user,
    timers,
    secrets,
    profileDir,
    /** Points this computer at another address (a server that is down) without changing its settings. */
    redirect(url: string) {
      cloudUrl = url;
    },
    /** The account's keys as this computer holds them, by the service's id. */
    cloudKeys() {
      return store.query('api_keys', { user_id: user.id }).filter((k) => k.origin === 'cloud');
    },
    async close() {
      await services.sync.stop();
      await store.close();
    },
  };
}

export type Computer = Awaited<ReturnType<typeof computer>>;
