/** The profile's API keys against the plan's limit, reloaded whenever the core reports `keys.changed`. */
import { create } from 'zustand';
import type { ApiKeyView, ResultOf } from '../../src-shared/contract';
import { errorMessage, type Client } from '../client';
import { loadCounter } from './loads';

/** A key as the Keys screen lists it: with where its full key is. */
export type ListedKey = ResultOf<'keys.list'>['keys'][number];

export interface KeysState {
  keys: ListedKey[];
  /** Active keys, and how many the plan allows. */
  active: number;
  limit: number;
  loaded: boolean;
  error: string | null;
  /** What else happened with the last revocation, when a step after it could not be done. */
  notice: string | null;
  load(): Promise<void>;
  /** Creates a key and answers its full value, which exists nowhere else: it is not kept in the store. */
  create(options: { name: string; test: boolean; kind?: ApiKeyView["kind"] }): Promise<{ key: ApiKeyView; fullKey: string | null }>;
  rename(id: string, name: string): Promise<void>;
  revoke(id: string): Promise<void>;
}

export function createKeysStore({ call, on, onReconnect }: Client) {
  const loads = loadCounter();

  const useKeys = create<KeysState>()((set) => ({
    keys: [],
    active: 0,
    limit: 0,
    loaded: false,
    error: null,
    notice: null,
    async load() {
      const isNewest = loads.start();
      try {
        const { keys, active, limit } = await call('keys.list');
        if (isNewest()) set({ keys, active, limit, loaded: true, error: null });
      } catch (error) {
        if (isNewest()) set({ error: errorMessage(error) });
      }
    },
    create: (options) => call('keys.create', options),
    async rename(id, name) {
      await call('keys.rename', { id, name });
    },
    async revoke(id) {
      const { notice } = await call('keys.revoke', { id });
      set({ notice: notice ?? null });
    },
  }));

  on('keys.changed', () => void useKeys.getState().load());
  onReconnect(() => void useKeys.getState().load());
  return useKeys;
}
