import type { Services } from '../../services';
import type { HandlersOf } from '.';

export function keysHandlers(s: Services): HandlersOf<'keys.list' | 'keys.create' | 'keys.rename' | 'keys.revoke'> {
  const me = () => s.accounts.require().id;
  return {
    'keys.list': () => s.keys.overview(me()),
    'keys.create': ({ name, test }) => s.keys.create(me(), { ...(name !== undefined && { name }), ...(test !== undefined && { test }) }),
    'keys.rename': ({ id, name }) => s.keys.rename(me(), id, name),
    'keys.revoke': ({ id }) => s.keys.revoke(me(), id),
  };
}
