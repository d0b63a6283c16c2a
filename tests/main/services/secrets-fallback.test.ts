import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSecretStore, SESSION_ONLY_REASON } from '../../../src-main/services/secrets';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('where no keychain answers', () => {
  it('keeps secrets for this session only, and says so', async () => {
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', `unix:path=${join(tmpdir(), 'agent-talk-no-such-bus')}`);
    const store = await openSecretStore({ service: 'agent-talk-desktop-test' });
    expect(store.persistent).toBe(false);
    expect(store.reason).toBe(SESSION_ONLY_REASON);

    await store.set('key-1', 'at_live_first');
    await store.set('key-1', 'at_live_second');
    expect(await store.get('key-1')).toBe('at_live_second');
    expect(await store.delete('key-1')).toBe(true);
    expect(await store.get('key-1')).toBeNull();
    expect(await store.delete('key-1')).toBe(false);
  });
});
