/**
 * The profile's store: open, damaged or missing, its backups, and the ways back (restore, rebuild, start afresh).
 * Loaded again on reconnect: the host may have come back on a store that no longer opens.
 */
import { create } from 'zustand';
import type { IntegrityView, StoreStatus } from '../../src-shared/contract';
import { errorMessage, type Client } from '../client';

export interface StoreHealthState {
  status: StoreStatus | null;
  /** The last "Check now" answer. */
  check: IntegrityView | null;
  busy: boolean;
  error: string | null;
  load(): Promise<void>;
  runCheck(): Promise<void>;
  backUp(): Promise<void>;
  /** Restores a backup (the newest usable one by default); the window reloads once the store is open. */
  restore(name?: string): Promise<void>;
  rebuild(): Promise<void>;
  /** Rebuilds the indexes of the open store (a full check found only them wrong), then checks it again. */
  repairIndexes(): Promise<void>;
  startFresh(): Promise<void>;
}

/** `reloadWindow` starts every screen afresh (the app's reloads the page). */
export function createStoreHealthStore({ call, onReconnect }: Client, reloadWindow: () => void) {
  const useStoreHealth = create<StoreHealthState>()((set, get) => {
    /** Runs one action. One that changes the store under every screen (restore, rebuild, start afresh) reloads the
     * window once the store is open, so that each screen starts from it. */
    async function act(action: () => Promise<StoreStatus | void>) {
      set({ busy: true, error: null });
      try {
        const status = await action();
        if (status?.state === 'open') return reloadWindow();
        await get().load();
      } catch (error) {
        set({ error: errorMessage(error) });
      } finally {
        set({ busy: false });
      }
    }
    /** Runs `first`, then the full check, whose answer the Settings card shows. */
    async function checkAfter(first: () => Promise<void>) {
      set({ busy: true, error: null, check: null });
      try {
        await first();
        set({ check: await call('store.check') });
      } catch (error) {
        set({ error: errorMessage(error) });
      } finally {
        set({ busy: false });
      }
    }
    return {
      status: null,
      check: null,
      busy: false,
      error: null,
      async load() {
        try {
          set({ status: await call('store.status') });
        } catch (error) {
          set({ error: errorMessage(error) });
        }
      },
      runCheck: () => checkAfter(async () => {}),
      repairIndexes: () => checkAfter(async () => void (await call('store.rebuild'))),
      backUp: () => act(async () => void (await call('store.backup'))),
      restore: (name) => act(() => call('store.restore', name === undefined ? {} : { name })),
      rebuild: () => act(() => call('store.rebuild')),
      startFresh: () => act(() => call('store.startFresh')),
    };
  });
  onReconnect(() => void useStoreHealth.getState().load());
  return useStoreHealth;
}
