/**
 * Whether the store can save. A commit that fails (a full disk, an I/O error, lmdb-js failing a whole batch)
 * rejects every write of its batch with a retryable StoreError; the store then says so here and probes with a
 * small write of its own, backing off, until a commit succeeds again. While the disk is full, writes are refused
 * at once (reads keep working) until a probe commits.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StoreError } from './errors';

export type StoreHealth =
  | { state: 'ok' }
  /** A commit failed for another reason than space; the store retries. */
  | { state: 'retrying'; since: string; reason: string }
  /** No room left to save; writes are refused until space returns. */
  | { state: 'disk-full'; since: string; freeBytes: number | null };

export type HealthListener = (health: StoreHealth) => void;

/** lmdb-js rejects each write of a failed batch with this shape; the real cause is a promise beside it. */
interface LmdbCommitFailure extends Error {
  commitError: Promise<unknown>;
}

export function isCommitFailure(error: unknown): error is LmdbCommitFailure {
  return error instanceof Error && typeof (error as Partial<LmdbCommitFailure>).commitError?.then === 'function';
}

/** A synchronous commit's error, in the shape of lmdb-js's failed batch (its cause beside it). */
export function commitFailure(cause: unknown): LmdbCommitFailure {
  const message = cause instanceof Error ? cause.message : String(cause);
  return Object.assign(new Error(`commit failed: ${message}`), { commitError: Promise.reject(cause) });
}

/** errno values of "no room": ENOSPC, EDQUOT. */
const NO_ROOM = new Set([28, 122, 'ENOSPC', 'EDQUOT']);
/** Below this much free space, a failed write (often reported as EIO by LMDB) is taken for a full disk. */
const LOW_SPACE_BYTES = 1 << 20;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

async function freeBytes(path: string): Promise<number | null> {
  try {
    const fs = await statfs(dirname(path));
    return fs.bavail * fs.bsize;
  } catch {
    return null;
  }
}

/** The underlying error of a failed commit: lmdb-js rejects `commitError` in the same callback, or shortly after. */
async function causeOf(failure: LmdbCommitFailure): Promise<{ message: string; code: unknown }> {
  const cause = await Promise.race([
    failure.commitError.then(
      () => undefined,
      (error: unknown) => error,
    ),
    new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
  ]);
  const err = cause as { message?: unknown; code?: unknown } | undefined;
  return { message: typeof err?.message === 'string' ? err.message : failure.message, code: err?.code };
}

export class HealthMonitor {
  private health: StoreHealth = { state: 'ok' };
  private readonly listeners = new Set<HealthListener>();
  private timer: NodeJS.Timeout | undefined;
  private delay = FIRST_RETRY_MS;
  private closed = false;

  /** `probe` commits a small write outside the refusal below; `path` is the data file (for free space). */
  constructor(
    private readonly path: string,
    private readonly probe: () => Promise<void>,
  ) {}

  get current(): StoreHealth {
    return this.health;
  }

  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Throws DISK_FULL while the disk is known to be full, before anything is attempted. */
  assertWritable(): void {
    if (this.health.state === 'disk-full') {
      throw new StoreError('DISK_FULL', 'The disk is full: nothing can be saved until space is freed.', {
        retryable: true,
        freeBytes: this.health.freeBytes,
      });
    }
  }

  /** A commit succeeded: whatever was wrong is over. */
  committed(): void {
    if (this.health.state === 'ok') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.delay = FIRST_RETRY_MS;
    this.set({ state: 'ok' });
  }

  /**
   * A commit failed: takes the rejection off lmdb-js's hands (its cause promise would otherwise go unhandled and
   * end the process), records the state and answers the StoreError the batch's writes reject with.
   */
  async failed(failure: LmdbCommitFailure): Promise<StoreError> {
    failure.commitError.catch(() => {});
    const cause = await causeOf(failure);
    const free = await freeBytes(this.path);
    const since = this.health.state === 'ok' ? new Date().toISOString() : this.health.since;
    // Failing again while retrying: the next probe waits longer.
    if (this.health.state !== 'ok') this.delay = Math.min(this.delay * 2, MAX_RETRY_MS);
    const details = { retryable: true, cause: cause.message, errno: cause.code, freeBytes: free };
    this.schedule();
    if (NO_ROOM.has(cause.code as string) || (free !== null && free < LOW_SPACE_BYTES)) {
      this.set({ state: 'disk-full', since, freeBytes: free });
      return new StoreError('DISK_FULL', 'The disk is full: nothing was saved. Free some space; the app keeps trying.', details);
    }
    this.set({ state: 'retrying', since, reason: cause.message });
    return new StoreError('COMMIT_FAILED', `Could not save (${cause.message}); nothing was written. Try again.`, details);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.probe().then(
        () => this.committed(),
        (error: unknown) => {
          // A failed commit was recorded by `failed` (the store's commit path calls it); anything else is logged.
          if (isCommitFailure(error)) void this.failed(error);
          else if (!(error instanceof StoreError && error.retryable) && !this.closed) {
            console.error('store health probe failed', error);
          }
        },
      );
    }, this.delay);
    this.timer.unref();
  }

  private set(health: StoreHealth): void {
    const changed = health.state !== this.health.state;
    this.health = health;
    if (changed) this.listeners.forEach((listener) => listener(health));
  }
}
