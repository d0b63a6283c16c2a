/**
 * The voices memos can be made with, offline and cloud, each saying whether it can be used now. Reloaded on
 * `settings.changed`: the cloud URL decides whether the cloud voices are available.
 */
import { create } from 'zustand';
import type { VoiceView } from '../../src-shared/contract';
import { errorMessage, type Client } from '../client';
import { loadCounter } from './loads';

export interface VoicesState {
  voices: VoiceView[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
}

export function createVoicesStore({ call, on, onReconnect }: Client) {
  const loads = loadCounter();

  const useVoices = create<VoicesState>()((set) => ({
    voices: [],
    loaded: false,
    error: null,
    async load() {
      const isNewest = loads.start();
      try {
        const { voices } = await call('voices.list');
        if (isNewest()) set({ voices, loaded: true, error: null });
      } catch (error) {
        if (isNewest()) set({ error: errorMessage(error) });
      }
    },
  }));

  on('settings.changed', () => void useVoices.getState().load());
  onReconnect(() => void useVoices.getState().load());
  return useVoices;
}
