/**
 * The durable outbox of cloud key changes: one `sync_outbox` row per change, written in the transaction that makes
 * the change here, so a quit or a crash can never keep one without the other. Entries are replayed in `seq` order;
 * a finished one is deleted, a refused one kept as `failed` (the user is told).
 */
import type { OutboxEntry, tables } from '../../../src-shared/schema';
import type { AgentTalkStore, Transaction } from '../../db';

type Tx = Transaction<typeof tables>;

export type OutboxOp = OutboxEntry['op'];

export interface CreatePayload {
  name: string;
  test: boolean;
  /** The service's ids of keys with this name just before the create was sent (set with `sent_at`). */
  before?: string[];
}

/** Appends a change to the outbox, after every change already in it. */
export function enqueue(tx: Tx, entry: { userId: string; op: OutboxOp; keyId: string; payload?: Record<string, unknown> }): OutboxEntry {
  const last = tx.list('sync_outbox', { orderBy: 'seq', order: 'desc', limit: 1 })[0];
  return tx.insert('sync_outbox', { seq: (last?.seq ?? 0) + 1, user_id: entry.userId, op: entry.op, key_id: entry.keyId, payload: entry.payload ?? null });
}

/** The changes still to push, oldest first. */
export const pendingEntries = (store: Pick<AgentTalkStore, 'query'>, limit?: number): OutboxEntry[] =>
  store.query('sync_outbox', { status: 'pending' }, { orderBy: 'seq', ...(limit !== undefined && { limit }) });

export const pendingCount = (store: Pick<AgentTalkStore, 'count'>): number => store.count('sync_outbox', { status: 'pending' });

/** Whether a change to this key waits to be pushed (a pull then keeps what was changed here). */
export const hasPending = (tx: Pick<Tx, 'query'>, keyId: string, op?: OutboxOp): boolean =>
  tx.query('sync_outbox', { key_id: keyId }).some((e) => e.status === 'pending' && (op === undefined || e.op === op));
