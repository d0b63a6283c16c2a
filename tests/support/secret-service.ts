/** A real Secret Service for tests: gnome-keyring on a private D-Bus session, in a throwaway home. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The Debian programs it needs (dbus, gnome-keyring, libsecret-tools). */
export const SECRET_SERVICE_TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'];

export interface SecretService {
  env: NodeJS.ProcessEnv;
  /** Ends both daemons and removes their home; calling it again does nothing. */
  stop(): void;
}

/** A private D-Bus session with gnome-keyring's Secret Service, in a throwaway home: nothing touches the user's. */
export async function startSecretService(): Promise<SecretService> {
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

/** What the Secret Service holds for `account` of `service`, read by another program (libsecret's secret-tool). */
export function lookupSecret(session: SecretService, service: string, account: string): string | null {
  const result = spawnSync('secret-tool', ['lookup', 'service', service, 'username', account], { env: session.env, encoding: 'utf8' });
  return result.status === 0 ? result.stdout : null;
}
