/**
 * A snapshot: this computer's whole travelling state as one file of ops (each field with its own stamp, the
 * tombstones, every device's count slots), so that a new computer starts from it instead of replaying every
 * change since the first, and so that a device may remove change files every device has read.
 */
import type { SyncOp } from '../../../src-shared/sync/format';
import type { RowClock } from '../../../src-shared/sync/merge';
import { isSyncedTable } from '../../../src-shared/sync/tables';
import { isCloudKey, localId, travelling, withoutCloudKey, type AudioRef, type Reader } from './rows';

export function snapshotOps(reader: Reader, profile: string): SyncOp[] {
  const ops: SyncOp[] = [];
  for (const meta of reader.list('sync_rows')) {
    const split = meta.id.indexOf(':');
    const table = meta.id.slice(0, split);
    const id = meta.id.slice(split + 1);
    if (!isSyncedTable(table)) continue;
    const clock = meta.clock as RowClock;
    if (clock.deleted) {
      ops.push({ op: 'delete', table, id, hlc: clock.deleted });
      continue;
    }
    const row = reader.get(table, localId(table, id, profile));
    const stamps = Object.entries(clock.fields);
    if (!row || stamps.length === 0 || (table === 'api_keys' && isCloudKey(reader, id))) continue;
    const all = withoutCloudKey(reader, travelling(table, row as Record<string, unknown>, (meta.audio as AudioRef | null) ?? null));
    const hlc = stamps.reduce((max, [, stamp]) => (stamp > max ? stamp : max), stamps[0]![1]);
    const values = Object.fromEntries(stamps.filter(([field]) => field in all).map(([field]) => [field, all[field]]));
    const fieldHlc = Object.fromEntries(stamps.filter(([, stamp]) => stamp !== hlc));
    ops.push({ op: 'put', table, id, hlc, values: values as never, ...(Object.keys(fieldHlc).length > 0 && { fieldHlc }) });
  }
  for (const slot of reader.list('sync_counts')) {
    if (isCloudKey(reader, slot.api_key_id)) continue;
    ops.push({ op: 'count', key: slot.api_key_id, date: slot.date, device: slot.device_id, count: slot.count });
  }
  return ops;
}
