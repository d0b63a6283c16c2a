/**
 * The durable job queue. A worker claims a job in a write transaction (status processing, its worker id, a
 * lease until `locked_until`) and renews the lease while it works. A job whose worker died (a crash, a killed
 * process) is claimed again once its lease has passed; a quit hands running jobs back at once. Failures retry
 * with exponential backoff up to `max_retries`, then fail for good; cancelling aborts the work in flight. A failure
 * that only says something outside is missing (the cloud unreachable: `waitFor`) spends no retry: the job waits,
 * queued but not claimed, until `release` says what it waited for is back.
 */
import { randomUUID } from 'node:crypto';
import type { Job, JOB_WAITS, tables } from '../../../src-shared/schema';
import { StoreError, type AgentTalkStore, type Transaction } from '../../db';
import type { ErrorCode } from '../../../src-shared/contract/result';
import { ServiceError } from '../errors';
import type { Clock } from '../time';

export interface JobContext {
  /** Aborted when the job is cancelled or the queue stops. */
  signal: AbortSignal;
}

/** A job's last step, applied in the transaction that completes the job, and only while the job is still ours. */
export type CommitStep = (tx: Transaction<typeof tables>) => void;

export interface JobHandlers {
  /**
   * Does the job's work; resolving completes it, with the commit step it resolves with (if any) in the same
   * transaction, so a crash never leaves the work committed and the job not, or the reverse. It must be safe to run
   * again after a crash (its effects outside the store, such as files, must be repeatable).
   */
  run(job: Job, context: JobContext): Promise<CommitStep | void>;
  /**
   * Called inside the transaction that settles a job: failed for good (after its last retry, or at once when
   * permanent), cancelled, or set waiting (see `waitFor`). A failure or a wait comes with its message and its kind
   * (a ServiceError's code; null for anything else).
   */
  settle(tx: Transaction<typeof tables>, job: Job, outcome: 'failed' | 'cancelled' | 'waiting', failure: { message: string; code: ErrorCode | null } | null): void;
}

export type JobWait = (typeof JOB_WAITS)[number];

export interface JobQueueOptions {
  store: AgentTalkStore;
  clock: Clock;
  handlers: JobHandlers;
  /** How many jobs run at once. */
  concurrency: () => number;
  leaseMs?: number;
  /** The first retry's delay; each further one doubles it. */
  backoffMs?: number;
  /** Failures that another try cannot mend (a revoked key, a bad voice): they fail the job at once. */
  isPermanent?: (error: unknown) => boolean;
  /** Failures that mean "wait for this" rather than "try again": the job waits, its retries unspent. */
  waitFor?: (error: unknown) => JobWait | null;
}

