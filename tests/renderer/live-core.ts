/**
 * What the renderer's stores are tested against: the session the browser host serves (a real core on a real LMDB
 * profile in a temp dir, with the store.* methods) reached in-process the way the host's socket reaches it
 * (answers and events as JSON, events a turn later), through the same typed client the app uses
 * (src-renderer/client.ts).
 *
 * The link between them is a stand-in for the host's socket (FakeLink): in-process nothing can drop a
 * connection, so a test drops it and brings it back. While it is down events are lost and calls wait, as with
 * the WebSocket bridge; when it is back, whoever watches the connection is told.
 */
import { afterEach, vi } from 'vitest';
import type { StoreApi } from 'zustand';
import type { Core, CoreOptions } from '../../src-main/core';
import { openSession, type Session } from '../../src-main/session';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { clientOf, type Client } from '../../src-renderer/client';
import type { ArgsOf, IpcResult, MethodName, ResultOf } from '../../src-shared/contract';
import type { AgentTalkBridge, ConnectionState } from '../../src-shared/contract/bridge';
import { tempDir } from '../main/db/helpers';

/** The link a test drops and brings back, in place of the host's socket. */
export interface FakeLink {
  readonly state: ConnectionState;
  drop(): void;
  restore(): void;
}

export interface LiveCore {
  session: Session;
  /** The session's open core. */
  readonly core: Core;
  profileDir: string;
  /** The client a store is given: the page's view of this core. */
  client: Client;
  link: FakeLink;
  /** Calls the core directly, as another window would (its events still reach the page). A refusal throws. */
  call<M extends MethodName>(method: M, args?: ArgsOf<M>): Promise<ResultOf<M>>;
  /** Closes the session and opens the profile again (a restart of the app); the client follows the new one. */
  restart(): Promise<void>;
}

/** Each test's sessions, closed after it: the page's calls then answer as to a host that has gone. */
const open: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

const gone: IpcResult = { ok: false, error: { code: 'INTERNAL_ERROR', message: 'The test is over: its core is closed.' } };

/** A JSON round trip, as every answer and event takes over the host's socket. */
const overTheWire = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/**
 * The host's session on a fresh profile (or on `profileDir`). Its generation queue is stopped unless `generate` is set:
 * a memo stays queued, so a test decides what happens to it.
 */
export async function liveCore({ profileDir = tempDir(), generate = false }: { profileDir?: string; generate?: boolean } = {}): Promise<LiveCore> {
  const options: CoreOptions = { profileDir, secrets: sessionSecretStore('renderer-test') };
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const watchers = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'open';
  const waiting: (() => void)[] = [];
  let unsubscribe = () => {};
  let closed = false;

  async function start(): Promise<Session> {
    const session = await openSession(options);
    if (!generate) await session.core!.services.generation.stop();
    unsubscribe = session.subscribe((event, payload) => {
      if (state !== 'open') return; // lost with the link
      const copy = overTheWire(payload);
      setTimeout(() => {
        if (closed) return;
        for (const listener of [...(listeners.get(event) ?? [])]) listener(copy);
      });
    });
    return session;
  }

  const setState = (next: ConnectionState) => {
    state = next;
    for (const watcher of [...watchers]) watcher(next);
  };

  const bridge: AgentTalkBridge = {
    version: 'test',
    async call(method, args) {
      if (state !== 'open') await new Promise<void>((resolve) => waiting.push(resolve));
      if (closed) return gone;
      return overTheWire(await live.session.handle(method, overTheWire(args)));
    },
    on(event, listener) {
      const entry = (payload: unknown) => listener(payload);
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set.add(entry));
      return () => set.delete(entry);
    },
    connection: {
      get state() {
        return state;
      },
      watch(watcher) {
        watchers.add(watcher);
        return () => watchers.delete(watcher);
      },
    },
  };

  const live: LiveCore = {
    session: await start(),
    get core() {
      return live.session.core!;
    },
    profileDir,
    client: clientOf(() => bridge),
    link: {
      get state() {
        return state;
      },
      drop: () => setState('reconnecting'),
      restore() {
        setState('open');
        for (const resume of waiting.splice(0)) resume();
      },
    },
    async call(method, args) {
      const result: IpcResult = await live.session.handle(method, args);
      if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
      return result.value as ResultOf<typeof method>;
    },
    async restart() {
      unsubscribe();
      await live.session.close();
      live.session = await start();
    },
  };
  open.push(async () => {
    closed = true;
    unsubscribe();
    await live.session.close();
  });
  return live;
}

/** Waits until `check` passes on the store's state (checked every 20 ms; the test fails after 10 s without it). */
export async function until<S>(store: StoreApi<S>, check: (state: S) => void): Promise<S> {
  await vi.waitFor(() => check(store.getState()), { timeout: 10_000, interval: 20 });
  return store.getState();
}
