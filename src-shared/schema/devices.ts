/**
 * Version 6: device sync through a shared folder (src-main/services/devices/). What this computer remembers of
 * the other computers, of each travelling row's clock, of each device's share of a day's count, and the change
 * files it has still to write. None of these tables travel.
 */
import { extendTable, index, type RowOf, type TableDef } from './define';
import { updatedAt } from './seed';

/** The other computers writing into the folder (and this one, `is_self`). */
export const syncDevices = {
  name: 'sync_devices',
  primaryKey: 'id',
  columns: {
    id: { type: 'text', notNull: true },
    name: { type: 'text', notNull: true, default: '' },
    is_self: { type: 'boolean', notNull: true, default: false },
    /** The last of its change files applied here (0: none): moved in the transaction that applies one. */
    applied_seq: { type: 'integer', notNull: true, default: 0 },
    /** Its last file seen in the folder, applied or not (what is still to read). */
    seen_seq: { type: 'integer', notNull: true, default: 0 },
    /** How far it says it has read each other device (from its device.json): a device's files it has read go. */
    cursors: { type: 'json' },
    /** When this computer last saw something new from it (this computer's clock). */
    last_heard_at: { type: 'timestamp' },
    created_at: { type: 'timestamp', default: 'now' },
    updated_at: updatedAt,
  },
} as const satisfies TableDef;

/** The clock of each travelling row (`<table>:<row id>`): each field's stamp, and its tombstone once deleted. */
export const syncRows = {
  name: 'sync_rows',
  primaryKey: 'id',
  columns: {
    id: { type: 'text', notNull: true },
    clock: { type: 'json', notNull: true },
    /** A memo's audio as it travels: `{sha256, ext, bytes}`. */
    audio: { type: 'json' },
    /** When the row was deleted here (tombstones are kept at least 90 days). */
    deleted_at: { type: 'timestamp' },
  },
  indexes: [index('idx_sync_rows_deleted_at', 'deleted_at')],
} as const satisfies TableDef;

/** One device's calls on a key on a UTC day; `rate_limits.count` is the sum of a (key, day)'s slots. */
export const syncCounts = {
  name: 'sync_counts',
  primaryKey: 'id',
  columns: {
    id: { type: 'text', notNull: true },
    api_key_id: { type: 'text', notNull: true },
    date: { type: 'text', notNull: true },
    device_id: { type: 'text', notNull: true },
    count: { type: 'integer', notNull: true, default: 0 },
  },
  indexes: [index('idx_sync_counts_key_date', 'api_key_id', 'date')],
} as const satisfies TableDef;

/** This device's change files, numbered and stamped in the transaction that read them from the change feed. */
export const syncOutbox = {
  name: 'sync_outbox',
  primaryKey: 'id',
  columns: {
    /** The file number, zero-padded so that the rows list in order. */
    id: { type: 'text', notNull: true },
    seq: { type: 'integer', notNull: true },
    deps: { type: 'json', notNull: true },
    ops: { type: 'json', notNull: true },
    created_at: { type: 'timestamp', default: 'now' },
  },
} as const satisfies TableDef;

export const deviceSyncTables = [syncDevices, syncRows, syncCounts, syncOutbox] as const;

/**
 * Version 13: a device removed from the list (it will never come back: its files are no longer waited for), and
 * where each deletion was written, so that the audio of a memo deleted everywhere can go once every device has
 * read its deletion.
 */
export const deviceRemovalExtensions = {
  sync_devices: {
    columns: {
      /** When the user removed it here (null: in the list). Set back to null if it writes again. */
      removed_at: { type: 'timestamp' },
    },
  },
  sync_rows: {
    columns: {
      /** A deletion's change file: `{device, seq}` (null when only a snapshot brought it). */
      deleted_in: { type: 'json' },
    },
  },
} as const;

/** The device sync tables at the latest schema version. */
export const deviceSyncTablesNow = [extendTable(syncDevices, deviceRemovalExtensions.sync_devices), extendTable(syncRows, deviceRemovalExtensions.sync_rows), syncCounts, syncOutbox] as const;

export type SyncDevice = RowOf<(typeof deviceSyncTablesNow)[0]>;
export type SyncRow = RowOf<(typeof deviceSyncTablesNow)[1]>;
