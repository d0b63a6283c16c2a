/**
 * `npm run bench`: the same work on our store, on better-sqlite3 and on hand-written lmdb-js, in one process and
 * one run, each in a fresh temp directory; prints ops/s, the ratios and the targets, PASS or MISS per line.
 *
 *   npm run bench                       full sizes (about two and a half minutes on 2 cores)
 *   npm run bench -- --quick            a tenth of the work, to check the bench itself
 *   npm run bench -- --json out.json    also writes the figures (npm run bench runs tests/bench/all.ts)
 *
 * Every line's work is cut into chunks (writes) or rounds (reads) that the three contenders take in turn, in a
 * rotating order, so that a burst of load from elsewhere on the machine falls on all three alike rather than on
 * whichever was running. Writes: the chunks' times add up. Reads: one untimed warm-up round each, then the
 * median round counts; their notes give the same ratios by CPU time, which other processes on a loaded machine bend
 * less than the clock.
 *
 * It is never a test: nothing here asserts a time. It does check that the three did the same work (same counts,
 * same rows back, same plans), and exits non-zero when they did not, so it cannot silently measure nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Contender, LoadRow, LoadTable } from './contender';
import { FULL, expectedRate, generate, scaled, type RateCall } from './data';
import { LmdbRaw } from './lmdb-raw';
import { Ours } from './ours';
import { Sqlite } from './sqlite';

// ---------------------------------------------------------------------------------------------------------------
// Arguments, environment

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonFile) throw new Error('--json needs a file name');
const quick = argv.includes('--quick');
const sizes = quick ? scaled(FULL, 0.1) : FULL;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
/** Part `i` of `n` of a list (the parts cover it exactly). */
const part = <T>(list: readonly T[], i: number, n: number) => list.slice(Math.floor((list.length * i) / n), Math.floor((list.length * (i + 1)) / n));

