/** The cloud account link and the sync status, kept current by the `sync.status` event (and loaded again on reconnect). */
import { create } from 'zustand';
import type { AccountView, LinkResult, SyncStatus } from '../../src-shared/contract';
import { errorMessage, type Client } from '../client';
import { loadCounter } from './loads';

export interface SyncStore {
  status: SyncStatus | null;
  account: AccountView | null;
  error: string | null;
  load(): Promise<void>;
  /** These throw an ApiError when the core refuses (the forms show its message). */
  signIn(email: string, password: string, confirm?: boolean): Promise<LinkResult>;
  useToken(token: string, confirm?: boolean): Promise<LinkResult>;
  signOut(): Promise<void>;
  syncNow(): Promise<void>;
  setInterval(minutes: number): Promise<void>;
}

export function createSyncStore({ call, on, onReconnect }: Client) {
  const loads = loadCounter();

  const useSync = create<SyncStore>()((set, get) => ({
    status: null,
    account: null,
    error: null,
    async load() {
      const isNewest = loads.start();
      try {
        const [status, account] = await Promise.all([call('sync.status'), call('account.get')]);
        if (isNewest()) set({ status, account, error: null });
      } catch (error) {
        if (isNewest()) set({ error: errorMessage(error) });
      }
    },
    async signIn(email, password, confirm) {
      const result = await call('account.signIn', { email, password, ...(confirm && { confirm }) });
      await get().load();
      return result;
    },
    async useToken(token, confirm) {
      const result = await call('account.useToken', { token, ...(confirm && { confirm }) });
      await get().load();
      return result;
    },
    async signOut() {
      set({ account: await call('account.signOut') });
    },
    async syncNow() {
      set({ status: await call('sync.now') });
    },
    async setInterval(minutes) {
      set({ status: await call('sync.setInterval', { minutes }) });
    },
  }));

  on('sync.status', (status) => {
    useSync.setState({ status });
    void call('account.get').then((account) => useSync.setState({ account }), () => undefined);
  });
  // A round may have run while the link was lost, with no event heard.
  onReconnect(() => void useSync.getState().load());
  return useSync;
}
