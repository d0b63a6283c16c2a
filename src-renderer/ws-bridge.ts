/**
 * The bridge for the browser host, where no preload exposes `window.agentTalk`: the same AgentTalkBridge over a
 * WebSocket to the host, which comes back by itself. When the socket closes (the host stopped or restarted), the
 * calls under way answer an error value once, new calls wait, and the bridge opens a new socket with backoff; when
 * one opens, whoever listens to the connection is told, so that every store loads again. A host that answers but
 * refuses the page's token was started with a new one (or the page was opened without it): that is said, and
 * the bridge stops trying.
 */
import type { AgentTalkBridge, Connection, ConnectionState } from '../src-shared/contract/bridge';
import type { IpcResult } from '../src-shared/contract/result';

type Listener = (payload: unknown) => void;

/** What the calls under way when the socket closed answer: whether they were done is not known. */
const lost: IpcResult = {
  ok: false,
  error: { code: 'INTERNAL_ERROR', message: 'The connection to Agent Talk was lost before it answered; check whether it was done once it is back.' },
};

const refused = (state: ConnectionState): IpcResult => ({
  ok: false,
  error: {
    code: 'FORBIDDEN',
    message: state === 'no-token' ? 'This page was opened without its token: open the address Agent Talk printed.' : 'Agent Talk was started again with a new address: open the address it printed.',
  },
});

/** The first wait before opening the socket again, and the longest; each failed try doubles it (with jitter). */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/** The page's token, from its address. */
const tokenOf = (search: string) => new URLSearchParams(search).get('token') ?? '';

/** The host's socket address for a page at `location`, with the token the page was opened with. */
export function hostSocketUrl({ protocol, host, search }: Location): string {
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/ws?token=${encodeURIComponent(tokenOf(search))}`;
}

/** Asks the host whether the token is its own: true, false, or null when the host does not answer. */
async function tokenAccepted(socketUrl: string): Promise<boolean | null> {
  const url = new URL(socketUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/token-check';
  try {
    const response = await fetch(url, { cache: 'no-store' });
    if (response.status === 204) return true;
    return response.status === 403 ? false : null;
  } catch {
    return null;
  }
}

export interface BridgeOptions {
  /** Waits `ms` (tests pass a shorter clock). */
  wait?: (ms: number) => Promise<void>;
  random?: () => number;
}

export function connectWebSocketBridge(url: string, version: string, { wait = (ms) => new Promise((r) => setTimeout(r, ms)), random = Math.random }: BridgeOptions = {}): AgentTalkBridge {
  const pending = new Map<number, (result: IpcResult) => void>();
  const subscriptions = new Map<string, Set<{ listener: Listener }>>();
  const watchers = new Set<(state: ConnectionState) => void>();
  /** Calls made while no socket is open: sent once one is, or answered with the refusal. */
  const waiting: (() => void)[] = [];
  let lastId = 0;
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let failures = 0;

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const watcher of [...watchers]) watcher(next);
  }

  function deliver({ data }: MessageEvent<string>): void {
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
  }

  function open(): void {
    const next = new WebSocket(url);
    let opened = false;
    next.addEventListener('message', deliver);
    next.addEventListener('open', () => {
      opened = true;
      socket = next;
      failures = 0;
      setState('open');
      for (const send of waiting.splice(0)) send();
    });
    next.addEventListener('close', () => {
      socket = null;
      for (const settle of pending.values()) settle(lost);
      pending.clear();
      void reconnect(opened);
    });
  }

  async function reconnect(wasOpen: boolean): Promise<void> {
    if (!wasOpen) failures++;
    setState('reconnecting');
    // The host answers but not to this token: it restarted with a new one. Trying again cannot help.
    if ((await tokenAccepted(url)) === false) {
      setState('token-refused');
      for (const send of waiting.splice(0)) send();
      return;
    }
    const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
    await wait(wasOpen ? 0 : backoff / 2 + random() * (backoff / 2));
    open();
  }

  if (tokenOf(new URL(url).search) === '') setState('no-token');
  else open();

  const connection: Connection = {
    get state() {
      return state;
    },
    watch(watcher) {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
  };

  return {
    version,
    connection,
    call(method, args) {
      return new Promise((resolve) => {
        const send = () => {
          if (!socket || socket.readyState !== WebSocket.OPEN) return resolve(state === 'open' ? lost : refused(state));
          const id = ++lastId;
          pending.set(id, resolve);
          socket.send(JSON.stringify({ id, method, args }));
        };
        if (state === 'open' || state === 'no-token' || state === 'token-refused') send();
        else waiting.push(send);
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
