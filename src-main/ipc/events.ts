/** Live updates: each commit's change-feed entries become the events of the screens they touch. */
import type { ChangedEvent, EventName, EventSink } from '../../src-shared/contract';
import type { AgentTalkStore } from '../db';
import type { Services } from '../services';

const EVENT_OF_TABLE: Record<string, EventName> = {
  users: 'profile.changed',
  settings: 'settings.changed',
  subscriptions: 'profile.changed',
  api_keys: 'keys.changed',
  memos: 'memos.changed',
  usage_logs: 'usage.changed',
  rate_limits: 'usage.changed',
};

/** Sends one event per touched screen after every commit; returns the unsubscribe function. */
export function forwardChanges(store: AgentTalkStore, sink: EventSink): () => void {
  return store.onChange((entries) => {
    const changed = new Map<EventName, Set<string>>();
    for (const { table, id } of entries) {
      const event = EVENT_OF_TABLE[table];
      if (event) changed.set(event, (changed.get(event) ?? new Set()).add(id));
    }
    for (const [event, ids] of changed) sink(event, { ids: [...ids] } satisfies ChangedEvent);
  });
}

/** The tables whose changes can move what the sync indicator shows (waiting changes, the link, capabilities). */
const SYNC_TABLES = new Set(['cloud_outbox', 'settings', 'api_keys']);

/**
 * Sends `sync.status` whenever it may have changed: a run starting or ending, or a commit to what it shows. Bursts
 * (a thousand queued changes) are sent once, after the burst.
 */
export function forwardSyncStatus({ store, sync }: Pick<Services, 'store' | 'sync'>, sink: EventSink): () => void {
  let pending: ReturnType<typeof setTimeout> | null = null;
  const send = () => {
    pending ??= setTimeout(() => {
      pending = null;
      sink('sync.status', sync.status());
    }, 0);
  };
  const stops = [sync.scheduler.onStatus(send), store.onChange((entries) => entries.some((e) => SYNC_TABLES.has(e.table)) && send())];
  return () => {
    stops.forEach((stop) => stop());
    if (pending) clearTimeout(pending);
  };
}
