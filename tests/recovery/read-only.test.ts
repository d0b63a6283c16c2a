/**
 * A read-only profile, opened by an unprivileged user: the app runs as `nobody` (root, as CI runs, writes through
 * any mode bits, so only another user meets a read-only profile; switching user needs root, so elsewhere this is
 * skipped and says so). The browser host says why in one plain line and ends; the Electron entry's start-up dialog
 * (its logic in plain Node) names what may not be written and offers the folder and quitting; nothing in the profile
 * changes.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { storePath } from '../../src-main/db';
import { openSession } from '../../src-main/session';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { failure, tempDir } from '../main/db/helpers';

const NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];
const canSwitchUser = process.getuid?.() === 0 && spawnSync('setpriv', [...NOBODY, 'true']).status === 0;

/** Runs a TypeScript entry point as `nobody` (no keychain: HOME is nobody's, which does not exist). */
function asNobody(args: string[]) {
  return promisify(execFile)('setpriv', [...NOBODY, process.execPath, '--import', 'tsx', ...args], {
    timeout: 120_000,
    env: { ...process.env, HOME: '/nonexistent' },
  });
}

/** A profile with a store (made by root, then handed to nobody), under a folder nobody may enter. */
async function nobodysProfile(): Promise<string> {
  const parent = tempDir();
  chmodSync(parent, 0o755);
  const profileDir = join(parent, 'profile');
  const session = await openSession({ profileDir, secrets: sessionSecretStore('test') });
  expect((await session.handle('profile.create', { email: 'lecture@exemple.fr' })).ok).toBe(true);
  await session.close();
  for (const name of ['', ...readdirSync(profileDir, { recursive: true, encoding: 'utf8' })]) chownSync(join(profileDir, name), 65_534, 65_534);
  return profileDir;
}

/** Every file in the profile with its bytes (folders by name), to see that nothing changed. */
function contents(profileDir: string): Record<string, string> {
  const all: Record<string, string> = {};
  for (const name of readdirSync(profileDir, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(profileDir, name);
    all[name] = statSync(path).isDirectory() ? 'folder' : readFileSync(path).toString('base64');
  }
  return all;
}

/** The host's exit code and what it printed on stderr, run as nobody. */
async function hostAsNobody(profileDir: string): Promise<{ code: number; stderr: string }> {
  const error = (await failure(asNobody(['src-main/host/cli.ts', '--profile', profileDir]))) as unknown as { code: number; stderr: string };
  return { code: error.code, stderr: error.stderr };
}

describe.skipIf(!canSwitchUser)('a read-only profile, opened by an unprivileged user (runs the app as nobody; needs root and setpriv)', () => {
  it('a profile folder nobody may write to: one plain line naming the folder, the dialog offers the folder and quit, nothing changes', async () => {
    const profileDir = await nobodysProfile();
    for (const name of readdirSync(profileDir, { recursive: true, encoding: 'utf8' })) chmodSync(join(profileDir, name), statSync(join(profileDir, name)).isDirectory() ? 0o555 : 0o444);
    chmodSync(profileDir, 0o555);
    const before = contents(profileDir);

    const { code, stderr } = await hostAsNobody(profileDir);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `Agent Talk cannot start: Agent Talk may not write to ${profileDir}, so the profile folder ${profileDir} cannot be created or changed (EACCES). Choose a profile folder you may write to, or change its permissions. (profile: ${profileDir})`,
    ]);

    const shown = JSON.parse((await asNobody(['tests/recovery/startup-worker.ts', profileDir])).stdout) as unknown;
    expect(shown).toEqual({ reason: expect.stringContaining(`may not write to ${profileDir}`), actions: ['open-folder', 'quit'] });
    expect(contents(profileDir)).toEqual(before);
  }, 240_000);

  it('a writable folder whose store files are read-only: the line names the store file, not a bare "Permission denied"', async () => {
    const profileDir = await nobodysProfile();
    for (const name of ['store.mdb', 'store.mdb-lock']) chmodSync(join(profileDir, name), 0o444);
    const before = contents(profileDir);

    const { code, stderr } = await hostAsNobody(profileDir);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^Agent Talk cannot start: Agent Talk may not write to ${storePath(profileDir)}(-lock)? \\(EACCES\\)\\. Change its permissions, or choose another profile folder\\.`));

    const shown = JSON.parse((await asNobody(['tests/recovery/startup-worker.ts', profileDir])).stdout) as unknown;
    expect(shown).toEqual({ reason: expect.stringContaining(`may not write to ${storePath(profileDir)}`), actions: ['open-folder', 'quit'] });
    expect(contents(profileDir)).toEqual(before);
  }, 240_000);
});
