import { TIER_LIMITS } from '../../../src-shared/tiers';
import type { Services } from '../../services';
import { profileView, subscriptionView } from '../views';
import type { EdgeDeps, HandlersOf } from '.';

export function profileHandlers(s: Services, { profileDir, saveFile }: EdgeDeps): HandlersOf<'profile.get' | 'profile.create' | 'subscription.get' | 'limits.get' | 'app.status'> {
  return {
    'profile.get': () => {
      const user = s.accounts.current();
      return user ? profileView(user, s.accounts.tier(user.id)) : null;
    },
    'profile.create': async ({ email }) => {
      const user = await s.accounts.createProfile(email);
      return profileView(user, s.accounts.tier(user.id));
    },
    'subscription.get': () => {
      const subscription = s.subscriptions.get(s.accounts.require().id);
      return subscription ? subscriptionView(subscription) : null;
    },
    'limits.get': () => {
      const tier = s.accounts.tier(s.accounts.require().id);
      return { tier, limits: TIER_LIMITS[tier] };
    },
    'app.status': () => ({
      keychain: { persistent: s.secrets.persistent, reason: s.secrets.reason ?? null },
      profileDir,
      fileDialogs: saveFile !== undefined,
      store: s.store.health(),
    }),
  };
}
