/** Live updates: each commit's change-feed entries become the events of the screens they touch. */
import type { ChangedEvent, EventName, EventSink } from '../../src-shared/contract';
import type { AgentTalkStore } from '../db';

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