export function createJobQueue({ store, clock, handlers, concurrency, leaseMs = 15_000, backoffMs = 1_000, isPermanent = () => false, waitFor = () => null }: JobQueueOptions) {
  const workerId = `${process.pid}:${randomUUID()}`;
  const running = new Map<string, AbortController>();
  const inFlight = new Set<Promise<void>>();
  const cancelled = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let pumping: Promise<void> | undefined;
  const later = (ms: number) => new Date(clock().getTime() + ms).toISOString();

  /** The next job to run: queued and due, or processing with a lapsed lease; highest priority, then oldest. */
  function next(tx: Pick<Transaction<typeof tables>, 'query'>): Job | undefined {
    const now = clock().toISOString();
    const due = tx.query('jobs', { status: 'queued' }, { orderBy: 'created_at' }).filter((j) => !j.waiting_for && (!j.run_after || j.run_after <= now));
    // A lapsed lease of a job this process still runs (the clock jumped: a laptop woke up) is renewed, not taken.
    const orphaned = tx.query('jobs', { status: 'processing' }).filter((j) => (!j.locked_until || j.locked_until <= now) && !running.has(j.id));
    return [...due, ...orphaned].sort((a, b) => b.priority - a.priority)[0];
  }

  async function claim(): Promise<Job | undefined> {
    // Looked for with a read first: a claim that finds nothing (every poll, every job's end) takes no write
    // transaction. A job that becomes due meanwhile wakes the queue itself (enqueue's caller, retry, release).
    if (!next(store)) return undefined;
    return store.transaction((tx) => {
      const job = next(tx);
      if (!job) return undefined;
      return tx.update('jobs', job.id, {
        status: 'processing',
        worker_id: workerId,
        locked_until: later(leaseMs),
        started_at: job.started_at ?? clock().toISOString(),
      });
    });
  }

  async function finish(job: Job, error: unknown, commit: CommitStep | void): Promise<void> {
    const wasCancelled = cancelled.delete(job.id);
    await store.transaction((tx) => {
      const current = tx.get('jobs', job.id);
      // Gone (its memo deleted) or taken over by another worker after our lease lapsed: not ours to settle.
      if (!current || current.worker_id !== workerId || current.status !== 'processing') return;
      const at = clock().toISOString();
      if (error === undefined) {
        commit?.(tx);
        tx.update('jobs', job.id, { status: 'completed', locked_until: null, error: null, completed_at: at });
      } else if (wasCancelled) {
        const done = tx.update('jobs', job.id, { status: 'cancelled', locked_until: null, completed_at: at });
        handlers.settle(tx, done, 'cancelled', null);
      } else if (stopped) {
        tx.update('jobs', job.id, { status: 'queued', worker_id: null, locked_until: null }); // a quit hands it back
      } else {
        failOrRetry(tx, current, error, at);
      }
    });
  }

  function failOrRetry(tx: Transaction<typeof tables>, current: Job, error: unknown, at: string): void {
    // The message is shown to the user: a ServiceError's is written for them; anything else goes to the log.
    if (!(error instanceof ServiceError)) console.error(`job ${current.id} failed:`, error);
    const message = error instanceof ServiceError ? error.message : 'Something went wrong while making this memo.';
    const code = error instanceof ServiceError ? error.code : null;
    const wait = waitFor(error);
    if (wait) {
      const waiting = tx.update('jobs', current.id, { status: 'queued', waiting_for: wait, worker_id: null, locked_until: null, error: message });
      handlers.settle(tx, waiting, 'waiting', { message, code });
    } else if (current.retry_count < current.max_retries && !isPermanent(error)) {
      tx.update('jobs', current.id, {
        status: 'queued',
        retry_count: current.retry_count + 1,
        run_after: later(backoffMs * 2 ** current.retry_count),
        worker_id: null,
        locked_until: null,
        error: message,
      });
    } else {
      const failed = tx.update('jobs', current.id, { status: 'failed', locked_until: null, error: message, completed_at: at });
      handlers.settle(tx, failed, 'failed', { message, code });
    }
  }

  async function work(job: Job): Promise<void> {
    const controller = new AbortController();
    running.set(job.id, controller);
    // Renew the lease while the job is still ours; if it is not (cancelled elsewhere, taken over), stop working.
    const renew = setInterval(() => {
      void store
        .transaction((tx) => {
          const current = tx.get('jobs', job.id);
          if (current?.status !== 'processing' || current.worker_id !== workerId) return false;
          tx.update('jobs', job.id, { locked_until: later(leaseMs) });
          return true;
        })
        .then((ours) => ours || controller.abort(), () => controller.abort());
    }, leaseMs / 3);
    let error: unknown;
    let commit: CommitStep | void = undefined;
    try {
      commit = await handlers.run(job, { signal: controller.signal });
    } catch (e) {
      error = e ?? new Error('the job failed');
    } finally {
      clearInterval(renew);
      running.delete(job.id);
    }
    await finish(job, error, commit);
    wake();
  }

  /**
   * A claim or a job's last commit that failed (the store could not save) must not end the process: the job keeps
   * its lease, which lapses, and the job is taken up again; the store's health tells the user meanwhile.
   */
  function survive(error: unknown): void {
    if (!(error instanceof StoreError && error.retryable)) console.error('job queue:', error);
  }

  /** Claims and starts jobs until the concurrency is used up or nothing is due. */
  async function pump(): Promise<void> {
    while (!stopped && running.size < concurrency()) {
      const job = await claim();
      if (!job) return;
      const done = work(job)
        .catch(survive)
        .finally(() => inFlight.delete(done));
      inFlight.add(done);
    }
  }

  function wake(): void {
    if (stopped) return;
    pumping ??= pump()
      .catch(survive)
      .finally(() => (pumping = undefined));
  }

  return {
    workerId,

    /** Adds a job for a memo inside the caller's transaction; the queue picks it up after the commit. */
    enqueue(tx: Transaction<typeof tables>, job: { userId: string; memoId: string; priority?: number }): Job {
      return tx.insert('jobs', { user_id: job.userId, memo_id: job.memoId, priority: job.priority ?? 0 });
    },

    /** Starts working, and looks for due work every `pollMs` (retries waiting out their backoff, lapsed leases). */
    start(pollMs = 1_000): void {
      stopped = false;
      timer = setInterval(wake, pollMs);
      wake();
    },

    wake,

    /** Cancels a queued or running job; a finished one is refused. */
    async cancel(jobId: string): Promise<void> {
      const controller = running.get(jobId);
      if (controller) {
        cancelled.add(jobId);
        controller.abort();
        return;
      }
      await store.transaction((tx) => {
        const job = tx.get('jobs', jobId);
        if (!job) throw new ServiceError('NOT_FOUND', 'That job does not exist.');
        if (job.status !== 'queued' && job.status !== 'processing') {
          throw new ServiceError('CONFLICT', `That job is ${job.status} already.`);
        }
        const done = tx.update('jobs', jobId, { status: 'cancelled', locked_until: null, waiting_for: null, completed_at: clock().toISOString() });
        handlers.settle(tx, done, 'cancelled', null);
      });
    },

    /** Queues a failed or cancelled job again, with its retries counted afresh (inside the caller's transaction). */
    retry(tx: Transaction<typeof tables>, jobId: string): Job {
      const job = tx.get('jobs', jobId);
      if (!job) throw new ServiceError('NOT_FOUND', 'That job does not exist.');
      if (job.status !== 'failed' && job.status !== 'cancelled') throw new ServiceError('CONFLICT', `That job is ${job.status}.`);
      return tx.update('jobs', jobId, { status: 'queued', retry_count: 0, run_after: null, worker_id: null, locked_until: null, waiting_for: null, error: null, completed_at: null });
    },

    /** How many jobs wait for `what`. */
    waiting(what: JobWait): number {
      return store.query('jobs', { status: 'queued' }).filter((j) => j.waiting_for === what).length;
    },

    /** What the waiting jobs waited for is back: they are due again (their retries unspent). Answers how many. */
    async release(what: JobWait): Promise<number> {
      if (this.waiting(what) === 0) return 0;
      const released = await store.transaction((tx) => {
        const waiting = tx.query('jobs', { status: 'queued' }).filter((j) => j.waiting_for === what);
        for (const job of waiting) tx.update('jobs', job.id, { waiting_for: null, run_after: null });
        return waiting.length;
      });
      wake();
      return released;
    },

    /** Stops claiming, aborts what runs and hands it back to the queue; resolves when all of it is settled. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await pumping;
      running.forEach((controller) => controller.abort());
      await Promise.all(inFlight);
    },
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;
