/** Usage logs: written where things happen (inside their transactions), read by the usage screen. */
import type { Transaction } from '../db';
import type { AgentTalkStore } from '../db';
import type { tables, UsageLog } from '../../src-shared/schema';
import type { USAGE_ACTIONS } from '../../src-shared/schema';

export type UsageAction = (typeof USAGE_ACTIONS)[number];

export interface UsageEntry {
  userId: string;
  apiKeyId?: string | null;
  action: UsageAction;
  metadata?: Record<string, unknown>;
}

export function recordUsage(tx: Transaction<typeof tables>, entry: UsageEntry): UsageLog {
  return tx.insert('usage_logs', {
    user_id: entry.userId,
    api_key_id: entry.apiKeyId ?? null,
    action: entry.action,
    metadata: entry.metadata ?? {},
  });
}

export interface UsageFilter {
  action?: UsageAction;
  /** ISO 8601 UTC bounds: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export function createUsageService(store: AgentTalkStore) {
  return {
    /** A user's log, newest first, through the (user_id, created_at) index; the action is filtered on the way. */
    list(userId: string, filter: UsageFilter = {}): UsageLog[] {
      const created_at = filter.from || filter.to ? { ...(filter.from && { gte: filter.from }), ...(filter.to && { lt: filter.to }) } : undefined;
      return store.query(
        'usage_logs',
        { user_id: userId, ...(created_at && { created_at }), ...(filter.action && { action: filter.action }) },
        { orderBy: 'created_at', order: 'desc', limit: filter.limit ?? 100, offset: filter.offset ?? 0 },
      );
    },
  };
}
