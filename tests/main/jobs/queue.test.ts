import { describe, expect, it, vi } from 'vitest';
import type { Job } from '../../../src-shared/schema';
import { StoreError } from '../../../src-main/db';
import { createJobQueue, type JobHandlers } from '../../../src-main/services/jobs/queue';
import { openAgentTalk } from '../db/helpers';

/** A store with a user and `n` queued memos with their jobs, and a queue whose work the test controls. */
async function setup(n: number, run: JobHandlers['run'], options: { concurrency?: number; leaseMs?: number } = {}) {
  const store = await openAgentTalk();
  const settled: [string, string, string | null, string | null][] = [];
  const queue = createJobQueue({
    store,
    clock: () => new Date(),
    concurrency: () => options.concurrency ?? 1,
    leaseMs: options.leaseMs ?? 15_000,
    backoffMs: 5,
    handlers: { run, settle: (_tx, job, outcome, failure) => settled.push([job.memo_id, outcome, failure?.message ?? null, failure?.code ?? null]) },
  });
  const user = await store.insert('users', { email: 'ada@example.com' });
  const jobs = await store.transaction((tx) =>
    Array.from({ length: n }, (_, i) => {
      const memo = tx.insert('memos', { user_id: user.id, audio_url: '', duration_sec: 0, status: 'queued', text: `memo ${i}` });
      return queue.enqueue(tx, { userId: user.id, memoId: memo.id, priority: i === n - 1 ? 5 : 0 });
    }),
  );
  const status = () => store.list('jobs', { orderBy: 'created_at' }).map((j) => j.status);
  return { store, queue, jobs, settled, status };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('job queue', () => {
  it('runs jobs one at a time under a concurrency of 1, the highest priority first, then completes them', async () => {
    const order: string[] = [];
    let active = 0;
    let most = 0;
    const s = await setup(3, async (job) => {
      most = Math.max(most, ++active);
      order.push(job.id);
      await new Promise((r) => setTimeout(r, 20));
      active--;
    });
    s.queue.start(20);
    await until(() => s.status().every((x) => x === 'completed'));
    await s.queue.stop();
    expect(most).toBe(1);
    expect(order[0]).toBe(s.jobs[2]!.id);
    expect(s.store.get('jobs', s.jobs[0]!.id)).toMatchObject({ worker_id: s.queue.workerId, locked_until: null, error: null, completed_at: expect.any(String) });
  });

  it('retries a failing job with backoff, then fails it for good and settles its memo with a message for the user', async () => {
    let attempts = 0;
    const s = await setup(1, async () => {
      attempts++;
      throw new Error('EIO: i/o error, write'); // no ServiceError: its words are the log's, not the user's
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    s.queue.start(10);
    await until(() => s.status()[0] === 'failed');
    await s.queue.stop();
    expect(attempts).toBe(4); // the first try and max_retries (3) more
    const message = 'Something went wrong while making this memo.';
    expect(s.store.get('jobs', s.jobs[0]!.id)).toMatchObject({ retry_count: 3, error: message });
    expect(s.settled).toEqual([[s.jobs[0]!.memo_id, 'failed', message, null]]);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^job .* failed:$/), expect.objectContaining({ message: 'EIO: i/o error, write' }));
    logged.mockRestore();

    const again = await s.store.transaction((tx) => s.queue.retry(tx, s.jobs[0]!.id));
    expect(again).toMatchObject({ status: 'queued', retry_count: 0, error: null });
  });

  it('cancels a queued job and a running one (its work is aborted)', async () => {
    let aborted = false;
    const s = await setup(2, (_job, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted'))))));
    s.queue.start(10);
    const running = s.jobs[1]!; // the higher priority one starts first
    await until(() => s.store.get('jobs', running.id)!.status === 'processing');
    await s.queue.cancel(s.jobs[0]!.id);
    await s.queue.cancel(running.id);
    await until(() => s.status().every((x) => x === 'cancelled'));
    expect(aborted).toBe(true);
    expect(s.settled.map(([, outcome]) => outcome)).toEqual(['cancelled', 'cancelled']);
    await expect(s.queue.cancel(running.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await s.queue.stop();
  });

  it('hands running jobs back on stop, and takes over a job whose worker died once its lease lapsed', async () => {
    const s = await setup(1, (_job, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))));
    s.queue.start(10);
    await until(() => s.status()[0] === 'processing');
    await s.queue.stop();
    expect(s.store.get('jobs', s.jobs[0]!.id)).toMatchObject({ status: 'queued', locked_until: null, retry_count: 0 });

    // A worker that died holding the job: its lease runs out, and another worker takes the job up.
    await s.store.update('jobs', s.jobs[0]!.id, { status: 'processing', worker_id: 'dead', locked_until: new Date(Date.now() + 200).toISOString() });
    const ran: Job[] = [];
    const other = createJobQueue({ store: s.store, clock: () => new Date(), concurrency: () => 1, handlers: { run: async (job) => void ran.push(job), settle: () => {} } });
    other.start(20);
    await until(() => s.status()[0] === 'completed');
    await other.stop();
    expect(ran).toHaveLength(1);
    expect(s.store.get('jobs', s.jobs[0]!.id)!.worker_id).toBe(other.workerId);
  });

  it('survives commits that fail under it (an injected fault: the store could not save), and does the job once saving works', async () => {
    const s = await setup(1, async () => {});
    // Injected fault: the next six commits fail as lmdb-js's failed batches do, then the store saves again.
    const transaction = s.store.transaction.bind(s.store);
    let failing = 6;
    s.store.transaction = ((fn: Parameters<typeof transaction>[0]) => {
      if (failing-- > 0) return Promise.reject(new StoreError('COMMIT_FAILED', 'Could not save (injected); nothing was written.', { retryable: true }));
      return transaction(fn);
    }) as typeof s.store.transaction;
    s.queue.start(10);
    await until(() => s.status().every((x) => x === 'completed'));
    await s.queue.stop();
    expect(failing).toBeLessThan(0);
    expect(s.store.get('jobs', s.jobs[0]!.id)).toMatchObject({ status: 'completed', locked_until: null, error: null });
  });
});
