/** The profile's settings (cloud URL, theme), reloaded on `settings.changed`; the theme is applied to the page. */
import { create } from 'zustand';
import type { SettingsView } from '../../src-shared/contract';
import { call, errorMessage, on, onReconnect } from '../api';

interface SettingsState {
  settings: SettingsView | null;
  error: string | null;
  load(): Promise<void>;
  /** Throws an ApiError when the core refuses (the form shows its message). */
  update(changes: Partial<SettingsView>): Promise<void>;
}

/** `system` follows the OS (prefers-color-scheme in styles.css); `light` and `dark` override it. */
function applyTheme(theme: SettingsView['theme']): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

let lastLoad = 0;

export const useSettings = create<SettingsState>()((set) => ({
  settings: null,
  error: null,
  async load() {
    const load = ++lastLoad;
    try {
      const settings = await call('settings.get');
      if (load !== lastLoad) return;
      applyTheme(settings.theme);
      set({ settings, error: null });
    } catch (error) {
      if (load === lastLoad) set({ error: errorMessage(error) });
    }
  },
  async update(changes) {
    const settings = await call('settings.update', changes);
    applyTheme(settings.theme);
    set({ settings });
  },
}));

on('settings.changed', () => void useSettings.getState().load());
onReconnect(() => void useSettings.getState().load());
