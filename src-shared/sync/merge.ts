/**
 * The merge rules. Every device applies every change it reads with these functions; they are commutative,
 * associative and idempotent, so devices that have read the same changes hold the same rows whatever order,
 * delay or duplication the carrier brought them in:
 * - fields: last writer wins per field, by hybrid-clock stamp (ties cannot happen: a stamp carries its device id);
 * - a deletion wins over every edit, earlier or concurrent, and is kept as a tombstone;
 * - a sticky-false field (a key's revocation) is false once any device wrote false;
 * - an immutable table's rows are a union;
 * - daily counts are per-(key, day, device) slots, each only growing, merged by maximum and summed for display.
 */
import { maxHlc } from './hlc';
import type { TableRule } from './tables';

export type FieldValue = string | number | boolean | null | { readonly [key: string]: unknown } | readonly unknown[];
export type Values = Readonly<Record<string, FieldValue>>;

/** What a device remembers of one row: the stamp of each field's current value, and the deletion's. */
export interface RowClock {
  fields: Record<string, string>;
  deleted?: string;
}

export interface Put {
  /** The stamp of every value in `values`, unless `fieldHlc` names another (a snapshot keeps each field's). */
  hlc: string;
  values: Values;
  fieldHlc?: Readonly<Record<string, string>>;
}

export type PutOutcome =
  | { kind: 'none' }
  | { kind: 'insert' | 'update'; values: Record<string, FieldValue>; clock: RowClock };

/**
 * Merges a put into a row: `present` is the row's current travelling values (undefined when the row is absent),
 * `clock` what is known of it. Returns the values to write and the row's new clock, or none when nothing changes.
 */
export function mergePut(rule: TableRule, present: Values | undefined, clock: RowClock | undefined, put: Put): PutOutcome {
  if (clock?.deleted !== undefined) return { kind: 'none' };
  if (rule.immutable && present !== undefined) return { kind: 'none' };
  const fields = { ...clock?.fields };
  const taken: Record<string, FieldValue> = {};
  for (const [field, value] of Object.entries(put.values)) {
    if (!rule.fields.includes(field)) continue;
    const stamp = put.fieldHlc?.[field] ?? put.hlc;
    const known = fields[field];
    const newer = known === undefined || stamp > known;
    if (rule.stickyFalse?.includes(field)) {
      // Revoked stays revoked; a revocation wins whenever it was made.
      if (present?.[field] === false) continue;
      if (value !== false && !newer) continue;
    } else if (!newer) continue;
    taken[field] = value;
    fields[field] = maxHlc(known, stamp)!;
  }
  if (present !== undefined && Object.keys(taken).length === 0) return { kind: 'none' };
  return { kind: present === undefined ? 'insert' : 'update', values: taken, clock: { fields } };
}

/** A deletion: the row goes (if present) and its tombstone stays, so no later or earlier edit brings it back. */
export function mergeDelete(clock: RowClock | undefined, hlc: string): RowClock {
  return { fields: clock?.fields ?? {}, deleted: maxHlc(clock?.deleted, hlc)! };
}

/** A device's slot of a (key, day) count: counts only grow, so the larger one is the later. */
export const mergeCount = (present: number | undefined, incoming: number) => Math.max(present ?? 0, incoming);
