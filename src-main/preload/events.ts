/**
 * The page's event subscriptions, all behind one ipcRenderer listener: only the payload reaches a page listener,
 * and any number of subscriptions stays one listener on ipcRenderer. No electron import, tested in plain Node.
 */
export type Listener = (payload: unknown) => void;

export interface EventHub {
  on(event: string, listener: Listener): () => void;
  emit(event: unknown, payload: unknown): void;
}

export function createEventHub(): EventHub {
  const subscriptions = new Map<string, Set<{ listener: Listener }>>();
  return {
    on(event, listener) {
      // Values from the page: checked here, since TypeScript's types end at the bridge.
      if (typeof event !== 'string') throw new TypeError('The event name must be a string');
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function');
      // One entry per subscription, so the same listener subscribed twice is unsubscribed one at a time.
      const entry = { listener };
      const entries = subscriptions.get(event) ?? new Set();
      subscriptions.set(event, entries.add(entry));
      return () => {
        entries.delete(entry);
        if (entries.size === 0 && subscriptions.get(event) === entries) subscriptions.delete(event);
      };
    },
    emit(event, payload) {
      if (typeof event !== 'string') return;
      for (const { listener } of [...(subscriptions.get(event) ?? [])]) {
        try {
          listener(payload);
        } catch (error) {
          console.error(`A listener of ${event} failed:`, error); // the others still hear the event
        }
      }
    },
  };
}
