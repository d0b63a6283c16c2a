import { useEffect } from 'react';
import type { SyncStatus } from '../../../src-shared/contract';
import { useNav } from '../../stores/nav';
import { useSync } from '../../stores';
import { useNow } from '../usage/useNow';

/** `just now`, `5 min ago`, `2 h ago`. */
function ago(iso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

/** What the indicator says: one short phrase for the most pressing state of all sync sources. */
export function indicatorText(status: SyncStatus, now: number): string {
  if (status.running && status.state !== 'sign-in') return 'Syncing…';
  switch (status.state) {
    case 'sign-in':
      return 'Sign in again';
    case 'offline':
      return status.waiting > 0 ? `Offline · ${status.waiting} waiting` : 'Offline';
    case 'waiting':
      return `${status.waiting} change${status.waiting === 1 ? '' : 's'} waiting`;
    case 'not-offered':
      return 'Not offered by this service';
    case 'synced':
      return status.lastSyncedAt ? `Synced ${ago(status.lastSyncedAt, now)}` : 'Synced';
    default:
      return 'Not signed in';
  }
}

/** Always visible in the header; opens Settings, where the Cloud account panel has the detail. */
export function SyncIndicator() {
  const { status, load } = useSync();
  const go = useNav((s) => s.go);
  const now = useNow(30_000);
  useEffect(() => void load(), [load]);
  if (!status) return null;
  return (
    <button type="button" className={`sync-indicator sync-${status.state}`} onClick={() => go('settings')} title={status.message ?? 'Cloud sync'} aria-label={`Cloud sync: ${indicatorText(status, now)}. Open the details in Settings.`}>
      <span className="sync-dot" aria-hidden="true" />
      <span data-testid="sync-indicator">{indicatorText(status, now)}</span>
    </button>
  );
}
