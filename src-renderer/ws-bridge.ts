/**
 * The bridge for the browser host, where no preload exposes `window.agentTalk`: the same AgentTalkBridge over one
 * WebSocket to the host. A call sent while the socket opens waits for it; once it is closed, calls answer an
 * error value (the host gives each run a new token, so the page must be opened again from its printed address).
 */
import type { AgentTalkBridge } from '../src-shared/contract/bridge';
import type { IpcResult } from '../src-shared/contract/result';

type Listener = (payload: unknown) => void;

const disconnected: IpcResult = {
  ok: false,
  error: {
    code: 'INTERNAL_ERROR',
    message: 'The connection to Agent Talk was lost. Start it again and open the address it prints.',
  },
};

/** The host's socket address for a page at `location`, with the token the page was opened with. */
export function hostSocketUrl({ protocol, host, search }: Location): string {
  const token = new URLSearchParams(search).get('token') ?? '';
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/ws?token=${encodeURIComponent(token)}`;
}

export function connectWebSocketBridge(url: string, version: string): AgentTalkBridge {
  const socket = new WebSocket(url);
  /** Settles once the socket is open, or has failed to open. */
  const ready = new Promise<void>((resolve) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('close', () => resolve(), { once: true });
  });
  const pending = new Map<number, (result: IpcResult) => void>();
  const subscriptions = new Map<string, Set<{ listener: Listener }>>();
  let lastId = 0;

  socket.addEventListener('message', ({ data }: MessageEvent<string>) => {
    const frame = JSON.parse(data) as { id: number; result: IpcResult } | { event: string; payload: unknown };
    if ('id' in frame) {
      pending.get(frame.id)?.(frame.result);
      pending.delete(frame.id);
      return;
    }
    for (const { listener } of [...(subscriptions.get(frame.event) ?? [])]) {
      try {
        listener(frame.payload);
      } catch (error) {
        console.error(`A listener of ${frame.event} failed:`, error); // the others still hear the event
      }
    }
  });
  socket.addEventListener('close', () => {
    for (const settle of pending.values()) settle(disconnected);
    pending.clear();
  });

  return {
    version,
    async call(method, args) {
      await ready;
      if (socket.readyState !== WebSocket.OPEN) return disconnected;
      const id = ++lastId;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, method, args }));
      });
    },
    on(event, listener) {
      // One entry per subscription, so the same listener subscribed twice is unsubscribed one at a time.
      const entry = { listener };
      const entries = subscriptions.get(event) ?? new Set();
      subscriptions.set(event, entries.add(entry));
      return () => entries.delete(entry);
    },
  };
}
