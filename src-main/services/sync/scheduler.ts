/**
 * When sync runs, for every sync source of the profile (the cloud account here; folder sync between computers can
 * register a second): every `intervalMinutes`, on "Sync now", after sign-in and on reconnect. One run at a time:
 * a request while one runs makes one more run after it. A run a source could not finish (no answer, the service
 * busy) is retried after a full-jitter backoff from 1 s doubling to 5 min, never sooner than the service's
 * Retry-After; the interval applies again after a run that went through.
 *
 * A source is small:
 *   interface SyncSource { id; label; run({ force }): Promise<SourceOutcome>; status(): SourceStatus }
 * `run` never throws (a failure is an outcome); `force` is "Sync now": recheck what was found not offered.
 * `status()` is cheap (read from the store). The indicator shows the worst state of all sources (see `combine`),
 * and `onStatus` listeners hear of every change: a run starting or ending, or `changed()` called by a source
 * whose waiting count moved.
 */
import type { SourceStatus, SyncState, SyncStatus } from '../../../src-shared/contract/sync';

export type SourceOutcome =
  | { ok: true }
  /** `backoff`: try again soon (after `retryAfterMs` at the least); `wait`: only at the next interval or on demand. */
  | { ok: false; retry: 'backoff' | 'wait'; retryAfterMs?: number | null };

export interface SyncSource {
  readonly id: string;
  readonly label: string;
  run(options: { force: boolean }): Promise<SourceOutcome>;
  status(): SourceStatus;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SchedulerOptions {
  intervalMinutes: () => number;
  clock?: () => Date;
  random?: () => number;
  timers?: Timers;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Worst first: what the indicator shows when sources disagree. */
const SEVERITY: readonly SyncState[] = ['sign-in', 'offline', 'syncing', 'waiting', 'not-offered', 'synced', 'unlinked'];

/** The indicator's state over all sources: the most pressing one; its message and the oldest last sync. */
export function combine(sources: readonly SourceStatus[]): Pick<SyncStatus, 'state' | 'lastSyncedAt' | 'waiting' | 'message'> {
  const worst = [...sources].sort((a, b) => SEVERITY.indexOf(a.state) - SEVERITY.indexOf(b.state))[0];
  const synced = sources.map((s) => s.lastSyncedAt).filter((at): at is string => at !== null).sort();
  return { state: worst?.state ?? 'unlinked', message: worst?.message ?? null, waiting: sources.reduce((n, s) => n + s.waiting, 0), lastSyncedAt: synced[0] ?? null };
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createSyncScheduler({ intervalMinutes, clock = () => new Date(), random = Math.random, timers = defaultTimers, minBackoffMs = 1_000, maxBackoffMs = 300_000 }: SchedulerOptions) {
  const sources: SyncSource[] = [];
  const listeners = new Set<() => void>();
  let running: Promise<void> | null = null;
  let again: { force: boolean } | null = null;
  let failures = 0;
  let timer: unknown = null;
  let nextRunAt: Date | null = null;
  let started = false;

  const tell = () => {
    for (const listener of listeners) listener();
  };

  function plan(delayMs: number): void {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    nextRunAt = null;
    if (!started) return;
    nextRunAt = new Date(clock().getTime() + delayMs);
    timer = timers.setTimeout(() => {
      timer = null;
      void request(false);
    }, delayMs);
  }

  async function runOnce(force: boolean): Promise<void> {
    tell();
    let backoff: number | null = null;
    for (const source of sources) {
      let outcome: SourceOutcome;
      try {
        outcome = await source.run({ force });
      } catch (error) {
        console.error(`sync source ${source.id} failed`, error);
        outcome = { ok: false, retry: 'backoff' };
      }
      if (!outcome.ok && outcome.retry === 'backoff') backoff = Math.max(backoff ?? 0, outcome.retryAfterMs ?? 0);
    }
    if (backoff === null) {
      failures = 0;
      plan(intervalMinutes() * 60_000);
    } else {
      failures++;
      // Full jitter: anywhere from nothing to the doubled step, but never before the service's Retry-After.
      const step = Math.min(maxBackoffMs, minBackoffMs * 2 ** (failures - 1));
      plan(Math.max(backoff, minBackoffMs, random() * step));
    }
  }

  /** Runs now, or once more after the run in progress; resolves when the run that covers this request is done. */
  function request(force: boolean): Promise<void> {
    if (running) {
      again = { force: force || (again?.force ?? false) };
      return running; // the run in progress makes the one asked for before it ends
    }
    running = (async () => {
      try {
        await runOnce(force);
        while (again) {
          const next = again;
          again = null;
          await runOnce(next.force);
        }
      } finally {
        running = null;
        tell();
      }
    })();
    return running;
  }

  return {
    /** Adds a source; answers the function that removes it. */
    register(source: SyncSource): () => void {
      sources.push(source);
      tell();
      return () => {
        sources.splice(sources.indexOf(source), 1);
        tell();
      };
    },
    /** "Sync now": runs every source, rechecking what was not offered; resolves once done. */
    syncNow: () => request(true),
    /** A reason to sync soon (sign-in, reconnect, a change made): runs now, backoff reset; nothing before `start`. */
    trigger(): void {
      if (!started) return;
      failures = 0;
      void request(false);
    },
    /** Starts the periodic runs with one now. */
    start(): void {
      started = true;
      void request(false);
    },
    /** Stops planning runs; resolves once a run in progress is done. */
    async stop(): Promise<void> {
      started = false;
      plan(0);
      again = null;
      await running;
    },
    /** The interval changed: the next periodic run is planned from now. */
    replan(): void {
      if (!running && failures === 0) plan(intervalMinutes() * 60_000);
      tell();
    },
    changed: tell,
    status(): { sources: SourceStatus[]; running: boolean; nextRunAt: string | null } {
      return { sources: sources.map((s) => s.status()), running: running !== null, nextRunAt: nextRunAt?.toISOString() ?? null };
    },
    onStatus(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SyncScheduler = ReturnType<typeof createSyncScheduler>;
