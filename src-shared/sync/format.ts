/**
 * The synced folder's file format (written down for other implementations in docs/device-sync-format.md).
 * Every file is UTF-8 text: a JSON body, a newline, then `sha256 <hex of the body's bytes>` and a newline. A file
 * the carrier is still copying (cut short, or not yet whole) fails the check and is read again later.
 *
 * The hash function is passed in: this module runs anywhere (no node:crypto here).
 */
import { z } from 'zod';
import { isHlc } from './hlc';
import { SYNCED_TABLES } from './tables';

export const FORMAT = 'agent-talk-device-sync';
export const FORMAT_VERSION = 1;

export type Sha256Hex = (text: string) => string;

const deviceId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lower-case UUID');
const hlc = z.string().refine(isHlc, 'a clock stamp');
const seq = z.number().int().nonnegative();
/** How far a device had applied each other device's files: `{device id: last file number}`. */
const cursors = z.record(deviceId, seq);
const rowId = z.string().min(1).max(200);

export const putOp = z.object({
  op: z.literal('put'),
  table: z.enum(SYNCED_TABLES),
  id: rowId,
  hlc,
  values: z.record(z.string(), z.json()),
  /** Per-field stamps where they differ from `hlc` (snapshots). */
  fieldHlc: z.record(z.string(), hlc).optional(),
});

export const deleteOp = z.object({ op: z.literal('delete'), table: z.enum(SYNCED_TABLES), id: rowId, hlc });

/** One device's count of calls on a key on a UTC day (its slot; the day's count is the sum of the slots). */
export const countOp = z.object({
  op: z.literal('count'),
  key: rowId,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  device: deviceId,
  count: z.number().int().nonnegative(),
});

export const syncOp = z.discriminatedUnion('op', [putOp, deleteOp, countOp]);
export type SyncOp = z.infer<typeof syncOp>;
export type PutOp = z.infer<typeof putOp>;
export type DeleteOp = z.infer<typeof deleteOp>;
export type CountOp = z.infer<typeof countOp>;

const header = { format: z.literal(FORMAT), version: z.literal(FORMAT_VERSION), device: deviceId, written_at: z.string() };

/** `<device>/changes/<seq>.json`: the device's changes numbered 1, 2, 3, ...; never rewritten. */
export const changeFile = z.object({
  ...header,
  kind: z.literal('changes'),
  seq: seq.min(1),
  /** The other devices' files this device had applied when it wrote this one: applied first, elsewhere too. */
  deps: cursors,
  ops: z.array(syncOp),
});

/** `<device>/snapshot-<seq>.json`: the device's whole state once it had written file `seq` and read `cursors`. */
export const snapshotFile = z.object({ ...header, kind: z.literal('snapshot'), seq, cursors, ops: z.array(syncOp) });

/** `<device>/device.json`: who the device is and how far it has read the others (rewritten, never partly). */
export const deviceFile = z.object({ ...header, kind: z.literal('device'), name: z.string().max(200), seq, cursors });

export type ChangeFile = z.infer<typeof changeFile>;
export type SnapshotFile = z.infer<typeof snapshotFile>;
export type DeviceFile = z.infer<typeof deviceFile>;
export type SyncFile = ChangeFile | SnapshotFile | DeviceFile;

const syncFile = z.discriminatedUnion('kind', [changeFile, snapshotFile, deviceFile]);

const TRAILER = '\nsha256 ';

export function encodeFile(file: SyncFile, sha256: Sha256Hex): string {
  const body = JSON.stringify(file);
  return `${body}${TRAILER}${sha256(body)}\n`;
}

export type Parsed<T> =
  | { ok: true; file: T }
  /** incomplete: not whole yet (read again later); invalid: whole but not a file of this format (reported). */
  | { ok: false; reason: 'incomplete' | 'invalid'; message: string };

export function parseFile<K extends SyncFile['kind']>(text: string, kind: K, sha256: Sha256Hex): Parsed<Extract<SyncFile, { kind: K }>> {
  const at = text.lastIndexOf(TRAILER);
  if (at < 0 || !text.endsWith('\n')) return { ok: false, reason: 'incomplete', message: 'no checksum line (still being copied?)' };
  const body = text.slice(0, at);
  const sum = text.slice(at + TRAILER.length, -1);
  if (sha256(body) !== sum) return { ok: false, reason: 'incomplete', message: 'checksum does not match (still being copied?)' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'invalid', message: 'the body is not JSON' };
  }
  const parsed = syncFile.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid', message: z.prettifyError(parsed.error).slice(0, 500) };
  if (parsed.data.kind !== kind) return { ok: false, reason: 'invalid', message: `a ${parsed.data.kind} file where a ${kind} file belongs` };
  return { ok: true, file: parsed.data as Extract<SyncFile, { kind: K }> };
}

/** The folder's layout, relative to the chosen folder, with `/` separators. */
export const ROOT_DIR = 'agent-talk-sync';
export const DEVICES_DIR = 'devices';
export const DEVICE_FILE = 'device.json';
export const CHANGES_DIR = 'changes';
export const BLOBS_DIR = 'blobs';

const SEQ_DIGITS = 12;
const CHANGE_NAME = /^(\d{12})\.json$/;
const SNAPSHOT_NAME = /^snapshot-(\d{12})\.json$/;
const BLOB_NAME = /^[0-9a-f]{64}$/;

export const changeFileName = (n: number) => `${String(n).padStart(SEQ_DIGITS, '0')}.json`;
export const snapshotFileName = (n: number) => `snapshot-${String(n).padStart(SEQ_DIGITS, '0')}.json`;
export const changeSeqOf = (name: string) => (CHANGE_NAME.test(name) ? Number(CHANGE_NAME.exec(name)![1]) : null);
export const snapshotSeqOf = (name: string) => (SNAPSHOT_NAME.test(name) ? Number(SNAPSHOT_NAME.exec(name)![1]) : null);
export const isBlobName = (name: string) => BLOB_NAME.test(name);
export const isDeviceId = (name: string) => deviceId.safeParse(name).success;

/** Copies a carrier made when two computers changed one file (Dropbox, Nextcloud, OneDrive; Syncthing). */
export const isConflictCopy = (name: string) => /conflicted copy|\.sync-conflict-/i.test(name);
