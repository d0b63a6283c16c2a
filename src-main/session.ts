/**
 * A profile as an edge (Electron, the browser host) runs it: the profile's lock, held from start to quit, and the
 * core while its store opens. A damaged or missing store leaves the session without a core, in a state the window
 * shows with the ways back (restore a backup, rebuild the indexes, start afresh); the `store.*` methods answer in
 * either case and every other method answers STORE_UNAVAILABLE. Anything else that keeps the profile from opening
 * (in use, read-only, a newer app's schema) is thrown to the edge, which says so (see startup-failure.ts).
 */
import type { EventSink, IpcHandler, StoreStatus } from '../src-shared/contract';
import { openAgentTalkStore, StoreError, type AgentTalkStore } from './db';
import { listBackups, pickBackup, restoreBackup, setStoreAside, takeBackup } from './db/backups';
import { lockProfile } from './db/profile-lock';
import { createCore, type Core, type CoreOptions } from './core';
import type { StoreHandlers } from './ipc/handlers';
import { ServiceError } from './services';
import { backupIfDue, CLOSE_BACKUP_EVERY_MS } from './services/profile-store';
import { createRouter } from './ipc/router';

/** The first problems an integrity check answers with (it can find thousands). */
const LISTED_PROBLEMS = 50;

export interface Session {
  handle: IpcHandler;
  /** Pushes the core's events to `sink` (across a restore) until the returned function is called. */
  subscribe(sink: EventSink): () => void;
  /** The open core; null while the store is damaged or missing. */
  readonly core: Core | null;
  status(): StoreStatus;
  close(): Promise<void>;
}

interface Problem {
  state: 'damaged' | 'missing';
  message: string;
  indexesOnly: boolean;
}

/** The problem a store error names, when the user can do something about it in the window. */
function problemOf(error: unknown): Problem | null {
  if (!(error instanceof StoreError)) return null;
  if (error.code === 'STORE_MISSING') return { state: 'missing', message: error.message, indexesOnly: false };
  if (error.code === 'STORE_DAMAGED') return { state: 'damaged', message: error.message, indexesOnly: error.details.indexesOnly === true };
  return null;
}

export async function openSession(options: CoreOptions): Promise<Session> {
  const { profileDir } = options;
  const clock = options.clock ?? (() => new Date());
  const lock = lockProfile(profileDir);
  let core: Core | null = null;
  let problem: Problem | null = null;
  const sinks = new Map<EventSink, () => void>();

  /** Opens the core, or records why the store cannot open; anything else is thrown. */
  async function start(create = false): Promise<void> {
    try {
      core = await createCore({ ...options, ...(create && { create }) });
      problem = null;
      for (const sink of sinks.keys()) sinks.set(sink, core.subscribe(sink));
    } catch (error) {
      problem = problemOf(error);
      if (!problem) throw error;
    }
  }

  async function stop(): Promise<void> {
    const closing = core;
    core = null;
    for (const [sink, unsubscribe] of sinks) {
      unsubscribe();
      sinks.set(sink, () => {});
    }
    await closing?.close();
  }

  const status = (): StoreStatus => ({
    state: problem?.state ?? 'open',
    problem: problem?.message ?? null,
    indexesOnly: problem?.indexesOnly ?? false,
    profileDir,
    backups: listBackups(profileDir),
  });

  const refuse = (message: string): never => {
    throw new ServiceError('CONFLICT', message);
  };

  /** The open store, or (for a damaged one) the store opened just for the repair, closed after `fn`. */
  async function withStore<R>(fn: (store: AgentTalkStore) => Promise<R> | R): Promise<R> {
    if (core) return fn(core.services.store);
    if (problem?.state !== 'damaged') refuse('There is no store to work on; restore a backup or start afresh.');
    const store = await openAgentTalkStore({ profileDir, clock });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  const storeHandlers: StoreHandlers = {
    'store.status': status,
    'store.check': () =>
      withStore((store) => {
        const { problems, indexesOnly } = store.verify();
        return { ok: problems.length === 0, problems: problems.slice(0, LISTED_PROBLEMS), count: problems.length, indexesOnly };
      }),
    'store.backup': () => {
      if (!core) return refuse('Only a store that opened can be backed up.');
      return takeBackup(core.services.store, profileDir, clock());
    },
    'store.restore': async ({ name }) => {
      pickBackup(profileDir, name); // refused before the open store closes
      await stop();
      restoreBackup(profileDir, clock(), name);
      await start();
      return status();
    },
    'store.rebuild': async () => {
      const report = await withStore((store) => store.rebuildIndexes());
      if (!core && report.problems.length === 0) await start();
      return status();
    },
    'store.startFresh': async () => {
      if (core) refuse('The store is fine: there is nothing to start afresh from.');
      setStoreAside(profileDir, clock());
      await start(true);
      return status();
    },
  };
  const storeRouter = createRouter(storeHandlers);

  try {
    await start();
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    handle: (method, args) => {
      if (typeof method === 'string' && method.startsWith('store.')) return storeRouter(method, args);
      if (core) return core.handle(method, args);
      return Promise.resolve({
        ok: false,
        error: { code: 'STORE_UNAVAILABLE', message: `${status().problem} Restore a backup, or start afresh, in the window.` },
      });
    },
    subscribe(sink) {
      sinks.set(sink, core?.subscribe(sink) ?? (() => {}));
      return () => {
        sinks.get(sink)?.();
        sinks.delete(sink);
      };
    },
    get core() {
      return core;
    },
    status,
    async close() {
      if (core) await backupIfDue(core.services.store, profileDir, clock, CLOSE_BACKUP_EVERY_MS);
      await stop();
      lock.release();
    },
  };
}
