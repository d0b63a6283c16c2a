/**
 * One process per profile: two would each run the generation queue at the plan's concurrency and race their
 * start-up work. The holder's pid sits in `<profile>/profile.lock`, with when that process started (on Linux: the
 * boot's id and the start time in `/proc/<pid>/stat`); a lock whose process is gone (killed, crashed), or whose
 * pid now belongs to a process that started at another time (the pid was reused, or the computer restarted), is
 * taken over, so it never blocks the next start. Where the start time cannot be read (other systems, a lock
 * written without one) a live pid counts as the holder.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors';

export interface ProfileLock {
  release(): void;
}

const lockPathOf = (profileDir: string) => join(profileDir, 'profile.lock');

interface Holder {
  pid: number;
  /** When the process started, as `startOf` tells it; null when the lock does not say. */
  started: string | null;
}

/** The process a lock file names, or null when it names none (half-written, or not ours). */
function holderOf(path: string): Holder | null {
  try {
    const { pid, started } = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; started?: unknown };
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return null;
    return { pid: pid as number, started: typeof started === 'string' ? started : null };
  } catch {
    return null;
  }
}

/**
 * When the process `pid` started, in a form that differs for two processes that had the same pid: on Linux the
 * boot's id and field 22 of `/proc/<pid>/stat` (clock ticks since boot). Null where it cannot be read.
 */
export function startOf(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2, the command name, is in parentheses and may hold spaces or ')': fields 3 on follow the last ')'.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    return ticks && /^\d+$/.test(ticks) ? `linux:${boot}:${ticks}` : null;
  } catch {
    return null;
  }
}

function isAlive({ pid, started }: Holder): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: alive, but another user's
  }
  // A live pid is the holder unless it is known to have started at another time than the holder did.
  const now = started === null ? null : startOf(pid);
  return now === null || now === started;
}

/** Takes the profile's lock (creating the folder), or throws STORE_IN_USE naming the process that holds it. */
export function lockProfile(profileDir: string): ProfileLock {
  mkdirSync(profileDir, { recursive: true });
  const path = lockPathOf(profileDir);
  // Written whole under a name of its own, then linked into place: link fails if a lock exists, and the lock
  // never appears half-written.
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, JSON.stringify({ pid: process.pid, started: startOf(process.pid), since: new Date().toISOString() }));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = holderOf(path);
        if (holder !== null && isAlive(holder)) {
          const { pid } = holder;
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
          if (holderOf(path)?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new StoreError('STORE_IN_USE', 'The profile is being opened by another process; try again.', {});
}
