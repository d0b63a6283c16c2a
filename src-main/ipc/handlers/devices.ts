import type { Services } from '../../services';
import type { HandlersOf } from '.';

export function devicesHandlers(s: Services): HandlersOf<'devices.status' | 'devices.update' | 'devices.syncNow' | 'devices.remove'> {
  return {
    'devices.status': () => s.devices.status(),
    'devices.update': (changes) => s.devices.configure(changes),
    'devices.syncNow': () => s.devices.run(),
    'devices.remove': ({ id }) => s.devices.remove(id),
  };
}
