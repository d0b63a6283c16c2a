/**
 * The property: three computers, random operations, a carrier that delivers files late, out of order, twice and
 * half-written, clocks 3 h apart. After a final exchange every computer holds the same rows, audio and counts,
 * and no acknowledged change is lost. Real stores, real folders; the carrier is this test (copying files between
 * each computer's own copy of the folder as Syncthing or Dropbox would, only worse).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src-main/services';
import { computer, makeMemo, syncFolder, travellingState, type Computer } from './helpers';

const OFFSETS_H = [-3, 0, 3];
const BASE = Date.UTC(2026, 11, 2, 8);

const command = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('memo' as const), on: fc.nat(2), title: fc.string({ unit: 'grapheme', maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), on: fc.nat(2), pick: fc.nat(), title: fc.string({ unit: 'grapheme', maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), on: fc.nat(2), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('key' as const), on: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), on: fc.nat(2), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('call' as const), on: fc.nat(2), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('round' as const), on: fc.nat(2) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('carry' as const), pick: fc.nat(), to: fc.nat(2), half: fc.boolean(), mirrorDeletes: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), on: fc.nat(2), minutes: fc.integer({ min: 1, max: 90 }) }) },
);

/** Every file under `dir`, relative, with its bytes as they are now, in name order (so that a seed replays a run). */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.startsWith('.tmp-')) out.set(relative(dir, path), readFileSync(path));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The carrier: files picked up from one computer's folder, delivered to another's whenever the test says. */
class Carrier {
  private readonly pending: { from: number; path: string; bytes: Buffer }[] = [];
  constructor(
    private readonly folders: string[],
    private readonly selves: string[],
  ) {}

  /**
   * Picks up what each computer wrote into its own directory (and keeps earlier versions too: they may still arrive
   * late). Only there: a copy this carrier delivered elsewhere, whole or still half, is not a new version of the file.
   * (Picking those up too let the carrier send a half copy of a device's file back over the whole one in that
   * device's own directory, which no carrier does: Syncthing and Dropbox never offer a file they are still copying,
   * and only a device itself writes its directory. With the original gone, no device could ever read that file.)
   */
  pickUp(): void {
    this.folders.forEach((folder, from) => {
      const ownDir = join('agent-talk-sync', 'devices', this.selves[from]!);
      for (const [path, bytes] of filesOf(folder)) {
        if (!path.startsWith(`${ownDir}/`)) continue;
        if (!this.pending.some((p) => p.from === from && p.path === path && p.bytes.equals(bytes))) this.pending.push({ from, path, bytes });
      }
    });
  }

  /** Delivers one picked-up file to another computer's folder: maybe only its first half, maybe again later. */
  deliver(pick: number, to: number, half: boolean): void {
    const candidates = this.pending.filter((p) => p.from !== to);
    if (candidates.length === 0) return;
    const item = candidates[pick % candidates.length]!;
    const target = join(this.folders[to]!, item.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, half ? item.bytes.subarray(0, item.bytes.length >> 1) : item.bytes);
  }

  /** Removals a device made in its own directory, passed on (as Syncthing does). */
  mirrorDeletes(): void {
    this.folders.forEach((source, from) => {
      const ownDir = join('agent-talk-sync', 'devices', this.selves[from]!);
      const own = new Set(filesOf(source).keys());
      this.folders.forEach((folder, to) => {
        if (to === from) return;
        for (const path of filesOf(folder).keys()) if (path.startsWith(`${ownDir}/`) && !own.has(path)) rmSync(join(folder, path));
      });
    });
  }

  /** The final exchange: every computer's own directory, as it is now, whole, everywhere. */
  settle(): void {
    this.folders.forEach((source, from) => {
      const ownDir = join('agent-talk-sync', 'devices', this.selves[from]!);
      this.folders.forEach((folder, to) => {
        if (to === from) return;
        rmSync(join(folder, ownDir), { recursive: true, force: true });
        if (existsSync(join(source, ownDir))) cpSync(join(source, ownDir), join(folder, ownDir), { recursive: true });
      });
    });
  }
}

/** The final exchange: rounds and whole deliveries until every computer has read every other. */
async function exchange(computers: readonly Computer[], carrier: Carrier): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    for (const c of computers) await c.devices.run();
    carrier.settle();
  }
  for (const c of computers) await c.devices.run();
}

async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ServiceError) return undefined; // a refusal the user would see (key limit, daily limit)
    throw error;
  }
}

