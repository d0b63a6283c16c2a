/**
 * Two instances on one profile: the migrations two openers race for are decided inside their transactions, and a
 * second app (browser host or any opener through a session) says which process has the profile, while a lock left
 * by a killed process does not block the next start.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src-main/db/migrations';
import { openSession } from '../../src-main/session';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { failure, tempDir } from '../main/db/helpers';

const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', ...args], { timeout: 60_000 });

/** The pid of a process that has ended. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject).on('exit', () => resolve(child.pid!));
  });
}

/** This boot's id (Linux; a placeholder elsewhere, where the lock keeps no start time). */
const bootId = () => (process.platform === 'linux' ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : 'none');

describe('two instances on one profile', () => {
  it('both openers of a new profile apply its migrations once, without "table exists already"', async () => {
    for (let round = 0; round < 2; round++) {
      const profileDir = tempDir();
      const outputs = await Promise.all([1, 2, 3].map(() => run(['tests/recovery/open-worker.ts', profileDir])));
      const applied = migrations.map((m) => m.version).join(',');
      expect(outputs.map((o) => o.stdout.trim())).toEqual([applied, applied, applied]);
    }
  }, 120_000);

  it('a second session on the profile is refused, naming the process that has it, until the first closes', async () => {
    const profileDir = tempDir();
    const first = await openSession({ profileDir, secrets: sessionSecretStore('test') });
    expect(await failure(openSession({ profileDir, secrets: sessionSecretStore('test') }))).toMatchObject({
      code: 'STORE_IN_USE',
      details: { pid: process.pid },
    });
    // The browser host started on it says so in one plain line, and ends.
    const host = await failure(run(['src-main/host/cli.ts', '--profile', profileDir]));
    expect(host).toMatchObject({ code: 1 });
    const stderr = (host as unknown as { stderr: string }).stderr.trim();
    expect(stderr).toBe(`Agent Talk cannot start: This profile is open in another Agent Talk (process ${process.pid}). Switch to that one, or quit it first. (profile: ${profileDir})`);
    await first.close();
    const second = await openSession({ profileDir, secrets: sessionSecretStore('test') });
    expect(second.status().state).toBe('open');
    await second.close();
  }, 120_000);

  it('a lock left by a process that was killed does not block the next start', async () => {
    const profileDir = tempDir();
    writeFileSync(join(profileDir, 'profile.lock'), JSON.stringify({ pid: await deadPid(), since: '2026-01-01T00:00:00.000Z' }));
    const session = await openSession({ profileDir, secrets: sessionSecretStore('test') });
    expect(session.status().state).toBe('open');
    await session.close();
  });

  it.runIf(process.platform === 'linux')('a lock whose pid now belongs to another process (reused after the holder died) does not block the next start', async () => {
    // A live process that is not the lock's holder: same pid, but it started at another time than the lock says.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const profileDir = tempDir();
      const lock = join(profileDir, 'profile.lock');
      writeFileSync(lock, JSON.stringify({ pid: other.pid, started: `linux:${bootId()}:1`, since: '2026-01-01T00:00:00.000Z' }));
      const session = await openSession({ profileDir, secrets: sessionSecretStore('test') });
      expect(session.status().state).toBe('open');
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid });
      await session.close();
    } finally {
      other.kill();
    }
  });

  it.runIf(process.platform === 'linux')('a lock held by a live process that started when the lock says is still refused', async () => {
    // What the holder's lock file says on Linux: its pid, and when it started (stat field 22 in its boot).
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const profileDir = tempDir();
      const startTicks = readFileSync(`/proc/${holder.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      writeFileSync(join(profileDir, 'profile.lock'), JSON.stringify({ pid: holder.pid, started: `linux:${bootId()}:${startTicks}`, since: '2026-01-01T00:00:00.000Z' }));
      expect(await failure(openSession({ profileDir, secrets: sessionSecretStore('test') }))).toMatchObject({ code: 'STORE_IN_USE', details: { pid: holder.pid } });
    } finally {
      holder.kill();
    }
  });
});
