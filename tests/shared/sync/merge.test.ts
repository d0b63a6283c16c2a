import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHlc } from '../../../src-shared/sync/hlc';
import { mergeCount, mergeDelete, mergePut, type FieldValue, type RowClock, type Values } from '../../../src-shared/sync/merge';
import { TABLE_RULES } from '../../../src-shared/sync/tables';

type Op = { kind: 'put'; hlc: string; values: Values } | { kind: 'delete'; hlc: string };

/** One row as a device holds it: its travelling values (absent: no row) and its clock. */
interface Replica {
  row: Record<string, FieldValue> | undefined;
  clock: RowClock | undefined;
}

function apply(replica: Replica, op: Op, rule = TABLE_RULES.api_keys): Replica {
  if (op.kind === 'delete') return { row: undefined, clock: mergeDelete(replica.clock, op.hlc) };
  const outcome = mergePut(rule, replica.row, replica.clock, { hlc: op.hlc, values: op.values });
  if (outcome.kind === 'none') return replica;
  return { row: { ...replica.row, ...outcome.values }, clock: outcome.clock };
}

const devices = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'];
const stamp = fc.record({ wall: fc.integer({ min: 0, max: 20 }), counter: fc.nat(3), device: fc.constantFrom(...devices) }).map(encodeHlc);
const keyOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), hlc: stamp, values: fc.record({ name: fc.string({ maxLength: 4 }), is_active: fc.boolean() }, { requiredKeys: [] }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), hlc: stamp }) },
);
/** Ops with unique stamps: one device never stamps two changes alike. */
const ops = fc.uniqueArray(keyOp, { selector: (op) => op.hlc, maxLength: 12 });

const run = (list: readonly Op[]) => list.reduce<Replica>((replica, op) => apply(replica, op), { row: undefined, clock: undefined });

describe('merge rules', () => {
  it('converge whatever the order, and whatever is delivered twice', () => {
    fc.assert(
      fc.property(ops, fc.infiniteStream(fc.nat()), (list, seeds) => {
        const shuffled = [...list, ...list.slice(0, list.length / 2)].map((op) => ({ op, k: seeds.next().value })).sort((a, b) => a.k - b.k).map((x) => x.op);
        expect(run(shuffled).row).toEqual(run(list).row);
        expect(run(shuffled).clock?.deleted).toEqual(run(list).clock?.deleted);
      }),
    );
  });

  it('keep the newest value of each field, a deletion over any edit, and a revocation over anything', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const { row } = run(list);
        if (list.some((op) => op.kind === 'delete')) {
          expect(row).toBeUndefined();
          return;
        }
        const puts = list.filter((op): op is Extract<Op, { kind: 'put' }> => op.kind === 'put');
        const newest = (field: string) => puts.filter((p) => field in p.values).sort((a, b) => (a.hlc < b.hlc ? 1 : -1))[0]?.values[field];
        if (puts.some((p) => 'name' in p.values)) expect(row?.name).toBe(newest('name'));
        const revoked = puts.some((p) => p.values.is_active === false);
        if (revoked) expect(row?.is_active).toBe(false);
        else if (puts.some((p) => 'is_active' in p.values)) expect(row?.is_active).toBe(newest('is_active'));
      }),
    );
  });

  it('take a usage log row once: later copies of it change nothing', () => {
    const rule = TABLE_RULES.usage_logs;
    const first = apply({ row: undefined, clock: undefined }, { kind: 'put', hlc: encodeHlc({ wall: 1, counter: 0, device: devices[0]! }), values: { action: 'key_used' } }, rule);
    const again = apply(first, { kind: 'put', hlc: encodeHlc({ wall: 9, counter: 0, device: devices[1]! }), values: { action: 'memo_created' } }, rule);
    expect(again.row).toEqual({ action: 'key_used' });
  });

  it('ignore columns that do not travel (tier, a secret, the local path of the audio)', () => {
    const outcome = mergePut(TABLE_RULES.users, undefined, undefined, { hlc: encodeHlc({ wall: 1, counter: 0, device: devices[0]! }), values: { email: 'zoë@example.com', tier: 'enterprise' } });
    expect(outcome.kind === 'insert' && outcome.values).toEqual({ email: 'zoë@example.com' });
  });

  it('count a device slot by its largest value, so a late or repeated count neither loses nor doubles', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1 }), (counts) => {
        // A slot only grows on its device; the carrier brings its values in any order, some twice.
        const sorted = [...counts].sort((a, b) => a - b);
        const delivered = [...sorted].reverse().concat(sorted);
        expect(delivered.reduce<number | undefined>((slot, c) => mergeCount(slot, c), undefined)).toBe(sorted.at(-1));
      }),
    );
  });
});
