/** What the header's sync indicator says (pure: tested in plain Node). */
import { FOLDER_SOURCE_ID, type SourceStatus, type SyncStatus } from '../../../src-shared/contract';

/** `just now`, `5 min ago`, `2 h ago`. */
function ago(iso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The computers writing into the sync folder, this one included. */
const computers = (folder: SourceStatus) => plural((folder.devices ?? 0) + 1, 'device');

/** The sync folder's state: in step / N changes to write / folder not available (and what waits for it). */
function folderText(folder: SourceStatus): string {
  switch (folder.state) {
    case 'offline':
      return folder.waiting > 0 ? `Folder not available · ${plural(folder.waiting, 'change')} to write` : 'Folder not available';
    case 'waiting':
      return folder.waiting > 0 ? `${plural(folder.waiting, 'change')} to write` : 'Reading other devices’ changes';
    default:
      return `In step · ${computers(folder)}`;
  }
}

/** The cloud account's state (and the combined counts). */
function cloudText(status: SyncStatus, now: number): string {
  switch (status.state) {
    case 'sign-in':
      return 'Sign in again';
    case 'offline':
      return status.waiting > 0 ? `Offline · ${status.waiting} waiting` : 'Offline';
    case 'waiting':
      return `${plural(status.waiting, 'change')} waiting`;
    case 'not-offered':
      return 'Not offered by this service';
    case 'synced':
      return status.lastSyncedAt ? `Synced ${ago(status.lastSyncedAt, now)}` : 'Synced';
    default:
      return 'Not signed in';
  }
}

/**
 * One short phrase for the most pressing state of all sync sources: the cloud account's, or the sync folder's
 * when it is the folder that is behind or not available; when all is well, with how many devices share the folder.
 */
export function indicatorText(status: SyncStatus, now: number): string {
  if (status.running && status.state !== 'sign-in') return 'Syncing…';
  const folder = status.sources.find((s) => s.id === FOLDER_SOURCE_ID && s.state !== 'unlinked');
  if (!folder) return cloudText(status, now);
  const cloud = status.sources.filter((s) => s.id !== FOLDER_SOURCE_ID && s.state !== 'unlinked');
  if (cloud.length === 0 || (folder.state === status.state && !cloud.some((s) => s.state === status.state))) return folderText(folder);
  const text = cloudText(status, now);
  return status.state === 'synced' ? `${text} · ${computers(folder)}` : text;
}
