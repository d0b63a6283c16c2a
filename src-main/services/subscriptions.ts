/**
 * One subscription per user, with status and billing period. The user's tier follows it: written to
 * `users.tier` in the same transaction, so every limit check reads one row.
 */
import type { Subscription, tables } from '../../src-shared/schema';
import type { Tier } from '../../src-shared/tiers';
import type { AgentTalkStore, Transaction } from '../db';
import { ServiceError } from './errors';

/** Statuses in which the paid tier applies (past_due keeps it while payment is retried). */
const PAID_STATUSES = new Set(['active', 'past_due']);

export function effectiveTier(subscription: Pick<Subscription, 'tier' | 'status' | 'current_period_end'>, now: Date): Tier {
  const inPeriod = !subscription.current_period_end || subscription.current_period_end > now.toISOString();
  const tier = subscription.tier as Tier | null;
  return tier && PAID_STATUSES.has(subscription.status ?? '') && inPeriod ? tier : 'hobby';
}

export interface SubscriptionChange {
  tier?: Tier;
  status?: string;
  current_period_start?: string | null;
  current_period_end?: string | null;
  cancel_at_period_end?: boolean;
}

export function createSubscriptionService(store: AgentTalkStore, clock: () => Date) {
  const ofUser = (userId: string) => store.query('subscriptions', { user_id: userId })[0];
  return {
    get: ofUser,

    /** Creates or changes the user's subscription and brings the user's tier in line with it. */
    set(userId: string, change: SubscriptionChange): Promise<Subscription> {
      return store.transaction((tx) => applySubscription(tx, userId, change, clock()));
    },
  };
}

export function applySubscription(tx: Transaction<typeof tables>, userId: string, change: SubscriptionChange, now: Date): Subscription {
  if (!tx.get('users', userId)) throw new ServiceError('NOT_FOUND', 'No such user.');
  const existing = tx.query('subscriptions', { user_id: userId })[0];
  const subscription = existing ? tx.update('subscriptions', existing.id, change) : tx.insert('subscriptions', { user_id: userId, ...change });
  const tier = effectiveTier(subscription, now);
  if (tx.get('users', userId)!.tier !== tier) tx.update('users', userId, { tier });
  return subscription;
}

/** The tier that limits apply at now: the subscription's while it is paid and in period, else the user's own. */
export function tierOf(tx: Pick<Transaction<typeof tables>, 'get' | 'query'>, userId: string, now: Date): Tier {
  const subscription = tx.query('subscriptions', { user_id: userId })[0];
  if (subscription) return effectiveTier(subscription, now);
  return (tx.get('users', userId)?.tier as Tier | null) ?? 'hobby';
}
