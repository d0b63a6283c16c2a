/**
 * This computer's changes, turned into numbered change files to write: the change feed after the last entry
 * taken, each change stamped with the hybrid clock in the same transaction that records the stamp on the row, so
 * that changes read from other computers later are weighed against it. Runs inside the transaction that applies
 * other devices' files too (first), so a local edit is always stamped before anything can overwrite it.
 */
import { decodeHlc, encodeHlc, tick, type Hlc } from '../../../src-shared/sync/hlc';
import type { SyncOp } from '../../../src-shared/sync/format';
import { AUDIO_FIELD, TABLE_RULES, isSyncedTable, type SyncedTable } from '../../../src-shared/sync/tables';
import type { ChangeEntry } from '../../db';
import { audioUrlOf } from '../audio-files';
import { CLOCK_KEY, ORIGIN, isCloudKey, metaId, profileUserId, readClock, readMeta, serviceAudioOf, travellingId, upsert, withoutCloudKey, type DeviceSyncClock, type Reader, type Tx } from './rows';

/** Ops per change file: keeps a file (and the transaction applying it) a few megabytes at most. */
export const OPS_PER_FILE = 1000;

/** A memo's audio before the writer has hashed it: the local file name (never written into the folder). */
export interface LocalAudio {
  localFile: string;
}

export interface Stamper {
  self: string;
  physical: () => number;
  /** Reads the change feed (committed entries, and this transaction's own). */
  changes(afterSeq: number, limit: number): ChangeEntry[];
  lastChangeSeq(): number;
}

/** The own and others' count slots of a (key, day), and the row holding their sum. */
function ownSlot(tx: Reader, self: string, key: string, date: string, total: number) {
  const others = tx.query('sync_counts', { api_key_id: key, date }).filter((s) => s.device_id !== self).reduce((n, s) => n + s.count, 0);
  return Math.max(0, total - others);
}

class Batch {
  readonly ops: SyncOp[] = [];
  private hlc: Hlc | undefined;

  constructor(
    private readonly tx: Tx,
    private readonly stamper: Stamper,
    private readonly clock: DeviceSyncClock,
  ) {
    this.hlc = clock.hlc ? decodeHlc(clock.hlc) : undefined;
  }

  stamp(): string {
    this.hlc = tick(this.hlc, this.stamper.physical(), this.stamper.self);
    return encodeHlc(this.hlc);
  }

  get last(): string | null {
    return this.hlc ? encodeHlc(this.hlc) : null;
  }

  put(table: SyncedTable, id: string, row: Record<string, unknown>): void {
    if (table === 'api_keys' && isCloudKey(this.tx, id)) return; // the cloud account's: never through the folder
    const rule = TABLE_RULES[table];
    let values: Record<string, unknown> = {};
    for (const field of rule.fields) if (field in row) values[field] = row[field];
    values = withoutCloudKey(this.tx, values);
    if (table === 'memos' && 'audio_url' in row) {
      const file = typeof row.audio_url === 'string' && row.audio_url.startsWith(audioUrlOf('')) ? row.audio_url.slice(audioUrlOf('').length) : '';
      values[AUDIO_FIELD] = file ? ({ localFile: file } satisfies LocalAudio) : serviceAudioOf(row);
    }
    if (Object.keys(values).length === 0) return;
    const hlc = this.stamp();
    const travelling = travellingId(table, id);
    const meta = readMeta(this.tx, table, travelling);
    const fields = { ...meta?.clock.fields };
    for (const field of Object.keys(values)) fields[field] = hlc;
    upsert(this.tx, 'sync_rows', metaId(table, travelling), { clock: { ...meta?.clock, fields } });
    this.ops.push({ op: 'put', table, id: travelling, hlc, values: values as never });
  }

  delete(table: SyncedTable, id: string, deletedAt: string): void {
    const meta = readMeta(this.tx, table, id);
    if (!meta || meta.clock.deleted) return; // a row that never travelled, or already gone
    const hlc = this.stamp();
    // The change file the deletion goes into (see commit): once every device has read it, its audio can go.
    const deletedIn = { device: this.stamper.self, seq: this.clock.nextSeq + Math.floor(this.ops.length / OPS_PER_FILE) };
    upsert(this.tx, 'sync_rows', metaId(table, id), { clock: { ...meta.clock, deleted: hlc }, deleted_at: deletedAt, deleted_in: deletedIn });
    this.ops.push({ op: 'delete', table, id, hlc });
  }

