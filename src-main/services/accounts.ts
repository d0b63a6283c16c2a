/**
 * The local profile: the user this app acts for. A first run creates it (email, tier hobby, role user) with a
 * hobby subscription, so the app works offline from the first minute; the user then creates keys as they need
 * them. Signing in to the cloud account comes with sync.
 */
import type { User } from '../../src-shared/schema';
import type { Tier } from '../../src-shared/tiers';
import type { AgentTalkStore } from '../db';
import { ServiceError } from './errors';
import { applySubscription, tierOf } from './subscriptions';
import { recordUsage } from './usage';

const PROFILE_SETTING = 'profile_user_id';

export function createAccountService(store: AgentTalkStore, clock: () => Date) {
  return {
    /** The profile's user, or undefined before the first run's profile is created. */
    current(): User | undefined {
      const id = store.get('settings', PROFILE_SETTING)?.value;
      return typeof id === 'string' ? store.get('users', id) : undefined;
    },

    /** The profile's user, or a NO_PROFILE refusal (every per-user call goes through here). */
    require(): User {
      const user = this.current();
      if (!user) throw new ServiceError('NO_PROFILE', 'Create your profile first.');
      return user;
    },

    /** The tier whose limits apply now (the subscription's while paid and in period): every limit and screen asks here. */
    tier(userId: string): Tier {
      return tierOf(store, userId, clock());
    },

    /**
     * First run: the profile's user, its subscription and the settings entry naming it, in one transaction. An
     * account with the email already here (whatever its case: a command-line import made it) is the user's own:
     * the profile takes it up, keys and memos included, rather than making a second account or refusing.
     */
    createProfile(email: string): Promise<User> {
      return store.transaction((tx) => {
        if (tx.get('settings', PROFILE_SETTING)) throw new ServiceError('CONFLICT', 'This profile already has an account.');
        const existing = tx.query('users', { email })[0];
        const user = existing ?? tx.insert('users', { email, tier: 'hobby', role: 'user' });
        if (!tx.query('subscriptions', { user_id: user.id })[0]) applySubscription(tx, user.id, { tier: 'hobby', status: 'active' }, clock());
        tx.insert('settings', { key: PROFILE_SETTING, value: user.id });
        recordUsage(tx, { userId: user.id, action: existing ? 'user_login' : 'user_signup', metadata: { local: true } });
        return tx.get('users', user.id)!;
      });
    },
  };
}
