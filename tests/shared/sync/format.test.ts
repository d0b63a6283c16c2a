import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFile, isConflictCopy, parseFile, type ChangeFile } from '../../../src-shared/sync/format';
import { encodeHlc } from '../../../src-shared/sync/hlc';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const device = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';

const file = fc.record({
  seq: fc.integer({ min: 1, max: 1e9 }),
  title: fc.string({ unit: 'grapheme', maxLength: 40 }),
  wall: fc.nat(2 ** 45),
}).map(({ seq, title, wall }): ChangeFile => ({
  format: 'agent-talk-device-sync',
  version: 1,
  kind: 'changes',
  device,
  seq,
  deps: {},
  written_at: '2026-12-02T07:00:00.000Z',
  ops: [{ op: 'put', table: 'memos', id: '8c4f6b0e-3f0a-4d8e-9a51-1d2b3c4d5e6f', hlc: encodeHlc({ wall, counter: 0, device }), values: { title } }],
}));

describe('change files', () => {
  it('read back exactly what was written, non-English text included', () => {
    fc.assert(
      fc.property(file, (f) => {
        expect(parseFile(encodeFile(f, sha256), 'changes', sha256)).toEqual({ ok: true, file: f });
      }),
    );
  });

  it('are skipped as incomplete while the carrier has copied only part of them', () => {
    fc.assert(
      fc.property(file, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (f, share) => {
        const text = encodeFile(f, sha256);
        const cut = text.slice(0, Math.floor(text.length * share));
        expect(parseFile(cut, 'changes', sha256)).toMatchObject({ ok: false, reason: 'incomplete' });
      }),
    );
  });

  it('are refused as invalid when whole but not of this format, with the reason', () => {
    const body = JSON.stringify({ format: 'agent-talk-device-sync', version: 1, kind: 'changes', device, seq: 0, deps: {}, written_at: 'x', ops: [] });
    const parsed = parseFile(`${body}\nsha256 ${sha256(body)}\n`, 'changes', sha256);
    expect(parsed).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!parsed.ok && parsed.message).toMatch(/seq/);
    const snapshot = parseFile(encodeFile({ format: 'agent-talk-device-sync', version: 1, kind: 'device', device, name: 'Büro', seq: 0, cursors: {}, written_at: 'x' }, sha256), 'changes', sha256);
    expect(snapshot).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it("recognise carriers' conflict copies", () => {
    expect(isConflictCopy("000000000003 (Ada's conflicted copy 2026-12-02).json")).toBe(true);
    expect(isConflictCopy('device.sync-conflict-20261202-070000-ABCDEFG.json')).toBe(true);
    expect(isConflictCopy('000000000003.json')).toBe(false);
  });
});