  count(rateLimitId: string): void {
    const row = this.tx.get('rate_limits', rateLimitId);
    if (!row || isCloudKey(this.tx, row.api_key_id)) return;
    const own = ownSlot(this.tx, this.stamper.self, row.api_key_id, row.date, row.count ?? 0);
    const slotId = `${row.api_key_id}|${row.date}|${this.stamper.self}`;
    if ((this.tx.get('sync_counts', slotId)?.count ?? -1) >= own) return;
    upsert(this.tx, 'sync_counts', slotId, { api_key_id: row.api_key_id, date: row.date, device_id: this.stamper.self, count: own });
    this.ops.push({ op: 'count', key: row.api_key_id, date: row.date, device: this.stamper.self, count: own });
  }

  /** Numbers the ops into outbox files after the ones already there, each depending on what was applied so far. */
  commit(clock: DeviceSyncClock, feedSeq: number): DeviceSyncClock {
    const deps = Object.fromEntries(
      this.tx
        .list('sync_devices')
        .filter((d) => !d.is_self && !d.removed_at && d.applied_seq > 0)
        .map((d) => [d.id, d.applied_seq]),
    );
    let nextSeq = clock.nextSeq;
    for (let i = 0; i < this.ops.length; i += OPS_PER_FILE) {
      const seq = nextSeq++;
      this.tx.insert('sync_outbox', { id: String(seq).padStart(12, '0'), seq, deps, ops: this.ops.slice(i, i + OPS_PER_FILE) });
    }
    const next = { ...clock, hlc: this.last, feedSeq, nextSeq };
    upsert(this.tx, 'settings', CLOCK_KEY, { value: next });
    return next;
  }
}

/** Whether a row is the profile's (rows of other accounts a command-line import brought stay on this computer). */
function owned(table: SyncedTable, row: Record<string, unknown>, profile: string) {
  return table === 'users' ? row.id === profile : row.user_id === profile;
}

/** Takes the change feed's new local entries into the outbox. Returns how many ops it stamped. */
export function takeLocalChanges(tx: Tx, stamper: Stamper): number {
  const clock = readClock(tx);
  const profile = profileUserId(tx);
  if (!clock || !profile) return 0;
  const batch = new Batch(tx, stamper, clock);
  const last = stamper.lastChangeSeq();
  const counts = new Set<string>();
  for (let after = clock.feedSeq; after < last; ) {
    const entries = stamper.changes(after, 1000).filter((e) => e.seq <= last);
    if (entries.length === 0) break;
    after = entries.at(-1)!.seq;
    for (const entry of entries) {
      if (entry.origin === ORIGIN) continue;
      if (entry.table === 'rate_limits') {
        if (entry.op !== 'delete') counts.add(entry.id);
        continue;
      }
      if (!isSyncedTable(entry.table)) continue;
      const table = entry.table;
      if (entry.op === 'delete') {
        if (table === 'memos' || table === 'api_keys') batch.delete(table, entry.id, entry.at);
        continue;
      }
      const row = tx.get(table, entry.id);
      if (!row || !owned(table, row, profile)) continue;
      batch.put(table, entry.id, entry.op === 'insert' ? row : (entry.values ?? {}));
    }
  }
  counts.forEach((id) => batch.count(id));
  if (batch.ops.length === 0 && clock.feedSeq === last) return 0;
  batch.commit(clock, last);
  return batch.ops.length;
}

/**
 * When sync is first turned on: every row of the profile that travels, stamped as this device's changes (one
 * snapshot's worth of puts), and the feed taken from its current end.
 */
export function takeEverything(tx: Tx, stamper: Stamper, clock: DeviceSyncClock): void {
  const profile = profileUserId(tx)!;
  const batch = new Batch(tx, stamper, clock);
  const user = tx.get('users', profile);
  if (user) batch.put('users', profile, user);
  for (const table of ['api_keys', 'memos', 'usage_logs'] as const) {
    for (const row of tx.query(table, { user_id: profile })) batch.put(table, row.id, row);
  }
  for (const row of tx.query('rate_limits', { user_id: profile })) batch.count(row.id);
  batch.commit(clock, stamper.lastChangeSeq());
}

