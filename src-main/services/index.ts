/** The domain services of one profile, over its store and the keychain. */
import type { AgentTalkStore } from '../db';
import { createAccountService } from './accounts';
import { createKeyService } from './keys';
import { createMemoService } from './memos';
import { createRateLimitService } from './rate-limits';
import type { SecretStore } from './secrets';
import { createSubscriptionService } from './subscriptions';
import type { Clock } from './time';
import { createUsageService } from './usage';

export interface ServiceDeps {
  store: AgentTalkStore;
  secrets: SecretStore;
  clock?: Clock;
}

export function createServices({ store, secrets, clock = () => new Date() }: ServiceDeps) {
  return {
    store,
    secrets,
    accounts: createAccountService(store, clock),
    keys: createKeyService(store, secrets, clock),
    usage: createUsageService(store),
    memos: createMemoService(store),
    rateLimits: createRateLimitService(store, clock),
    subscriptions: createSubscriptionService(store, clock),
  };
}

export type Services = ReturnType<typeof createServices>;
export { ServiceError } from './errors';
