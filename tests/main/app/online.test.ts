// The Electron edge's "network back" decision (src-main/app/online.ts), in plain Node: when it tells sync to run.
import { describe, expect, it, vi } from 'vitest';
import { watchOnline } from '../../../src-main/app/online';
import { cloudServer, computer } from '../sync/helpers';

function watched(first: boolean) {
  let online = first;
  const reconnected = vi.fn();
  const watch = watchOnline({ isOnline: () => online, reconnected, pollMs: 0 });
  return {
    reconnected,
    watch,
    set(value: boolean) {
      online = value;
      watch.check();
    },
  };
}

describe('the network coming back', () => {
  it('tells sync once when a reading of online follows one of offline, never while it stays online', () => {
    const w = watched(true);
    w.set(true);
    w.set(true);
    expect(w.reconnected).not.toHaveBeenCalled();
    w.set(false);
    w.set(false);
    expect(w.reconnected).not.toHaveBeenCalled();
    w.set(true);
    w.set(true);
    expect(w.reconnected).toHaveBeenCalledTimes(1);
  });

  it('started offline: the first online reading is a reconnect', () => {
    const w = watched(false);
    w.set(true);
    expect(w.reconnected).toHaveBeenCalledTimes(1);
  });

  it('a wake from sleep syncs when online, not when offline (and then the network coming back does)', () => {
    const w = watched(true);
    w.watch.resumed();
    expect(w.reconnected).toHaveBeenCalledTimes(1);
    w.set(false);
    w.watch.resumed();
    expect(w.reconnected).toHaveBeenCalledTimes(1);
    w.set(true);
    expect(w.reconnected).toHaveBeenCalledTimes(2);
  });

  it('a reading that throws decides nothing', () => {
    let state: boolean | 'throw' = false;
    const reconnected = vi.fn();
    const watch = watchOnline({ isOnline: () => (state === 'throw' ? (() => { throw new Error('no network service'); })() : state), reconnected, pollMs: 0 });
    state = 'throw';
    watch.check();
    watch.resumed();
    expect(reconnected).not.toHaveBeenCalled();
    state = true;
    watch.check();
    expect(reconnected).toHaveBeenCalledTimes(1);
  });

  it('a cloud key made while offline reaches the service as soon as the network is back, not at the next interval', async () => {
    const server = await cloudServer();
    const { user } = server.session.addUser('ada@example.com', 'correct horse battery');
    const pc = await computer(server);
    await pc.sync.link.signIn('ada@example.com', 'correct horse battery');
    await pc.sync.syncNow();
    await server.goOffline();
    await pc.sync.keys.create(pc.user.id, { name: 'Made offline' });
    await pc.sync.syncNow();
    expect(pc.sync.status().waiting).toBe(1);
    await server.comeBack();

    // The test's timers never fire: only the watch can start the run that pushes it.
    let online = false;
    const watch = watchOnline({ isOnline: () => online, reconnected: () => pc.sync.reconnected(), pollMs: 0 });
    watch.check();
    online = true;
    watch.check();
    await vi.waitFor(() => expect(server.session.keysOf(user.id).map((k) => k.name)).toContain('Made offline'));
    await vi.waitFor(() => expect(pc.sync.status().waiting).toBe(0));
  });
});
