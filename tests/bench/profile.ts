/**
 * One bench line on one contender, alone, to profile it:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx tests/bench/profile.ts <line> [ours|sqlite|lmdb-js]
 *
 * Lines: 1, 2 (the profiled part is the bulk load itself), 3, 4, 5, 6a, 6b, 7. Setup is the bench's (users, keys,
 * and for lines 3, 4, 5 and 7 the bulk memos); the line's work is then repeated for about `--seconds` (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contender } from './contender';
import { FULL, generate } from './data';
import { LmdbRaw } from './lmdb-raw';
import { Ours } from './ours';
import { Sqlite } from './sqlite';

const [line = '4', who = 'ours'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const secondsAt = process.argv.indexOf('--seconds');
const seconds = secondsAt >= 0 ? Number(process.argv[secondsAt + 1]) : 5;
const make: Record<string, () => Contender> = { ours: () => new Ours(), sqlite: () => new Sqlite(), 'lmdb-js': () => new LmdbRaw() };
const c = make[who]?.() ?? (() => { throw new Error(`unknown contender ${who}`); })();
const data = generate(FULL);
const dir = mkdtempSync(join(tmpdir(), 'agent-talk-profile-'));

await c.open(dir);
await c.load('users', data.users);
await c.load('api_keys', data.keys);
const bulk = async () => {
  for (let i = 0; i < data.bulkMemos.length; i += FULL.batchSize) await c.insertMemos(data.bulkMemos.slice(i, i + FULL.batchSize));
};

let until = performance.now() + seconds * 1000;
let ops = 0;
const start = performance.now();
let timedFrom = start;
if (line === '2') {
  await bulk();
  ops = data.bulkMemos.length;
} else if (line === '1') {
  for (const memo of data.singleMemos) {
    await c.insertMemo(memo);
    ops++;
    if (performance.now() > until) break;
  }
} else {
  // The rate-limit lines need no memos (and a profile of them should not hold the bulk load's commits).
  if (!line.startsWith('6')) await bulk();
  await c.settle();
  timedFrom = performance.now();
  until = timedFrom + seconds * 1000;
  while (performance.now() < until) {
    if (line === '3') for (const id of data.getIds.slice(0, 10_000)) ops += c.getMemo(id) ? 1 : 0;
    else if (line === '4') for (const userId of data.newestUsers.slice(0, 200)) ops += c.newestMemos(userId, 50).length === 50 ? 1 : 0;
    else if (line === '5') for (const hash of data.lookupHashes.slice(0, 10_000)) ops += c.apiKeyByHash(hash) ? 1 : 0;
    else if (line === '6a') for (const call of data.rateSequential.slice(0, 100)) ops += (await c.rateLimitHit(call), 1);
    else if (line === '6b') {
      let next = 0;
      const calls = data.rateConcurrent;
      const worker = async () => {
        while (next < calls.length) await c.rateLimitHit(calls[next++]!);
      };
      await Promise.all(Array.from({ length: FULL.rateInFlight }, worker));
      ops += calls.length;
    }
    else if (line === '7') {
      const v = data.victims[ops];
      if (!v) break;
      await c.load('users', [v.user]);
      await c.load('api_keys', v.keys);
      await c.load('memos', v.memos);
      await c.load('usage_logs', v.logs);
      const t = performance.now();
      await c.deleteUser(v.user.id);
      console.log(`delete: ${(performance.now() - t).toFixed(0)} ms`);
      ops++;
    } else throw new Error(`no such line ${line}`);
  }
  console.log(`(setup ${((timedFrom - start) / 1000).toFixed(1)} s)`);
}
const elapsed = (performance.now() - timedFrom) / 1000;
console.log(`${who} line ${line}: ${ops} ops, ${Math.round(ops / elapsed)} ops/s`);
await c.close();
rmSync(dir, { recursive: true, force: true });
