/** Sync between computers through a shared folder: its settings and its state. */
import { z } from 'zod';
import { args, method, noArgs } from './common';

/** The id of sync between computers among the sync scheduler's sources (`sync.status`'s `sources`). */
export const FOLDER_SOURCE_ID = 'devices';

export const DEVICE_SYNC_STATES = ['off', 'in-step', 'pending', 'unavailable', 'read-only', 'full', 'error'] as const;

export const deviceView = z.object({
  id: z.string(),
  name: z.string(),
  self: z.boolean(),
  /** When this computer last saw something new from it (this computer's clock); null: never. */
  lastHeardAt: z.string().nullable(),
  /** Its files seen in the folder and not applied yet. */
  toRead: z.number(),
});
export type DeviceView = z.infer<typeof deviceView>;

export const deviceSyncStatus = z.object({
  state: z.enum(DEVICE_SYNC_STATES),
  message: z.string().nullable(),
  folder: z.string().nullable(),
  deviceId: z.string().nullable(),
  name: z.string(),
  audio: z.enum(['all', 'when-needed']),
  /** Changes made here not yet written into the folder. */
  toWrite: z.number(),
  /** Other devices' files seen and not applied yet. */
  toRead: z.number(),
  devices: z.array(deviceView),
  /** Conflict copies a carrier made in the folder (ignored). */
  conflicts: z.array(z.string()),
  /** Files or changes that could not be used, with why. */
  problems: z.array(z.string()),
  lastSyncAt: z.string().nullable(),
});
export type DeviceSyncStatus = z.infer<typeof deviceSyncStatus>;

export const deviceSyncSettings = z
  .strictObject({
    /** An absolute path; null turns sync between computers off. */
    folder: z.string().trim().min(1).max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'an absolute path').nullable(),
    name: z.string().trim().min(1).max(100),
    audio: z.enum(['all', 'when-needed']),
  })
  .partial();
export type DeviceSyncSettingsChange = z.infer<typeof deviceSyncSettings>;

export const devicesMethods = {
  'devices.status': method(noArgs, deviceSyncStatus),
  /** Sets the folder (null: off), this computer's name, or which audio to fetch; answers the state after a round. */
  'devices.update': method(args(deviceSyncSettings.shape), deviceSyncStatus),
  /** A round now: write what waits, read what arrived. */
  'devices.syncNow': method(noArgs, deviceSyncStatus),
  /**
   * Removes another computer that will never come back from the list: its files are no longer waited for, and
   * this computer's old files and deleted memos' audio no longer wait for it to read them. It is back if it writes again.
   */
  'devices.remove': method(args({ id: z.uuid() }), deviceSyncStatus),
};
