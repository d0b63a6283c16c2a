/**
 * Waiting for a memo's audio: the store's change feed says when a memo row changed, and a waiter whose memo reached
 * an end (completed, failed, cancelled, or deleted) is answered, as is one whose cloud memo could not reach the
 * service and now waits for it (it is made when the service answers again). One listener serves every waiter.
 */
import type { Memo } from '../../src-shared/schema';
import type { AgentTalkStore } from '../db';

export type Outcome = { memo: Memo; why?: 'waiting-for-cloud' } | { memo: null; why: 'deleted' | 'timeout' };

const ENDS = new Set(['completed', 'failed', 'cancelled']);

export function createCompletions(store: AgentTalkStore) {
  const waiters = new Map<string, Set<() => void>>();
  const stop = store.onChange((entries) => {
    for (const { table, id } of entries) if (table === 'memos') waiters.get(id)?.forEach((check) => check());
  });

  return {
    /** Resolves once the memo has ended, or after `timeoutMs` with `why: 'timeout'` (the memo goes on). */
    wait(memoId: string, timeoutMs: number): Promise<Outcome> {
      return new Promise((resolve) => {
        const checks = waiters.get(memoId) ?? new Set();
        waiters.set(memoId, checks);
        const finish = (outcome: Outcome) => {
          clearTimeout(timer);
          checks.delete(check);
          if (checks.size === 0) waiters.delete(memoId);
          resolve(outcome);
        };
        const check = () => {
          const memo = store.get('memos', memoId);
          if (!memo) finish({ memo: null, why: 'deleted' });
          else if (ENDS.has(memo.status ?? 'completed')) finish({ memo });
          else if (memo.status === 'queued' && store.query('jobs', { memo_id: memoId })[0]?.waiting_for === 'cloud') finish({ memo, why: 'waiting-for-cloud' });
        };
        const timer = setTimeout(() => finish({ memo: null, why: 'timeout' }), timeoutMs);
        timer.unref(); // a waiter never keeps a closing app alive
        checks.add(check);
        check(); // it may have ended before this waiter came
      });
    },
    close: stop,
  };
}

export type Completions = ReturnType<typeof createCompletions>;