describe('three computers through an unreliable carrier', () => {
  it('converge to the same rows, audio and counts, with no acknowledged change lost', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 20, maxLength: 60 }), async (commands) => {
        const folders = [syncFolder(), syncFolder(), syncFolder()];
        const computers: Computer[] = [];
        for (const [i, offset] of OFFSETS_H.entries()) {
          const c = await computer(new Date(BASE + offset * 3600_000).toISOString(), { snapshotEvery: 3 });
          await c.devices.configure({ folder: folders[i]!, name: `Computer ${i}`, audio: 'all' });
          computers.push(c);
        }
        const carrier = new Carrier(folders, computers.map((c) => c.devices.status().deviceId!));
        const made = new Map<string, Uint8Array>();
        const deleted = new Set<string>();
        const revoked = new Set<string>();
        const calls = new Map<string, number>();
        try {
          // A key every computer knows from the start, so that calls are counted on all three from the first command.
          await computers[0]!.keys.create(computers[0]!.user.id, { name: 'Gemeinsam' });
          await exchange(computers, carrier);
          for (const cmd of commands) {
            if (cmd.kind === 'carry') {
              carrier.pickUp();
              carrier.deliver(cmd.pick, cmd.to, cmd.half);
              if (cmd.mirrorDeletes) carrier.mirrorDeletes();
              continue;
            }
            const c = computers[cmd.on]!;
            const memos = c.store.query('memos', { user_id: c.user.id });
            const keys = c.store.query('api_keys', { user_id: c.user.id });
            if (cmd.kind === 'memo') {
              const audio = new TextEncoder().encode(`audio ${made.size} ${cmd.title}`);
              const memo = await makeMemo(c, { title: cmd.title, audio });
              made.set(memo.id, audio);
            } else if (cmd.kind === 'rename' && memos.length > 0) {
              await c.memos.rename(c.user.id, memos[cmd.pick % memos.length]!.id, cmd.title);
            } else if (cmd.kind === 'delete' && memos.length > 0) {
              const id = memos[cmd.pick % memos.length]!.id;
              await c.memos.delete(c.user.id, id);
              deleted.add(id);
            } else if (cmd.kind === 'key') {
              await attempt(() => c.keys.create(c.user.id, { name: 'Schlüssel' }));
            } else if (cmd.kind === 'revoke' && keys.length > 0) {
              const id = keys[cmd.pick % keys.length]!.id;
              await c.keys.revoke(c.user.id, id);
              revoked.add(id);
            } else if (cmd.kind === 'call' && keys.length > 0) {
              const key = keys[cmd.pick % keys.length]!;
              if (await attempt(() => c.rateLimits.consume(key.id, 5))) {
                const day = `${key.id}|${c.clock.now.toISOString().slice(0, 10)}`;
                calls.set(day, (calls.get(day) ?? 0) + 1);
              }
            } else if (cmd.kind === 'round') {
              await c.devices.run();
            } else if (cmd.kind === 'tick') {
              c.setTime(new Date(c.clock.now.getTime() + cmd.minutes * 60_000).toISOString());
            }
          }
          await exchange(computers, carrier);

          const states = computers.map(travellingState);
          expect(states[1]).toEqual(states[0]);
          expect(states[2]).toEqual(states[0]);
          for (const c of computers) {
            const status = c.devices.status();
            expect(status).toMatchObject({ state: 'in-step', toWrite: 0, toRead: 0, problems: [] });
            for (const [id, audio] of made) {
              const memo = c.store.get('memos', id);
              if (deleted.has(id)) {
                expect(memo).toBeUndefined();
                continue;
              }
              expect(memo).toBeDefined();
              expect(new Uint8Array(readFileSync(join(c.audio.dir, `${id}.wav`)))).toEqual(audio);
            }
            for (const id of revoked) expect(c.store.get('api_keys', id)?.is_active).toBe(false);
            for (const [day, count] of calls) {
              const [key, date] = day.split('|');
              expect(c.store.query('rate_limits', { api_key_id: key!, date: date! })[0]?.count).toBe(count);
            }
            const used = c.store.query('usage_logs', { user_id: c.user.id }).filter((l) => l.action === 'key_used').length;
            expect(used).toBe([...calls.values()].reduce((a, b) => a + b, 0));
          }
        } finally {
          for (const c of computers) await c.store.close();
        }
      }),
      { numRuns: Number(process.env.DEVICE_SYNC_RUNS ?? 8), seed: process.env.DEVICE_SYNC_SEED ? Number(process.env.DEVICE_SYNC_SEED) : undefined, endOnFailure: true },
    );
  }, 600_000);
});
