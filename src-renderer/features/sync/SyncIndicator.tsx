import { useEffect } from 'react';
import { useNav } from '../../stores/nav';
import { useSync } from '../../stores';
import { useNow } from '../usage/useNow';
import { indicatorText } from './indicator-text';

export { indicatorText };

/** Always visible in the header; opens Settings, where the Cloud account and Sync between computers panels have the detail. */
export function SyncIndicator() {
  const { status, load } = useSync();
  const go = useNav((s) => s.go);
  const now = useNow(30_000);
  useEffect(() => void load(), [load]);
  if (!status) return null;
  return (
    <button type="button" className={`sync-indicator sync-${status.state}`} onClick={() => go('settings')} title={status.message ?? 'Sync'} aria-label={`Sync: ${indicatorText(status, now)}. Open the details in Settings.`}>
      <span className="sync-dot" aria-hidden="true" />
      <span data-testid="sync-indicator">{indicatorText(status, now)}</span>
    </button>
  );
}
