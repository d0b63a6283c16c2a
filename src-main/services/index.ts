/** The domain services of one profile, over its store and the keychain. */
import type { AgentTalkStore } from '../db';
import { createAccountService } from './accounts';
import { audioDirOf, createAudioFiles } from './audio-files';
import { createCloudHealth } from './cloud-health';
import { createDeviceSync } from './devices';
import { createGeneration } from './generation';
import { createKeyService } from './keys';
import { createMemoService } from './memos';
import { createRateLimitService } from './rate-limits';
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
  /** The generation queue's lease and retry backoff (tests shorten them). */
  jobs?: { leaseMs?: number; backoffMs?: number };
  /** Cloud sync's transport, timers and backoff (tests inject them). */
  sync?: Pick<SyncDeps, 'caller' | 'timers' | 'random' | 'backoff'>;
}

export function createServices({ store, secrets, profileDir, engines = [], clock = () => new Date(), jobs, sync }: ServiceDeps) {
  const audio = createAudioFiles(audioDirOf(profileDir));
  const tts = createTtsRegistry(engines);
  const accounts = createAccountService(store, clock);
  const keys = createKeyService(store, secrets, clock);
  const rateLimits = createRateLimitService(store, clock);
  const settings = createSettingsService(store);
  const cloudHealth = createCloudHealth({ cloudUrl: settings.cloudUrl });
  const cloudSync = createSync({ store, secrets, accounts, cloudUrl: settings.cloudUrl, clock, ...sync });
  // A probe that answers again after failing is a reconnect: sync runs.
  cloudHealth.onAvailable(cloudSync.reconnected);
  return {
    store,
    secrets,
    audio,
    tts,
    accounts,
    keys,
    rateLimits,
    usage: createUsageService(store),
    memos: createMemoService(store, audio),
    subscriptions: createSubscriptionService(store, clock),
    settings,
    cloudHealth,
    sync: cloudSync,
    voices: createVoiceService(tts, cloudHealth),
    devices: createDeviceSync({ store, audio, clock }),
    generation: createGeneration({
      store,
      clock,
      tts,
      audio,
      keys,
      rateLimits,
      tier: () => {
        const user = accounts.current();
        return user ? accounts.tier(user.id) : 'hobby';
      },
      cloudUrl: settings.cloudUrl,
      ...jobs,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
export { ServiceError } from './errors';
