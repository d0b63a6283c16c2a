import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSecretStore, SecretStoreError } from '../../../src-main/services/secrets';
import { requireTools } from '../../support/require-tool';
import { lookupSecret, SECRET_SERVICE_TOOLS, startSecretService, type SecretService } from '../../support/secret-service';

const service = 'agent-talk-desktop-test';

const haveKeyring = requireTools(SECRET_SERVICE_TOOLS, 'keychain suite');

describe.runIf(haveKeyring)('the OS keychain: a real gnome-keyring on a private D-Bus session', () => {
  let session: SecretService;

  beforeAll(async () => {
    session = await startSecretService();
    // The process's D-Bus library reads this once, at the first call: hence the fallback case has its own file.
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', session.env.DBUS_SESSION_BUS_ADDRESS);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    session?.stop();
  });

  const lookup = (account: string) => lookupSecret(session, service, account);

  it('stores, overwrites and deletes secrets in gnome-keyring', async () => {
    const store = await openSecretStore({ service });
    expect(store.persistent).toBe(true);
    expect(store.reason).toBeUndefined();

    await store.set('key-1', 'at_live_first');
    expect(await store.get('key-1')).toBe('at_live_first');
    expect(lookup('key-1')).toBe('at_live_first');

    await store.set('key-1', 'at_live_second');
    expect(await store.get('key-1')).toBe('at_live_second');
    expect(lookup('key-1')).toBe('at_live_second');

    expect(await store.delete('key-1')).toBe(true);
    expect(await store.get('key-1')).toBeNull();
    expect(lookup('key-1')).toBeNull();
    expect(await store.delete('key-1')).toBe(false);
  });

  it('reads what another program stored, and leaves no probe entry behind', async () => {
    const store = await openSecretStore({ service });
    execFileSync('secret-tool', ['store', '--label=test', 'service', service, 'username', 'key-2'], { env: session.env, input: 'from-outside' });
    expect(await store.get('key-2')).toBe('from-outside');
    expect(await store.delete('key-2')).toBe(true);
    const left = spawnSync('secret-tool', ['search', '--all', 'service', service], { env: session.env, encoding: 'utf8' });
    expect(left.stdout + left.stderr).toBe('');
  });

  // Last: it ends the session.
  it('reports a keychain that stops answering as KEYCHAIN_UNAVAILABLE, without the secret', async () => {
    const store = await openSecretStore({ service });
    expect(store.persistent).toBe(true);
    session.stop();
    const error = await store.set('key-3', 'at_live_never_shown').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(error).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', details: { account: 'key-3', operation: 'write' } });
    expect((error as Error).message).not.toContain('at_live_never_shown');
    await expect(store.get('key-3')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
  });
});