// ---------------------------------------------------------------------------------------------------------------
// Checks: the three must agree, or the figures mean nothing.

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  if (!ok) {
    failures.push(what);
    console.error(`  CHECK FAILED: ${what}`);
  }
}
function same<T>(what: string, values: Map<string, T>): T | undefined {
  const distinct = new Set([...values.values()].map((v) => JSON.stringify(v)));
  check(distinct.size === 1, `${what}: ${[...values].map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  return values.values().next().value;
}

// ---------------------------------------------------------------------------------------------------------------
// The contenders, each in a fresh temp directory

const root = mkdtempSync(join(tmpdir(), 'agent-talk-bench-'));
const ours = new Ours();
const sqlite = new Sqlite();
const raw = new LmdbRaw();
const contenders: Contender[] = [ours, sqlite, raw];
/** Turn k of a line runs the contenders in a rotated order: no one is always first, or always after another. */
const rotation = (k: number) => contenders.map((_, i) => contenders[(i + k) % contenders.length]!);

async function loadInBatches(c: Contender, table: LoadTable, rows: readonly LoadRow[], size = 1_000): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await c.load(table, rows.slice(i, i + size));
}

/** Before a line: collect garbage and let every contender finish its background work. */
async function quiet(): Promise<void> {
  for (const c of contenders) await c.settle();
  gc();
  await sleep(100);
}

// ---------------------------------------------------------------------------------------------------------------
// Lines

interface Line {
  id: string;
  title: string;
  unit: string;
  /** Operations timed per contender. */
  ops: number;
  read: boolean;
  /** ops/s per contender name. */
  perSecond: Record<string, number>;
  /** Seconds per chunk (writes) or per round (reads), per contender name. */
  seconds: Record<string, number[]>;
  /** Reads: the process's CPU seconds per round, per contender name (less bent by other processes than the clock). */
  cpuSeconds?: Record<string, number[]>;
  /** Shown for information, without a target. */
  info?: boolean;
  note?: string;
}

type LineSpec = Pick<Line, 'id' | 'title' | 'unit' | 'ops' | 'info'>;
const lines: Line[] = [];
let turn = 0;

/**
 * Times a write line: its work in `chunks` parts, the contenders taking each part in turn; ops/s from the sum of
 * a contender's chunk times. A write changes the store, so nothing is repeated.
 */
async function writeLine(spec: LineSpec, chunks: number, run: (c: Contender, chunk: number) => Promise<void>, verify: (c: Contender) => void): Promise<Line> {
  const seconds: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  await quiet();
  for (let chunk = 0; chunk < chunks; chunk++) {
    for (const c of rotation(turn++)) {
      await c.settle();
      await sleep(5);
      const start = performance.now();
      await run(c, chunk);
      seconds[c.name]!.push((performance.now() - start) / 1000);
    }
  }
  contenders.forEach(verify);
  const perSecond = Object.fromEntries(contenders.map((c) => [c.name, spec.ops / sum(seconds[c.name]!)]));
  return report({ ...spec, read: false, perSecond, seconds });
}

/**
 * Times a read line: one untimed warm-up round each, then `readRounds` rounds (each a part of the work, so the
 * rounds together are `ops`), the contenders taking each round in turn; ops/s of the median round.
 * Returns each contender's answers, one per timed round.
 */
async function readLine<R>(spec: LineSpec, run: (c: Contender, round: number) => R): Promise<Map<string, R[]>> {
  const rounds = sizes.readRounds;
  const seconds: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const cpuSeconds: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const answers = new Map<string, R[]>(contenders.map((c) => [c.name, []]));
  await quiet();
  for (const c of contenders) run(c, 0);
  for (let round = 0; round < rounds; round++) {
    for (const c of rotation(turn++)) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      const answer = run(c, round);
      seconds[c.name]!.push((performance.now() - start) / 1000);
      const used = process.cpuUsage(cpu);
      cpuSeconds[c.name]!.push((used.user + used.system) / 1e6);
      answers.get(c.name)!.push(answer);
    }
  }
  const perSecond = Object.fromEntries(contenders.map((c) => [c.name, spec.ops / rounds / median(seconds[c.name]!)]));
  const line = report({ ...spec, read: true, perSecond, seconds, cpuSeconds });
  const cpuRatio = (name: string) => (median(cpuSeconds[name]!) / median(cpuSeconds.ours!)).toFixed(2);
  line.note = `by CPU time (median round) ours/sqlite ${cpuRatio('sqlite')}x, ours/lmdb-js ${cpuRatio('lmdb-js')}x`;
  return answers;
}

function report(line: Line): Line {
  lines.push(line);
  const figures = contenders.map((c) => `${c.name} ${fmt(line.perSecond[c.name]!)}`).join(', ');
  console.log(`  ${line.id.padEnd(3)} ${line.title}: ${figures} ${line.unit}/s`);
  return line;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(`Agent Talk store bench${quick ? ' (--quick: a tenth of the work)' : ''}`);
  console.log(
    `  node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, ` +
      `load average ${loadavg()[0]!.toFixed(2)} at start; temp dir ${root}`,
  );
  const data = generate(sizes);
  console.log(`  data generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  for (const c of contenders) {
    const dir = join(root, c.name);
    mkdirSync(dir);
    await c.open(dir);
    await c.load('users', data.users);
    await loadInBatches(c, 'api_keys', data.keys);
    check(c.count('api_keys') === data.keys.length, `${c.name}: api keys loaded`);
  }
  const feedAtStart = ours.raw.lastChangeSeq();
  console.log('');

  // 1. One committed write per memo.
  await writeLine(
    { id: '1', title: 'insert memo, one committed write each', unit: 'inserts', ops: sizes.singleInserts },
    10,
    async (c, chunk) => {
      for (const memo of part(data.singleMemos, chunk, 10)) await c.insertMemo(memo);
    },
    (c) => check(c.count('memos', data.writer.id) === sizes.singleInserts, `1 ${c.name}: memos written`),
  );

  // 2. Bulk: batches of `batchSize` per transaction.
  const batches: (typeof data.bulkMemos)[] = [];
  for (let i = 0; i < data.bulkMemos.length; i += sizes.batchSize) batches.push(data.bulkMemos.slice(i, i + sizes.batchSize));
  await writeLine(
    { id: '2', title: `insert ${fmt(sizes.bulkMemos)} memos, ${fmt(sizes.batchSize)} per transaction`, unit: 'rows', ops: sizes.bulkMemos },
    10,
    async (c, chunk) => {
      for (const batch of part(batches, chunk, 10)) await c.insertMemos(batch);
    },
    (c) => {
      check(c.count('memos') === sizes.singleInserts + sizes.bulkMemos, `2 ${c.name}: memo count`);
      const perUser = sizes.bulkMemos / sizes.libraryUsers;
      check(c.count('memos', data.libraryUsers[0]!.id) === perUser, `2 ${c.name}: memos of one user`);
    },
  );

  // 3. Random gets by id.
  const gets = await readLine({ id: '3', title: 'get memo by id (random)', unit: 'gets', ops: sizes.gets }, (c, round) => {
    let found = 0;
    let chars = 0;
    for (const id of part(data.getIds, round, sizes.readRounds)) {
      const memo = c.getMemo(id);
      if (memo) {
        found++;
        chars += memo.character_count ?? 0;
      }
    }
    return { found, chars };
  });
  const getAnswer = same('3 gets (found, characters per round)', gets);
  check(sum(getAnswer?.map((a) => a.found) ?? []) === sizes.gets, '3: every get found its memo');

  // 4. A user's newest memos.
  const firstUser = data.newestUsers[0]!;
  const explainNewest = ours.raw.explain('memos', { user_id: firstUser }, { orderBy: 'created_at', order: 'desc', limit: sizes.newestLimit });
  check(
    explainNewest.access === 'index' && explainNewest.index === 'idx_memos_user_created' && explainNewest.ordered && explainNewest.withRows === true,
    `4 ours: plan ${JSON.stringify(explainNewest)}`,
  );
  const sqlitePlan = sqlite.plan('SELECT * FROM memos WHERE user_id = ? ORDER BY created_at DESC LIMIT 50', firstUser);
  check(sqlitePlan.some((d) => d.includes('idx_memos_user_created')) && !sqlitePlan.some((d) => d.includes('TEMP B-TREE')), `4 sqlite: plan ${sqlitePlan.join('; ')}`);
  const newest = await readLine(
    {
      id: '4',
      title: `newest ${sizes.newestLimit} memos of a user (${fmt(sizes.bulkMemos)} memos, ${sizes.libraryUsers} users)`,
      unit: 'queries',
      ops: sizes.newestQueries,
    },
    (c, round) => {
      let rows = 0;
      for (const userId of part(data.newestUsers, round, sizes.readRounds)) rows += c.newestMemos(userId, sizes.newestLimit).length;
      return rows;
    },
  );
  check(sum(same('4 rows returned per round', newest) ?? []) === sizes.newestQueries * sizes.newestLimit, '4: every query returned its limit');
  const expectedFirst = data.bulkMemos
    .filter((m) => m.user_id === firstUser)
    .sort((a, b) => b.created_at!.localeCompare(a.created_at!))
    .slice(0, sizes.newestLimit)
    .map((m) => m.id);
  for (const c of contenders) {
    const got = c.newestMemos(firstUser, sizes.newestLimit).map((m) => m.id);
    check(JSON.stringify(got) === JSON.stringify(expectedFirst), `4 ${c.name}: the user's newest memos, newest first`);
  }

  // 5. API key by hash.
  const explainKey = ours.raw.explain('api_keys', { key_hash: data.keys[0]!.key_hash }, { limit: 1 });
  check(explainKey.access === 'index' && explainKey.covered, `5 ours: plan ${JSON.stringify(explainKey)}`);
  const keyPlan = sqlite.plan('SELECT * FROM api_keys WHERE key_hash = ?', data.keys[0]!.key_hash);
  check(keyPlan.some((d) => d.includes('USING INDEX')), `5 sqlite: plan ${keyPlan.join('; ')}`);
  const keys = await readLine({ id: '5', title: `API key by hash (${fmt(sizes.apiKeys)} keys)`, unit: 'lookups', ops: sizes.keyLookups }, (c, round) => {
    let found = 0;
    for (const hash of part(data.lookupHashes, round, sizes.readRounds)) if (c.apiKeyByHash(hash)?.key_hash === hash) found++;
    return found;
  });
  check(sum(same('5 keys found per round', keys) ?? []) === sizes.keyLookups, '5: every key found');

  // 6. Rate limit: check and increment, each call its own committed transaction.
  const allowedBy = new Map<string, number>();
  const rateVerify = (id: string, calls: RateCall[]) => (c: Contender) => {
    const expected = expectedRate(calls).allowed;
    const allowed = allowedBy.get(c.name) ?? 0;
    const total = c.rateTotal(calls[0]!.date);
    check(allowed === expected, `${id} ${c.name}: allowed ${allowed}, expected ${expected}`);
    check(total === expected, `${id} ${c.name}: counters sum to ${total}, expected ${expected}`);
    allowedBy.delete(c.name);
  };
  const hit = async (c: Contender, call: RateCall) => {
    if (await c.rateLimitHit(call)) allowedBy.set(c.name, (allowedBy.get(c.name) ?? 0) + 1);
  };
  // 6w. The first single commits after the bulk load, apart: for a while after many large transactions each
  // lmdb-js commit is slower (it merges a large free-page list), ours and the floor alike. Shown without a target;
  // 6a measures the same calls afterwards.
  const afterBulk = await writeLine(
    { id: '6w', title: 'rate-limit check+increment, one at a time, first calls after the bulk load', unit: 'calls', ops: sizes.rateCalls, info: true },
    10,
    async (c, chunk) => {
      for (const call of part(data.rateAfterBulk, chunk, 10)) await hit(c, call);
    },
    rateVerify('6w', data.rateAfterBulk),
  );
  const perCall = (name: string, chunk: number) => ((afterBulk.seconds[name]!.at(chunk)! * 1000) / (sizes.rateCalls / 10)).toFixed(2);
  afterBulk.note = `ms per call, first tenth → last tenth: ${contenders.map((c) => `${c.name} ${perCall(c.name, 0)} → ${perCall(c.name, -1)}`).join(', ')}`;
  await writeLine(
    { id: '6a', title: 'rate-limit check+increment, one call at a time', unit: 'calls', ops: sizes.rateCalls },
    10,
    async (c, chunk) => {
      for (const call of part(data.rateSequential, chunk, 10)) await hit(c, call);
    },
    rateVerify('6a', data.rateSequential),
  );
  await writeLine(
    { id: '6b', title: `rate-limit check+increment, ${sizes.rateInFlight} calls in flight`, unit: 'calls', ops: sizes.rateConcurrentCalls },
    5,
    async (c, chunk) => {
      const calls = part(data.rateConcurrent, chunk, 5);
      let next = 0;
      const worker = async () => {
        while (next < calls.length) await hit(c, calls[next++]!);
      };
      await Promise.all(Array.from({ length: sizes.rateInFlight }, worker));
    },
    rateVerify('6b', data.rateConcurrent),
  );

  // 7. Delete users with their dependents (cascades). Setup untimed.
  for (const c of contenders) {
    for (const v of data.victims) {
      await c.load('users', [v.user]);
      await c.load('api_keys', v.keys);
      await loadInBatches(c, 'memos', v.memos);
      await loadInBatches(c, 'usage_logs', v.logs);
      const dependents = c.count('memos', v.user.id) + c.count('usage_logs', v.user.id) + c.count('api_keys', v.user.id);
      check(dependents === sizes.dependents, `7 ${c.name}: ${dependents} dependents loaded, expected ${sizes.dependents}`);
    }
  }
  const seqBeforeDeletes = ours.raw.lastChangeSeq();
  const line7 = await writeLine(
    { id: '7', title: `delete a user with ${fmt(sizes.dependents)} dependent rows (cascade)`, unit: 'users', ops: sizes.deleteUsers },
    sizes.deleteUsers,
    async (c, chunk) => c.deleteUser(data.victims[chunk]!.user.id),
    (c) => {
      for (const v of data.victims) {
        const left = c.count('memos', v.user.id) + c.count('usage_logs', v.user.id) + c.count('api_keys', v.user.id);
        check(left === 0, `7 ${c.name}: ${left} dependents left`);
      }
      check(c.count('memos') === sizes.singleInserts + sizes.bulkMemos, `7 ${c.name}: other memos untouched`);
    },
  );

  // What our cascades wrote to the change feed: a delete per row, and any other entry is work beyond the floor's.
  const cascadeEntries = new Map<string, number>();
  for (const entry of ours.raw.changes(seqBeforeDeletes, Number.MAX_SAFE_INTEGER)) {
    const key = `${entry.op} ${entry.table}`;
    cascadeEntries.set(key, (cascadeEntries.get(key) ?? 0) + 1);
  }
  const extra = [...cascadeEntries].filter(([key]) => !key.startsWith('delete '));
  if (extra.length > 0) {
    line7.note =
      `our cascades also wrote ${extra.map(([key, n]) => `${fmt(n)} '${key}'`).join(', ')} feed entries ` +
      '(rows nulled by ON DELETE SET NULL, then deleted by the same cascade: see the report)';
  }

  // Our store's change feed: one entry per row inserted, updated or deleted, in the same transactions.
  const victimRows = data.victims.length * (1 + sizes.dependents);
  const rateWrites = [data.rateAfterBulk, data.rateSequential, data.rateConcurrent].map((calls) => expectedRate(calls).allowed);
  const expectedFeed = sizes.singleInserts + sizes.bulkMemos + sum(rateWrites) + 2 * victimRows + sum(extra.map(([, n]) => n));
  const feed = ours.raw.lastChangeSeq() - feedAtStart;
  check(feed === expectedFeed, `ours: change feed has ${feed} entries, expected ${expectedFeed}`);
  check(cascadeEntries.get('delete memos') === data.victims.length * data.victims[0]!.memos.length, 'ours: a delete entry per memo deleted');
  const integrityStart = performance.now();
  const problems = ours.raw.checkIntegrity();
  check(problems.length === 0, `ours: integrity check: ${problems.slice(0, 5).join('; ')}`);
  console.log(
    `  (checks: our change feed has ${fmt(feed)} new entries as expected: ${feed === expectedFeed}; ` +
      `our integrity check: ${problems.length} problems, ${((performance.now() - integrityStart) / 1000).toFixed(1)} s)`,
  );

  for (const c of contenders) await c.close();
  rmSync(root, { recursive: true, force: true });

  printTable();
  console.log(`\nTotal run ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${loadavg()[0]!.toFixed(2)} at the end.`);
  if (jsonFile) writeJson(jsonFile);
  if (failures.length > 0) {
    console.error(`\n${failures.length} check(s) failed: the figures above are not comparable.`);
    process.exitCode = 1;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const TARGET_SQLITE_WRITE = 1;
const TARGET_SQLITE_READ = 2;
const TARGET_LMDB = 0.8;

function verdict(line: Line) {
  const vsSqlite = line.perSecond.ours! / line.perSecond.sqlite!;
  const vsLmdb = line.perSecond.ours! / line.perSecond['lmdb-js']!;
  const sqliteTarget = line.read ? TARGET_SQLITE_READ : TARGET_SQLITE_WRITE;
  const missed = [...(vsSqlite < sqliteTarget ? [`sqlite<${sqliteTarget}x`] : []), ...(vsLmdb < TARGET_LMDB ? [`lmdb<${TARGET_LMDB}`] : [])];
  return { vsSqlite, vsLmdb, sqliteTarget, pass: line.info === true || missed.length === 0, missed };
}

function printTable(): void {
  const header = ['line', 'work', 'ops', 'ours/s', 'sqlite/s', 'lmdb-js/s', 'ours/sqlite', 'ours/lmdb', 'target', 'result'];
  const rows = lines.map((line) => {
    const v = verdict(line);
    return [
      line.id,
      line.title,
      fmt(line.ops),
      fmt(line.perSecond.ours!),
      fmt(line.perSecond.sqlite!),
      fmt(line.perSecond['lmdb-js']!),
      `${v.vsSqlite.toFixed(2)}x`,
      `${v.vsLmdb.toFixed(2)}x`,
      line.info ? '(info only)' : `≥${v.sqliteTarget}x sqlite, ≥${TARGET_LMDB} lmdb`,
      line.info ? '-' : v.pass ? 'PASS' : `MISS (${v.missed.join(', ')})`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([2, 3, 4, 5, 6, 7]);
  const cell = (s: string, i: number) => (right.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  console.log('');
  console.log(header.map(cell).join('  ').trimEnd());
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(r.map(cell).join('  ').trimEnd());
  console.log('');
  console.log('ops/s per contender (line 2: rows, line 7: users deleted with all their rows); ratios of ops/s, >1 means ours is faster.');
  console.log(
    `Reads (3, 4, 5): median of ${sizes.readRounds} rounds of a ${sizes.readRounds}th of the ops each, after a warm-up round. ` +
      'Writes: one run, in chunks taken in turn; the chunk times add up.',
  );
  console.log(
    `Single-committed-write lines use fewer operations: line 1 ${fmt(sizes.singleInserts)} inserts, lines 6w/6a ${fmt(sizes.rateCalls)} calls each, ` +
      `line 7 ${sizes.deleteUsers} users (${fmt(sizes.deleteUsers * (1 + sizes.dependents))} rows).`,
  );
  for (const line of lines) if (line.note) console.log(`Line ${line.id}: ${line.note}.`);
  const targeted = lines.filter((l) => !l.info);
  console.log(`${targeted.filter((l) => verdict(l).pass).length}/${targeted.length} lines meet their targets.`);
}

function writeJson(file: string): void {
  const out = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverageAtEnd: loadavg()[0],
    quick,
    sizes,
    targets: { sqliteWrite: TARGET_SQLITE_WRITE, sqliteRead: TARGET_SQLITE_READ, lmdb: TARGET_LMDB },
    lines: lines.map((line) => {
      const v = verdict(line);
      return {
        id: line.id,
        title: line.title,
        unit: line.unit,
        ops: line.ops,
        read: line.read,
        opsPerSecond: line.perSecond,
        secondsPerPart: line.seconds,
        cpuSecondsPerRound: line.cpuSeconds,
        oursVsSqlite: v.vsSqlite,
        oursVsLmdb: v.vsLmdb,
        info: line.info === true,
        note: line.note,
        pass: line.info ? null : v.pass,
        missed: line.info ? [] : v.missed,
      };
    }),
    checksFailed: failures,
  };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`Figures written to ${file}.`);
}

await main();
