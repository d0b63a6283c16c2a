/**
 * The app's stores, each made once from its factory with the real bridge's client (api.ts). The screens take them
 * from here; each store's file holds its factory, which tests give a client of their own (tests/renderer/).
 */
import { appClient } from '../api';
import { createKeysStore } from './keys';
import { createMemosStore } from './memos';
import { createPlayerStore } from './player';
import { createProfileStore } from './profile';
import { applyTheme, createSettingsStore } from './settings';
import { createStoreHealthStore } from './store-health';
import { createStudioStore } from './studio';
import { createSyncStore } from './sync';
import { createUsageStore } from './usage';
import { createVoicesStore } from './voices';

export const useProfile = createProfileStore(appClient);
export const useSettings = createSettingsStore(appClient);
export const useStoreHealth = createStoreHealthStore(appClient, () => window.location.reload());
export const useKeys = createKeysStore(appClient);
export const useVoices = createVoicesStore(appClient);
export const useMemos = createMemosStore(appClient);
export const usePlayer = createPlayerStore(appClient);
export const useStudio = createStudioStore(appClient, usePlayer);
export const useUsage = createUsageStore(appClient);
export const useSync = createSyncStore(appClient);

// The page's own part of two stores: the theme the settings hold, and a draft not yet written when the page goes.
useSettings.subscribe(({ settings }, previous) => {
  if (settings && settings.theme !== previous.settings?.theme) applyTheme(settings.theme);
});
window.addEventListener('pagehide', () => useStudio.getState().flushDraft());
