import type { Services } from '../../services';
import { viewOf } from '../../services/keys';
import type { HandlersOf } from '.';

/** Keys made here are the keys service's; the account's keys go through the sync outbox (services/sync/cloud-keys). */
export function keysHandlers(s: Services): HandlersOf<'keys.list' | 'keys.create' | 'keys.addCloud' | 'keys.rename' | 'keys.revoke'> {
  const me = () => s.accounts.require().id;
  const isCloud = (id: string) => s.keys.kindOf(me(), id) === 'cloud';
  return {
    'keys.list': () => s.keys.overview(me()),
    'keys.create': async ({ name, test, kind }) => {
      const options = { ...(name !== undefined && { name }), ...(test !== undefined && { test }) };
      if (kind === 'cloud') return { key: viewOf(await s.sync.keys.create(me(), options), true), fullKey: null };
      return s.keys.create(me(), options);
    },
    'keys.addCloud': async ({ key, name }) => viewOf(await s.sync.keys.paste(me(), key, name)),
    'keys.rename': async ({ id, name }) => (isCloud(id) ? viewOf(await s.sync.keys.rename(me(), id, name), true) : s.keys.rename(me(), id, name)),
    'keys.revoke': async ({ id }) => (isCloud(id) ? viewOf(await s.sync.keys.revoke(me(), id), true) : s.keys.revoke(me(), id)),
  };
}
