/** Which screen is showing. The player lives outside the screens, so it keeps playing while the user browses. */
import { create } from 'zustand';

export const SCREENS = [
  { id: 'studio', label: 'Studio' },
  { id: 'library', label: 'Library' },
  { id: 'keys', label: 'Keys' },
  { id: 'usage', label: 'Usage' },
  { id: 'settings', label: 'Settings' },
] as const;

export type Screen = (typeof SCREENS)[number]['id'];

interface NavState {
  screen: Screen;
  go(screen: Screen): void;
}

export const useNav = create<NavState>()((set) => ({
  screen: 'studio',
  go: (screen) => set({ screen }),
}));
