/**
 * The durable outbox of cloud key changes: one `cloud_outbox` row per change, written in the transaction that makes
 * the change here, so a quit or a crash can never keep one without the other. Entries are replayed in `seq` order;
 * a finished one is deleted (a create kept a while as `done`, see push.ts), a refused one kept as `failed` (the user
 * is told).
 */
import type { CloudOutboxEntry, tables } from '../../../src-shared/schema';
import type { AgentTalkStore, Transaction } from '../../db';

type Tx = Transaction<typeof tables>;

export type OutboxOp = CloudOutboxEntry['op'];

export interface CreatePayload {
  name: string;
  test: boolean;
  /** The name the create was sent with (set with `sent_at`): unique to the entry, so its key is found by it. */
  sentName?: string;
  /** The service's id of the key, once made (the entry then only names it). */
  createdId?: string;
  /** From older versions, which sent the user's name: the service's ids of keys with it just before the create. */
  before?: string[];
}

/** Appends a change to the outbox, after every change already in it. */
export function enqueue(tx: Tx, entry: { userId: string; op: OutboxOp; keyId: string; payload?: Record<string, unknown> }): CloudOutboxEntry {
  const last = tx.list('cloud_outbox', { orderBy: 'seq', order: 'desc', limit: 1 })[0];
  return tx.insert('cloud_outbox', { seq: (last?.seq ?? 0) + 1, user_id: entry.userId, op: entry.op, key_id: entry.keyId, payload: entry.payload ?? null });
}

/** The changes still to push, oldest first. */
export const pendingEntries = (store: Pick<AgentTalkStore, 'query'>, limit?: number): CloudOutboxEntry[] =>
  store.query('cloud_outbox', { status: 'pending' }, { orderBy: 'seq', ...(limit !== undefined && { limit }) });

export const pendingCount = (store: Pick<AgentTalkStore, 'count'>): number => store.count('cloud_outbox', { status: 'pending' });

/** Whether a change to this key waits to be pushed (a pull then keeps what was changed here). */
export const hasPending = (tx: Pick<Tx, 'query'>, keyId: string, op?: OutboxOp): boolean =>
  tx.query('cloud_outbox', { key_id: keyId }).some((e) => e.status === 'pending' && (op === undefined || e.op === op));
