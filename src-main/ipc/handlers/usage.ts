import type { Services } from '../../services';
import { usageLogView } from '../views';
import type { EdgeDeps, HandlersOf } from '.';

export function usageHandlers(s: Services, { cloud }: EdgeDeps): HandlersOf<'usage.list' | 'usage.summary' | 'usage.daily'> {
  const me = () => s.accounts.require().id;
  return {
    'usage.list': (filter) => s.usage.list(me(), filter).map(usageLogView),
    'usage.summary': () => ({ ...s.rateLimits.summary(me()), cloud: cloud?.lastRateLimit ?? null }),
    'usage.daily': ({ days }) => s.rateLimits.daily(me(), days),
  };
}
