/**
 * The browser host as `npm run start:browser` runs it (its command, without the build step), in its own process:
 * for tests that kill or restart it, or start it in an environment of its own (a keychain on a private D-Bus).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

export interface RunningHost {
  child: ChildProcess;
  /** The address it printed, with its token. */
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/** An environment whose D-Bus session bus does not exist: the session-only keychain, as on a machine without one. */
export const NO_KEYCHAIN_ENV: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(tmpdir(), 'agent-talk-no-such-bus')}` };

/** Starts the host's command on `profileDir` (in `env`; by default with no keychain) and waits for its address. */
export async function startHostProcess(profileDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = NO_KEYCHAIN_ENV): Promise<RunningHost> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/host/cli.ts', '--profile', profileDir, ...extra], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /running at (\S+)/.exec(output);
      if (found) resolve(found[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the host exited (${code}) before it printed its address:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** Resolves once `child` has exited (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));

/** Stops the host as Ctrl-C does (it closes the profile cleanly) and waits until it has. */
export async function stopHostProcess(host: RunningHost): Promise<void> {
  host.child.kill('SIGTERM');
  await exited(host.child);
}
