/**
 * What sync remembers between runs, in the profile's settings (never a secret): the link to the cloud account,
 * the last result of each capability, what it has to tell the user, when it last finished, and how often it runs.
 */
import { randomUUID } from 'node:crypto';
import { CAPABILITIES, type Capability, type CapabilityView } from '../../../src-shared/contract/sync';
import type { tables } from '../../../src-shared/schema';
import type { AgentTalkStore, Transaction } from '../../db';
import { writeSetting } from '../settings';

type Tx = Transaction<typeof tables>;

export interface CloudLink {
  serviceUrl: string;
  accountId: string | null;
  email: string | null;
  /** The service refused the session: sync waits for a new sign-in. */
  signInNeeded: boolean;
}

export interface CapabilityResult {
  state: CapabilityView['state'];
  reason: string | null;
  checkedAt: string | null;
}

export interface Notice {
  id: string;
  message: string;
  at: string;
}

export const CAPABILITY_LABELS: Record<Capability, string> = {
  account: 'Account, plan and role',
  subscription: 'Subscription',
  keys: 'Cloud API keys',
  usage: 'Daily usage',
  voices: 'Voices',
  tiers: 'Plans',
};

const LINK = 'cloud_link';
const CAPABILITY_RESULTS = 'sync_capabilities';
const NOTICES = 'sync_notices';
const LAST_SYNCED = 'sync_last_synced_at';
const INTERVAL = 'sync_interval_minutes';
export const CLOUD_TIERS = 'cloud_tiers';
export const CLOUD_VOICES = 'cloud_voices';

/** The newest notices kept; older ones are dropped. */
const MAX_NOTICES = 50;
export const DEFAULT_INTERVAL_MINUTES = 5;

export function createSyncState(store: AgentTalkStore, clock: () => Date) {
  const read = <T>(key: string): T | undefined => store.get('settings', key)?.value as T | undefined;
  const write = (key: string, value: unknown) => store.transaction((tx) => writeSetting(tx, key, value));

  return {
    link: (): CloudLink | null => read<CloudLink>(LINK) ?? null,
    setLink: (link: CloudLink | null) => write(LINK, link),

    capabilities(): Record<Capability, CapabilityResult> {
      const saved = read<Partial<Record<Capability, CapabilityResult>>>(CAPABILITY_RESULTS) ?? {};
      return Object.fromEntries(CAPABILITIES.map((c) => [c, saved[c] ?? { state: 'unknown', reason: null, checkedAt: null }])) as Record<Capability, CapabilityResult>;
    },
    /** Records each capability's result of this run; a change to not-offered is told once, as a notice. */
    async recordCapabilities(results: Partial<Record<Capability, Omit<CapabilityResult, 'checkedAt'>>>): Promise<void> {
      const before = this.capabilities();
      const at = clock().toISOString();
      await store.transaction((tx) => {
        const after = { ...before };
        for (const [capability, result] of Object.entries(results) as [Capability, Omit<CapabilityResult, 'checkedAt'>][]) {
          after[capability] = { ...result, checkedAt: at };
          if (result.state === 'not-offered' && before[capability].state !== 'not-offered') {
            addNotice(tx, `${CAPABILITY_LABELS[capability]}: not offered by this service yet. ${result.reason ?? ''}`.trim(), at);
          }
        }
        writeSetting(tx, CAPABILITY_RESULTS, after);
      });
    },

    notices: (): Notice[] => read<Notice[]>(NOTICES) ?? [],
    addNotice: (message: string) => store.transaction((tx) => addNotice(tx, message, clock().toISOString())),

    lastSyncedAt: (): string | null => read<string>(LAST_SYNCED) ?? null,
    setLastSyncedAt: (at: string) => write(LAST_SYNCED, at),

    intervalMinutes: (): number => read<number>(INTERVAL) ?? DEFAULT_INTERVAL_MINUTES,
    setIntervalMinutes: (minutes: number) => write(INTERVAL, minutes),

    read,
    write,
  };
}

/** Adds a notice in the transaction (newest first, bounded). */
export function addNotice(tx: Tx, message: string, at: string): void {
  const notices = (tx.get('settings', NOTICES)?.value as Notice[] | undefined) ?? [];
  writeSetting(tx, NOTICES, [{ id: randomUUID(), message, at }, ...notices].slice(0, MAX_NOTICES));
}

export type SyncStateStore = ReturnType<typeof createSyncState>;
