/** The local profile and the app's status (keychain), reloaded whenever the core reports `profile.changed`. */
import { create } from 'zustand';
import type { ProfileView, ResultOf } from '../../src-shared/contract';
import { errorMessage, type Client } from '../client';
import { loadCounter } from './loads';

export interface ProfileState {
  status: 'loading' | 'ready' | 'failed';
  /** Null until the first run has created the profile. */
  profile: ProfileView | null;
  app: ResultOf<'app.status'> | null;
  error: string | null;
  load(): Promise<void>;
  /** Throws an ApiError when the core refuses (the form shows its message). */
  create(email: string): Promise<void>;
}

export function createProfileStore({ call, on, onReconnect }: Client) {
  const loads = loadCounter();

  const useProfile = create<ProfileState>()((set) => ({
    status: 'loading',
    profile: null,
    app: null,
    error: null,
    async load() {
      const isNewest = loads.start();
      try {
        const [profile, app] = await Promise.all([call('profile.get'), call('app.status')]);
        if (isNewest()) set({ status: 'ready', profile, app, error: null });
      } catch (error) {
        if (isNewest()) set({ status: 'failed', error: errorMessage(error) });
      }
    },
    async create(email) {
      const profile = await call('profile.create', { email });
      set({ profile });
    },
  }));

  on('profile.changed', () => void useProfile.getState().load());
  onReconnect(() => void useProfile.getState().load());
  return useProfile;
}
