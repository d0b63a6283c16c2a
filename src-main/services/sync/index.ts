/**
 * Cloud sync of one profile: the account link, the account's keys through the outbox, the cloud source and the
 * scheduler that runs it (and any other source registered with `scheduler.register`), and the status the
 * indicator shows.
 */
import type { SyncStatus } from '../../../src-shared/contract/sync';
import type { AgentTalkStore } from '../../db';
import type { createAccountService } from '../accounts';
import type { SecretStore } from '../secrets';
import { utcDate, type Clock } from '../time';
import { createAccountLink } from './account-link';
import { createCloudCaller, type CloudCaller } from './cloud-call';
import { createCloudKeys } from './cloud-keys';
import { createCloudSource } from './cloud-source';
import { pendingEntries } from './outbox';
import { combine, createSyncScheduler, type Timers } from './scheduler';
import { CAPABILITY_LABELS, createSyncState } from './state';

export interface SyncDeps {
  store: AgentTalkStore;
  secrets: SecretStore;
  accounts: ReturnType<typeof createAccountService>;
  cloudUrl: () => string | null;
  clock: Clock;
  /** The service's session routes; by default fetch on the cloud URL. */
  caller?: CloudCaller;
  timers?: Timers;
  random?: () => number;
  /** The scheduler's backoff bounds (tests shorten them). */
  backoff?: { minMs?: number; maxMs?: number };
}

/** How many waiting changes the status lists (the count is always whole). */
const OUTBOX_SHOWN = 50;
const DAY_MS = 86_400_000;

export function createSync({ store, secrets, accounts, cloudUrl, clock, caller = createCloudCaller({ baseUrl: cloudUrl }), timers, random, backoff }: SyncDeps) {
  const state = createSyncState(store, clock);
  const scheduler = createSyncScheduler({
    intervalMinutes: state.intervalMinutes,
    clock,
    ...(timers && { timers }),
    ...(random && { random }),
    ...(backoff?.minMs !== undefined && { minBackoffMs: backoff.minMs }),
    ...(backoff?.maxMs !== undefined && { maxBackoffMs: backoff.maxMs }),
  });
  const link = createAccountLink({ store, secrets, caller, state, accounts, cloudUrl, linked: () => scheduler.trigger() });
  const keys = createCloudKeys({ store, secrets, cloudUrl, tier: accounts.tier, changed: () => scheduler.trigger() });
  scheduler.register(createCloudSource({ store, secrets, caller, clock, link, state, cloudUrl, userId: () => accounts.current()?.id ?? null }));

  function status(): SyncStatus {
    const { sources, running, nextRunAt } = scheduler.status();
    const capabilities = state.capabilities();
    return {
      ...combine(sources),
      running,
      nextRunAt,
      intervalMinutes: state.intervalMinutes(),
      sources,
      capabilities: Object.entries(capabilities).map(([id, result]) => ({ id: id as keyof typeof CAPABILITY_LABELS, label: CAPABILITY_LABELS[id as keyof typeof CAPABILITY_LABELS], ...result })),
      outbox: pendingEntries(store, OUTBOX_SHOWN).map((entry) => ({
        op: entry.op,
        keyName: store.get('api_keys', entry.key_id)?.name ?? '',
        since: entry.created_at ?? '',
        attempts: entry.attempts,
        error: entry.error,
      })),
      notices: state.notices(),
    };
  }

  return {
    link,
    keys,
    scheduler,
    status,
    async syncNow(): Promise<SyncStatus> {
      await scheduler.syncNow();
      return status();
    },
    async setIntervalMinutes(minutes: number): Promise<SyncStatus> {
      await state.setIntervalMinutes(minutes);
      scheduler.replan();
      return status();
    },
    /** The account's calls per UTC day as the service counted them, oldest first, zero on days it did not report. */
    cloudDaily(days: number): { date: string; calls: number; characters: number }[] {
      const today = clock().getTime();
      const first = utcDate(new Date(today - (days - 1) * DAY_MS));
      const rows = new Map(store.query('cloud_usage', { date: { gte: first } }).map((r) => [r.date, r]));
      return Array.from({ length: days }, (_, i) => {
        const date = utcDate(new Date(today - (days - 1 - i) * DAY_MS));
        const row = rows.get(date);
        return { date, calls: row?.calls ?? 0, characters: row?.characters ?? 0 };
      });
    },
    /** The network came back (the edge's online event, or a health probe answering again): sync now. */
    reconnected: () => scheduler.trigger(),
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
  };
}

export type Sync = ReturnType<typeof createSync>;
