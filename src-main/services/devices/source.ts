/**
 * Sync between computers as a source of the shared sync scheduler (services/sync/scheduler.ts): the scheduler's
 * runs (every interval, "Sync now", sign-in and reconnect) make a folder round, and the header's indicator shows
 * the folder's state beside the cloud account's.
 */
import { FOLDER_SOURCE_ID, type DeviceSyncStatus, type SourceStatus } from '../../../src-shared/contract';
import type { SourceOutcome, SyncSource } from '../sync/scheduler';

const LABEL = 'Sync between computers';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The folder's state as the indicator takes it: in step, changes to write or read, the folder not available. */
export function folderSourceStatus(status: DeviceSyncStatus): SourceStatus {
  const base = { id: FOLDER_SOURCE_ID, label: LABEL, lastSyncedAt: status.lastSyncAt, waiting: status.toWrite, devices: status.devices.filter((d) => !d.self).length };
  switch (status.state) {
    case 'off':
      return { ...base, state: 'unlinked', message: 'No sync folder chosen.' };
    case 'in-step':
      return { ...base, state: 'synced', message: null };
    case 'pending': {
      const parts = [status.toWrite > 0 && `${plural(status.toWrite, 'change')} to write`, status.toRead > 0 && `${plural(status.toRead, 'file')} to read`].filter(Boolean);
      return { ...base, state: 'waiting', message: `Sync folder: ${parts.join(', ')}.` };
    }
    default:
      return { ...base, state: 'offline', message: `Sync folder not available: ${status.message ?? 'it cannot be used.'}` };
  }
}

export interface FolderRounds {
  run(): Promise<DeviceSyncStatus>;
  status(): DeviceSyncStatus;
}

/** A folder round per scheduler run; a folder that cannot be used waits for the next run (nothing is lost meanwhile). */
export function createFolderSource(devices: FolderRounds): SyncSource {
  return {
    id: FOLDER_SOURCE_ID,
    label: LABEL,
    async run(): Promise<SourceOutcome> {
      const after = await devices.run();
      return ['off', 'in-step', 'pending'].includes(after.state) ? { ok: true } : { ok: false, retry: 'wait' };
    },
    status: () => folderSourceStatus(devices.status()),
  };
}
