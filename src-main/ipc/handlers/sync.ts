import type { Services } from '../../services';
import type { HandlersOf } from '.';

type SyncMethods = 'account.get' | 'account.signIn' | 'account.useToken' | 'account.signOut' | 'sync.status' | 'sync.now' | 'sync.setInterval' | 'usage.cloudDaily';

export function syncHandlers(s: Services): HandlersOf<SyncMethods> {
  return {
    'account.get': () => s.sync.link.view(),
    'account.signIn': ({ email, password, confirm }) => s.sync.link.signIn(email, password, confirm),
    'account.useToken': ({ token, confirm }) => s.sync.link.useToken(token, confirm),
    'account.signOut': () => s.sync.link.signOut(),
    'sync.status': () => s.sync.status(),
    'sync.now': () => s.sync.syncNow(),
    'sync.setInterval': ({ minutes }) => s.sync.setIntervalMinutes(minutes),
    'usage.cloudDaily': ({ days }) => s.sync.cloudDaily(days),
  };
}
