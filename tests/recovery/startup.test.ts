/**
 * A profile that cannot open at start: the browser host says why in one plain line (no stack) and ends; the
 * Electron entry's dialog logic (plain Node, since the Electron binary is not here) gives the reason and the ways
 * out, and each way out does what it says.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tables } from '../../src-shared/schema';
import { createTables, openStore, storePath } from '../../src-main/db';
import { migrations } from '../../src-main/db/migrations';
import { openSession } from '../../src-main/session';
import { describeStartupFailure, takeWayOut, type StartupEdge } from '../../src-main/startup-failure';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { failure, tempDir } from '../main/db/helpers';

/** Runs the browser host's command line on `profileDir`; answers its exit code and what it printed on stderr. */
async function hostFails(profileDir: string): Promise<{ code: number; stderr: string }> {
  const error = await failure(promisify(execFile)(process.execPath, ['--import', 'tsx', 'src-main/host/cli.ts', '--profile', profileDir], { timeout: 60_000 }));
  return { code: (error as unknown as { code: number }).code, stderr: (error as unknown as { stderr: string }).stderr };
}

/** A profile whose store a newer app migrated to version 99. */
async function newerProfile(): Promise<string> {
  const profileDir = tempDir();
  const session = await openSession({ profileDir, secrets: sessionSecretStore('test') });
  await session.handle('store.backup', {});
  await session.close();
  const newer = [...migrations, createTables(99, 'from the future', [])];
  const store = await openStore({ path: storePath(profileDir), tables, migrations: newer });
  await store.close();
  return profileDir;
}

/** An edge that records what the dialog's buttons made it do (Electron's shell and app are not here). */
function recordingEdge() {
  const done: string[] = [];
  const edge: StartupEdge = {
    openFolder: (path) => done.push(`open ${path}`),
    relaunch: () => done.push('relaunch'),
    quit: () => done.push('quit'),
  };
  return { done, edge };
}

describe('start-up failure', () => {
  it('the browser host on a profile a newer app migrated: one plain line naming the reason, exit 1', async () => {
    const profileDir = await newerProfile();
    const { code, stderr } = await hostFails(profileDir);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `Agent Talk cannot start: This profile was last used by a newer version of Agent Talk (schema version 99). Install that version to open it. (profile: ${profileDir})`,
    ]);
  }, 60_000);

  it('the browser host on a profile path that runs through a file: one plain line, not a stack or a bare ENOENT', async () => {
    const parent = join(tempDir(), 'not-a-folder');
    writeFileSync(parent, 'x');
    const { code, stderr } = await hostFails(join(parent, 'profile'));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${parent} is a file where the profile needs a folder (ENOTDIR)`);
  }, 60_000);

  it('Electron: the newer-schema dialog offers the folder, a backup, and quitting; each does what it says', async () => {
    const profileDir = await newerProfile();
    const error = await failure(openSession({ profileDir, secrets: sessionSecretStore('test') }));
    const shown = describeStartupFailure(error, profileDir);
    expect(shown.reason).toContain('newer version of Agent Talk (schema version 99)');
    expect(shown.actions).toEqual(['open-folder', 'restore-backup', 'quit']);

    const { done, edge } = recordingEdge();
    expect(await takeWayOut('open-folder', profileDir, edge)).toEqual({ next: 'ask-again' });
    const newerFile = readFileSync(storePath(profileDir));
    expect(await takeWayOut('restore-backup', profileDir, edge)).toEqual({ next: 'done' });
    expect(await takeWayOut('quit', profileDir, edge)).toEqual({ next: 'done' });
    expect(done).toEqual([`open ${profileDir}`, 'relaunch', 'quit']);
    // The relaunched app opens the backup; the newer store is kept aside, not deleted.
    const session = await openSession({ profileDir, secrets: sessionSecretStore('test') });
    expect(session.status().state).toBe('open');
    await session.close();
    expect(readFileSync(join(profileDir, 'damaged', readdirSync(join(profileDir, 'damaged'))[0]!))).toEqual(newerFile);
  }, 60_000);

  it('Electron: a profile in use names the process, and offers no restore (the other app has the store)', async () => {
    const profileDir = tempDir();
    const first = await openSession({ profileDir, secrets: sessionSecretStore('test') });
    const shown = describeStartupFailure(await failure(openSession({ profileDir, secrets: sessionSecretStore('test') })), profileDir);
    expect(shown).toMatchObject({ reason: expect.stringContaining(`process ${process.pid}`), actions: ['open-folder', 'quit'] });
    await first.close();
  });

  it('Electron: a failed restore is shown as the new reason, and the dialog asks again', async () => {
    const profileDir = tempDir();
    const { done, edge } = recordingEdge();
    const outcome = await takeWayOut('restore-backup', profileDir, edge);
    expect(outcome).toMatchObject({ next: 'ask-again', failure: { reason: 'There is no usable backup to restore.' } });
    expect(done).toEqual([]);
  });
});
