/** What device sync keeps beside the rows (its settings entries and per-row clocks), read and written in a transaction. */
import type { tables } from '../../../src-shared/schema';
import type { FieldValue, RowClock } from '../../../src-shared/sync/merge';
import { AUDIO_FIELD, PROFILE_ROW_ID, TABLE_RULES, type SyncedTable } from '../../../src-shared/sync/tables';
import type { Transaction, TypedReader } from '../../db';
import { isServiceAudioUrl } from '../service-audio';

export type Tx = Transaction<typeof tables>;
export type Reader = TypedReader<typeof tables>;

/** Change feed entries written by device sync carry this origin, so they are never sent back out. */
export const ORIGIN = 'device-sync';

/** The memo audio as it travels: a content-addressed file in some device's `blobs/`. */
export interface AudioRef {
  sha256: string;
  ext: 'wav' | 'mp3';
  bytes: number;
}

/** This computer's part in device sync (the `settings` entry `device_sync`). */
export interface DeviceSyncSettings {
  deviceId: string;
  name: string;
  /** The folder chosen; null when sync between computers is off. */
  folder: string | null;
  /** Fetch every memo's audio as it arrives, or only when a memo is played. */
  audio: 'all' | 'when-needed';
}

/** Where this device's own numbering stands (the `settings` entry `device_sync_clock`). */
export interface DeviceSyncClock {
  /** The latest clock stamp this device made or saw. */
  hlc: string | null;
  /** The last change feed entry turned into changes to send. */
  feedSeq: number;
  /** The number of the next change file. */
  nextSeq: number;
  /** The last change file written into the folder. */
  writtenSeq: number;
  /** The own file number of the latest snapshot written. */
  snapshotSeq: number;
}

export const SETTINGS_KEY = 'device_sync';
export const CLOCK_KEY = 'device_sync_clock';
const PROFILE_SETTING = 'profile_user_id';

export function upsert<N extends 'settings' | 'sync_rows' | 'sync_counts' | 'sync_devices'>(tx: Tx, table: N, id: string, values: Record<string, unknown>): void {
  const key = table === 'settings' ? 'key' : 'id';
  if (tx.get(table, id)) tx.update(table, id, values as never);
  else tx.insert(table, { [key]: id, ...values } as never);
}

export function readClock(reader: Reader): DeviceSyncClock | undefined {
  return reader.get('settings', CLOCK_KEY)?.value as DeviceSyncClock | undefined;
}

export function readSettings(reader: Reader): DeviceSyncSettings | undefined {
  return reader.get('settings', SETTINGS_KEY)?.value as DeviceSyncSettings | undefined;
}

export function profileUserId(reader: Reader): string | undefined {
  const id = reader.get('settings', PROFILE_SETTING)?.value;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Whether a key is the cloud account's (api_keys.origin = 'cloud', see migration 10): cloud keys come from the
 * cloud sync on every computer and never travel through the folder, nor does a local id of one.
 */
export function isCloudKey(reader: Reader, id: unknown): boolean {
  return typeof id === 'string' && reader.get('api_keys', id)?.origin === 'cloud';
}

/** A row's values as they may travel: a reference to a cloud key becomes none (it means nothing elsewhere). */
export function withoutCloudKey<T extends Record<string, unknown>>(reader: Reader, values: T): T {
  return 'api_key_id' in values && isCloudKey(reader, values.api_key_id) ? { ...values, api_key_id: null } : values;
}

/** The `sync_rows` id of a travelling row: the profile's user travels under one id on every computer. */
export const metaId = (table: SyncedTable, id: string) => `${table}:${id}`;

/** The local row a travelling id names. */
export const localId = (table: SyncedTable, id: string, profile: string) => (table === 'users' ? profile : id);
export const travellingId = (table: SyncedTable, id: string) => (table === 'users' ? PROFILE_ROW_ID : id);

export interface RowMeta {
  clock: RowClock;
  audio: AudioRef | null;
}

export function readMeta(reader: Reader, table: SyncedTable, id: string): RowMeta | undefined {
  const row = reader.get('sync_rows', metaId(table, id));
  return row ? { clock: row.clock as RowClock, audio: (row.audio as AudioRef | null) ?? null } : undefined;
}

/**
 * A memo's audio still on the service (an imported memo not yet played here), as it travels: its address there, so
 * that the computer it reaches fetches it from the service on first play. Never kept in `sync_rows.audio` (which
 * holds blobs only): it is the memo's own `audio_url`.
 */
export interface ServiceAudioRef {
  url: string;
}

/** A memo's `audio` value as it travels: a blob, the audio's address on the service, or none. */
export type TravellingAudio = AudioRef | ServiceAudioRef | null;

export const isServiceAudioRef = (value: unknown): value is ServiceAudioRef =>
  typeof value === 'object' && value !== null && typeof (value as ServiceAudioRef).url === 'string' && !('sha256' in value);

/** The service reference of a memo whose `audio_url` is the service's, or null. */
export function serviceAudioOf(row: Record<string, unknown>): ServiceAudioRef | null {
  return typeof row.audio_url === 'string' && isServiceAudioUrl(row.audio_url) ? { url: row.audio_url } : null;
}

/** A row's travelling values: its columns that travel, and a memo's audio (its blob, else its service address). */
export function travelling(table: SyncedTable, row: Record<string, unknown>, audio: AudioRef | null): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  for (const field of TABLE_RULES[table].fields) {
    if (field === AUDIO_FIELD) values[field] = (audio ?? serviceAudioOf(row)) as FieldValue;
    else if (field in row) values[field] = row[field] as FieldValue;
  }
  return values;
}
