import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSecretStore, SecretStoreError } from '../../../src-main/services/secrets';
import { requireTools } from '../../support/require-tool';

const service = 'agent-talk-desktop-test';

const haveKeyring = requireTools(['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'], 'keychain suite');

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

  /** What gnome-keyring holds for the account, read by another program (libsecret's secret-tool). */
  function lookup(account: string): string | null {
    const result = spawnSync('secret-tool', ['lookup', 'service', service, 'username', account], { env: session.env, encoding: 'utf8' });
    return result.status === 0 ? result.stdout : null;
  }

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

interface SecretService {
  env: NodeJS.ProcessEnv;
  /** Ends both daemons and removes their home; calling it again does nothing. */
  stop(): void;
}

/** A private D-Bus session with gnome-keyring's Secret Service, in a throwaway home: nothing touches the user's. */
async function startSecretService(): Promise<SecretService> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-talk-keychain-'));
  const address = `unix:path=${join(dir, 'bus')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  delete env.GNOME_KEYRING_CONTROL;
  const pids: number[] = [];
  const stop = () => {
    for (const pid of pids.splice(0).reverse()) process.kill(pid);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    pids.push(Number(execFileSync('dbus-daemon', ['--session', `--address=${address}`, '--print-pid', '--fork'], { env, encoding: 'utf8' })));
    env.DBUS_SESSION_BUS_ADDRESS = address;
    // Creates the default "login" keyring, unlocked. An empty password creates none, and every call then fails.
    execFileSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], { env, input: 'throwaway' });
    pids.push(await secretServicePid(env));
  } catch (error) {
    stop();
    throw error;
  }
  return { env, stop };
}

/** The daemon that owns the Secret Service name, once it does: gnome-keyring-daemon returns before it has taken it. */
async function secretServicePid(env: NodeJS.ProcessEnv): Promise<number> {
  const args = ['--session', '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus'];
  for (let attempt = 1; ; attempt++) {
    const reply = spawnSync('dbus-send', [...args, 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'], {
      env,
      encoding: 'utf8',
    });
    const pid = /uint32 (\d+)/.exec(reply.stdout)?.[1];
    if (pid) return Number(pid);
    if (attempt === 100) throw new Error(`gnome-keyring-daemon never took org.freedesktop.secrets: ${reply.stderr}`);
    await sleep(50);
  }
}
