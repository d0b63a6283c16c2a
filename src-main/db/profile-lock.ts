/**
 * One process per profile: two would each run the generation queue at the plan's concurrency and race their
 * start-up work. The holder's pid sits in `<profile>/profile.lock`; a lock whose process is gone (killed, crashed)
 * is taken over, so it never blocks the next start.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors';

export interface ProfileLock {
  release(): void;
}

const lockPathOf = (profileDir: string) => join(profileDir, 'profile.lock');

/** The pid a lock file names, or null when it names none (half-written, or not ours). */
function holderOf(path: string): number | null {
  try {
    const pid = (JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid;
    return Number.isSafeInteger(pid) && (pid as number) > 0 ? (pid as number) : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

/** Takes the profile's lock (creating the folder), or throws STORE_IN_USE naming the process that holds it. */
export function lockProfile(profileDir: string): ProfileLock {
  mkdirSync(profileDir, { recursive: true });
  const path = lockPathOf(profileDir);
  // Written whole under a name of its own, then linked into place: link fails if a lock exists, and the lock
  // never appears half-written.
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = holderOf(path);
        if (pid !== null && isAlive(pid)) {
          throw new StoreError('STORE_IN_USE', `The profile is in use by another process (pid ${pid}).`, { pid });
        }
        rmSync(path, { force: true }); // its process is gone
        continue;
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (holderOf(path) === process.pid) rmSync(path, { force: true });
        },
      };
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new StoreError('STORE_IN_USE', 'The profile is being opened by another process; try again.', {});
}
