/** The domain services of one profile, over its store and the keychain. */
import type { Tier } from '../../src-shared/tiers';
import type { AgentTalkStore } from '../db';
import { createAccountService } from './accounts';
import { audioDirOf, createAudioFiles } from './audio-files';
import { createCloudClient, type CloudClient } from './cloud/client';
import { createCloudHealth } from './cloud-health';
import { createDeviceSync } from './devices';
import { createFolderSource } from './devices/source';
import { createGeneration } from './generation';
import { createKeyService } from './keys';
import { createMemoService } from './memos';
import { createRateLimitService } from './rate-limits';
import { createMemoAudio } from './memo-audio';
import { createServiceAudio } from './service-audio';
import type { SecretStore } from './secrets';
import { createSettingsService } from './settings';
import { createSubscriptionService } from './subscriptions';
import { createSync, type SyncDeps } from './sync';
import type { Clock } from './time';
import type { TtsEngine } from './tts/engine';
import { createTtsRegistry } from './tts/registry';
import { createUsageService } from './usage';
import { createVoiceService } from './voices';

export interface ServiceDeps {
  store: AgentTalkStore;
  secrets: SecretStore;
  /** The profile's directory: the store sits in it, the audio files under `audio/`. */
  profileDir: string;
  /** The text-to-speech engines whose voices memos can use. */
  engines?: readonly TtsEngine[];
  clock?: Clock;
  /** The client every call to the cloud service goes through (by default one for the profile's cloud URL). */
  cloudClient?: CloudClient;
  /** The generation queue's lease, retry backoff and how often it asks for the cloud while memos wait (tests shorten them). */
  jobs?: { leaseMs?: number; backoffMs?: number; cloudPollMs?: number };
  /** Cloud sync's transport, timers and backoff (tests inject them). */
  sync?: Pick<SyncDeps, 'caller' | 'timers' | 'random' | 'backoff'>;
}

export function createServices({ store, secrets, profileDir, engines = [], clock = () => new Date(), cloudClient, jobs, sync }: ServiceDeps) {
  const audio = createAudioFiles(audioDirOf(profileDir));
  const tts = createTtsRegistry(engines);
  const accounts = createAccountService(store, clock);
  const keys = createKeyService(store, secrets, clock);
  const rateLimits = createRateLimitService(store, clock);
  const settings = createSettingsService(store);
  /** The profile user's effective tier (hobby before there is one): its limits apply to every memo. */
  const profileTier = (): Tier => {
    const user = accounts.current();
    return user ? accounts.tier(user.id) : 'hobby';
  };
  const client = cloudClient ?? createCloudClient({ baseUrl: settings.cloudUrl, clock });
  const cloudHealth = createCloudHealth({ client });
  const memos = createMemoService(store, audio);
  const cloudSync = createSync({ store, secrets, accounts, cloudUrl: settings.cloudUrl, clock, ...sync });
  // A probe that answers again after failing is a reconnect: sync runs.
  cloudHealth.onReconnected(cloudSync.reconnected);
  // Sync between computers is the scheduler's second source: one scheduler runs both, one indicator shows both.
  const devices = createDeviceSync({ store, audio, clock });
  cloudSync.scheduler.register(createFolderSource(devices));
  devices.onStatus(() => cloudSync.scheduler.changed());
  return {
    store,
    secrets,
    audio,
    tts,
    accounts,
    keys,
    rateLimits,
    usage: createUsageService(store),
    memos,
    /** A memo's audio made local on demand (from the synced folder or the service), for every path that plays it. */
    memoAudio: createMemoAudio(store, audio, { devices, service: createServiceAudio(store, audio, client) }),
    subscriptions: createSubscriptionService(store, clock),
    settings,
    profileTier,
    cloudHealth,
    sync: cloudSync,
    voices: createVoiceService(tts, cloudHealth),
    devices,
    generation: createGeneration({
      store,
      clock,
      tts,
      audio,
      keys,
      rateLimits,
      tier: profileTier,
      cloudUrl: settings.cloudUrl,
      cloudHealth,
      ...jobs,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
export { ServiceError } from './errors';
