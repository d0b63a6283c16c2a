/**
 * Applies changes read from other devices to this computer's rows, inside one write transaction, with the
 * merge rules of src-shared/sync/merge.ts. A change the store refuses (a value of the wrong type from a faulty
 * device) is skipped and reported; the rest of its file still applies, so one bad change never blocks the folder.
 */
import { decodeHlc, encodeHlc, observe, type Hlc } from '../../../src-shared/sync/hlc';
import type { CountOp, DeleteOp, PutOp, SyncOp } from '../../../src-shared/sync/format';
import { mergeCount, mergeDelete, mergePut } from '../../../src-shared/sync/merge';
import { AUDIO_FIELD, TABLE_RULES } from '../../../src-shared/sync/tables';
import { StoreError } from '../../db';
import { audioUrlOf } from '../audio-files';
import { CLOCK_KEY, isCloudKey, localId, metaId, readClock, readMeta, isServiceAudioRef, travelling, upsert, type TravellingAudio, type Tx } from './rows';

export interface Applied {
  /** Memos whose audio arrived or changed (to fetch). */
  audio: string[];
  /** Memos deleted (their local audio files to remove). */
  deleted: string[];
  /** Changes refused by the store, with why. */
  rejected: string[];
}

/** Defaults for columns that do not travel but a new row needs. */
const NEW_ROW: Readonly<Partial<Record<PutOp['table'], Record<string, unknown>>>> = {
  memos: { audio_url: '', duration_sec: 0 },
  api_keys: { usage_count: 0 },
};

/** Where the ops come from: a change file (its device and number), or a snapshot (null). */
export type OpsSource = { device: string; seq: number } | null;

export function applyOps(tx: Tx, ops: readonly SyncOp[], ctx: { self: string; profile: string; physical: number; now: string; source: OpsSource }): Applied {
  const applied: Applied = { audio: [], deleted: [], rejected: [] };
  const clock = readClock(tx)!;
  let hlc: Hlc | undefined = clock.hlc ? decodeHlc(clock.hlc) : undefined;
  for (const op of ops) {
    if (op.op !== 'count') hlc = observe(hlc, decodeHlc(op.hlc), ctx.physical, ctx.self);
    try {
      if (op.op === 'put') applyPut(tx, op, ctx.profile, applied);
      else if (op.op === 'delete') applyDelete(tx, op, ctx, applied);
      else applyCount(tx, op, ctx.profile);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      applied.rejected.push(`${op.op} ${'table' in op ? op.table : 'count'} ${'id' in op ? op.id : op.key}: ${error.message}`);
    }
  }
  upsert(tx, 'settings', CLOCK_KEY, { value: { ...clock, hlc: hlc ? encodeHlc(hlc) : null } });
  return applied;
}

/**
 * A cloud key in another device's file (an older or faulty writer): ignored, as is any change to one of this
 * computer's cloud keys. Cloud keys come from the cloud account only.
 */
function cloudKeyOp(tx: Tx, op: PutOp | DeleteOp): boolean {
  if (op.table !== 'api_keys') return false;
  if (isCloudKey(tx, op.id)) return true;
  if (op.op === 'delete') return false;
  const { origin, key_hash: hash } = op.values;
  return origin === 'cloud' || (typeof hash === 'string' && hash.startsWith('cloud:'));
}

function applyPut(tx: Tx, op: PutOp, profile: string, applied: Applied): void {
  const { table } = op;
  if (cloudKeyOp(tx, op)) return;
  const id = localId(table, op.id, profile);
  const row = tx.get(table, id) as Record<string, unknown> | undefined;
  const meta = readMeta(tx, table, op.id);
  if (!row && table === 'users') return; // no profile here yet: its own creation will be weighed later
  const outcome = mergePut(TABLE_RULES[table], row && travelling(table, row, meta?.audio ?? null), meta?.clock, op);
  if (outcome.kind === 'none') return;
  const values: Record<string, unknown> = { ...outcome.values };
  let audio = meta?.audio ?? null;
  if (AUDIO_FIELD in values) {
    const incoming = values[AUDIO_FIELD] as TravellingAudio;
    delete values[AUDIO_FIELD];
    // Audio still on the service (an imported memo played nowhere yet): this computer fetches it there on first play.
    audio = isServiceAudioRef(incoming) ? null : incoming;
    values.audio_url = audio ? audioUrlOf(`${op.id}.${audio.ext}`) : isServiceAudioRef(incoming) ? incoming.url : '';
    if (audio) applied.audio.push(op.id);
  }
  // A key that does not travel (a cloud key) is not here: the row keeps no reference rather than a dangling one.
  if (typeof values.api_key_id === 'string' && !tx.get('api_keys', values.api_key_id)) values.api_key_id = null;
  if (outcome.kind === 'insert') tx.insert(table, { ...NEW_ROW[table], ...values, id, user_id: profile } as never);
  else tx.update(table, id, values as never);
  upsert(tx, 'sync_rows', metaId(table, op.id), { clock: outcome.clock, audio });
}

function applyDelete(tx: Tx, op: DeleteOp, { profile, now, source }: { profile: string; now: string; source: OpsSource }, applied: Applied): void {
  if (cloudKeyOp(tx, op)) return;
  const meta = readMeta(tx, op.table, op.id);
  const known = tx.get('sync_rows', metaId(op.table, op.id));
  if (known?.deleted_at) {
    // Deleted here already: the tombstone keeps its age and where it was first read from.
    upsert(tx, 'sync_rows', metaId(op.table, op.id), { clock: mergeDelete(meta?.clock, op.hlc) });
    return;
  }
  upsert(tx, 'sync_rows', metaId(op.table, op.id), { clock: mergeDelete(meta?.clock, op.hlc), deleted_at: now, deleted_in: source });
  const id = localId(op.table, op.id, profile);
  if (op.table === 'users' || !tx.get(op.table, id)) return;
  tx.delete(op.table, id);
  if (op.table === 'memos') applied.deleted.push(id);
}

function applyCount(tx: Tx, op: CountOp, profile: string): void {
  if (isCloudKey(tx, op.key)) return; // a cloud key's counts are the service's
  const slotId = `${op.key}|${op.date}|${op.device}`;
  const present = tx.get('sync_counts', slotId)?.count;
  const merged = mergeCount(present, op.count);
  const delta = merged - (present ?? 0);
  if (delta === 0) return;
  upsert(tx, 'sync_counts', slotId, { api_key_id: op.key, date: op.date, device_id: op.device, count: merged });
  // The day's count every screen and the limit check read is the sum of the slots.
  const day = tx.query('rate_limits', { api_key_id: op.key, date: op.date })[0];
  if (day) tx.update('rate_limits', day.id, { count: (day.count ?? 0) + delta });
  else tx.insert('rate_limits', { api_key_id: op.key, date: op.date, user_id: profile, count: delta });
}
