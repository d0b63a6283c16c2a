/**
 * The voices memos can be made with, offline and cloud, each saying whether it can be used now. Reloaded on
 * `settings.changed`: the cloud URL decides whether the cloud voices are available.
 */
import { create } from 'zustand';
import type { VoiceView } from '../../src-shared/contract';
import { call, errorMessage, on, onReconnect } from '../api';

interface VoicesState {
  voices: VoiceView[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
}

let lastLoad = 0;

export const useVoices = create<VoicesState>()((set) => ({
  voices: [],
  loaded: false,
  error: null,
  async load() {
    const load = ++lastLoad;
    try {
      const { voices } = await call('voices.list');
      if (load === lastLoad) set({ voices, loaded: true, error: null });
    } catch (error) {
      if (load === lastLoad) set({ error: errorMessage(error) });
    }
  },
}));

on('settings.changed', () => void useVoices.getState().load());
onReconnect(() => void useVoices.getState().load());
