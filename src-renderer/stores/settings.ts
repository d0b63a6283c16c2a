/** The profile's settings (cloud URL, theme), reloaded on `settings.changed`; the app applies the theme to the page. */
import { create } from 'zustand';
import type { SettingsView } from '../../src-shared/contract';
import { errorMessage, type Client } from '../client';
import { loadCounter } from './loads';

export interface SettingsState {
  settings: SettingsView | null;
  error: string | null;
  load(): Promise<void>;
  /** Throws an ApiError when the core refuses (the form shows its message). */
  update(changes: Partial<SettingsView>): Promise<void>;
}

/** `system` follows the OS (prefers-color-scheme in styles.css); `light` and `dark` override it. */
export function applyTheme(theme: SettingsView['theme']): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function createSettingsStore({ call, on, onReconnect }: Client) {
  const loads = loadCounter();

  const useSettings = create<SettingsState>()((set) => ({
    settings: null,
    error: null,
    async load() {
      const isNewest = loads.start();
      try {
        const settings = await call('settings.get');
        if (!isNewest()) return;
        set({ settings, error: null });
      } catch (error) {
        if (isNewest()) set({ error: errorMessage(error) });
      }
    },
    async update(changes) {
      const settings = await call('settings.update', changes);
      set({ settings });
    },
  }));

  on('settings.changed', () => void useSettings.getState().load());
  onReconnect(() => void useSettings.getState().load());
  return useSettings;
}
