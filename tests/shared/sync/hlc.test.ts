import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHlc, encodeHlc, observe, tick, type Hlc } from '../../../src-shared/sync/hlc';

const device = fc.uuid({ version: 4 });
const HOURS_3 = 3 * 3600_000;
const base = Date.UTC(2026, 11, 2);
/** A physical clock reading: around one moment, up to 3 h either side (computers whose clocks disagree). */
const reading = fc.integer({ min: base - HOURS_3, max: base + HOURS_3 });

describe('hybrid logical clock', () => {
  it('encodes so that string order is (time, counter, device) order, and decodes back', () => {
    fc.assert(
      fc.property(fc.tuple(reading, fc.nat(1e6), device), fc.tuple(reading, fc.nat(1e6), device), ([wa, ca, da], [wb, cb, db]) => {
        const a: Hlc = { wall: wa, counter: ca, device: da };
        const b: Hlc = { wall: wb, counter: cb, device: db };
        expect(decodeHlc(encodeHlc(a))).toEqual(a);
        const byFields = wa - wb || ca - cb || (da < db ? -1 : da > db ? 1 : 0);
        const byString = encodeHlc(a) < encodeHlc(b) ? -1 : encodeHlc(a) > encodeHlc(b) ? 1 : 0;
        expect(Math.sign(byString)).toBe(Math.sign(byFields));
      }),
    );
  });

  it('never goes backwards and orders after every stamp it has seen, with clocks hours apart', () => {
    // Three devices whose clocks run 3 h apart exchange stamps in a random order.
    const step = fc.record({ who: fc.nat(2), from: fc.option(fc.nat(2), { nil: undefined }), drift: fc.integer({ min: 0, max: 5000 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.uniqueArray(device, { minLength: 3, maxLength: 3 }), (steps, ids) => {
        const offsets = [-HOURS_3, 0, HOURS_3];
        const last: (Hlc | undefined)[] = [undefined, undefined, undefined];
        let now = base;
        for (const { who, from, drift } of steps) {
          now += drift;
          const physical = now + offsets[who]!;
          const before = last[who];
          const seen = from !== undefined && from !== who ? last[from] : undefined;
          const next = seen ? observe(before, seen, physical, ids[who]!) : tick(before, physical, ids[who]!);
          if (before) expect(encodeHlc(next) > encodeHlc(before)).toBe(true);
          if (seen) expect(encodeHlc(next) > encodeHlc(seen)).toBe(true);
          last[who] = next;
        }
      }),
    );
  });

  it('refuses what is not a stamp', () => {
    expect(() => decodeHlc('2026-12-02T07:00:00Z')).toThrow(/not a clock stamp/);
  });
});
