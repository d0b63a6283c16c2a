/** What each contract method does, in terms of the services. Arguments arrive already validated. */
import type { ArgsOf, MethodName, ResultOf } from '../../src-shared/contract';
import { TIER_LIMITS, type Tier } from '../../src-shared/tiers';
import type { Services } from '../services';
import { memoView, profileView, subscriptionView, usageLogView } from './views';

export type Handlers = { [M in MethodName]: (args: NonNullable<ArgsOf<M>>) => ResultOf<M> | Promise<ResultOf<M>> };

export function createHandlers(s: Services, profileDir: string): Handlers {
  const me = () => s.accounts.require();
  return {
    'profile.get': () => {
      const user = s.accounts.current();
      return user ? profileView(user) : null;
    },
    'profile.create': async ({ email }) => profileView(await s.accounts.createProfile(email)),
    'subscription.get': () => {
      const subscription = s.subscriptions.get(me().id);
      return subscription ? subscriptionView(subscription) : null;
    },
    'limits.get': () => {
      const tier = (me().tier ?? 'hobby') as Tier;
      return { tier, limits: TIER_LIMITS[tier] };
    },
    'app.status': () => ({
      keychain: { persistent: s.secrets.persistent, reason: s.secrets.reason ?? null },
      profileDir,
    }),

    'keys.list': () => {
      const user = me();
      const keys = s.keys.list(user.id);
      return { keys, active: keys.filter((k) => k.isActive).length, limit: TIER_LIMITS[(user.tier ?? 'hobby') as Tier].apiKeys };
    },
    'keys.create': ({ name, test }) => s.keys.create(me().id, { ...(name !== undefined && { name }), ...(test !== undefined && { test }) }),
    'keys.rename': ({ id, name }) => s.keys.rename(me().id, id, name),
    'keys.revoke': ({ id }) => s.keys.revoke(me().id, id),

    'usage.list': (filter) => s.usage.list(me().id, filter).map(usageLogView),
    'usage.summary': () => s.rateLimits.summary(me().id),

    'memos.list': (page) => {
      const { memos, total } = s.memos.list(me().id, page);
      return { memos: memos.map(memoView), total };
    },
    'memos.get': ({ id }) => memoView(s.memos.get(me().id, id)),
    'memos.rename': async ({ id, title }) => memoView(await s.memos.rename(me().id, id, title)),
    'memos.delete': async ({ id }) => {
      await s.memos.delete(me().id, id);
      return { deleted: true as const };
    },
  };
}
