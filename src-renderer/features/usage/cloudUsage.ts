/** Whether the Usage screen can show the cloud account's days beside this computer's, and what to say if not. */
import type { SyncStatus } from '../../../src-shared/contract';

export type CloudUsageView =
  /** The account's days as last pulled; `note` says when the last pull failed (the numbers may be older). */
  | { show: true; note: string | null }
  | { show: false; note: string; reason: string | null };

export function cloudUsageView(status: SyncStatus | null): CloudUsageView {
  const source = status?.sources.find((s) => s.id === 'cloud');
  if (!status || !source || source.state === 'unlinked') {
    return { show: false, note: 'Cloud account: not linked. Sign in under Settings → Cloud account to see its calls per day beside this computer’s.', reason: null };
  }
  const usage = status.capabilities.find((c) => c.id === 'usage');
  switch (usage?.state) {
    case 'not-offered':
      return { show: false, note: 'Cloud account: daily usage is not offered by this service yet.', reason: usage.reason };
    case 'ok':
      return { show: true, note: null };
    case 'failed':
      return { show: true, note: `Cloud account: the last pull of its daily usage failed${usage.reason ? ` (${usage.reason})` : ''}; these are the numbers pulled before.` };
    default:
      return { show: false, note: 'Cloud account: its daily usage has not been pulled yet; it shows after the next sync.', reason: null };
  }
}
