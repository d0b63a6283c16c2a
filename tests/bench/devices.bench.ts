/**
 * `npx tsx tests/bench/devices.bench.ts [--quick] [--json FILE]`: sync between computers through a folder, on this
 * machine, with real stores on disk.
 * - a new computer taking in 10,000 memos (without audio) that another computer wrote into the folder as a snapshot
 *   and change files: wall time and memos/s, and its ratio to inserting the same memos straight into a store
 *   (transactions of 1,000: what applying costs beyond the writes themselves);
 * - one change from one computer to the other once the carrier has delivered its file (copied into the other's
 *   folder): from the file in place to the row visible there (the store's change event), median and worst of 20,
 *   (a) with a round asked for at once, (b) found by the folder watcher (its 300 ms settling delay included).
 * The machine's load average is printed with the figures. It is never a test; it checks that every memo and change
 * arrived, and exits non-zero when not.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAgentTalkStore, type AgentTalkStore } from '../../src-main/db';
import { createServices } from '../../src-main/services';
import { createDeviceSync } from '../../src-main/services/devices';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { DEVICES_DIR, ROOT_DIR } from '../../src-shared/sync/format';

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonFile) throw new Error('--json needs a file name');
const quick = argv.includes('--quick');
const MEMOS = quick ? 1_000 : 10_000;
const CHANGES = quick ? 5 : 20;

const root = mkdtempSync(join(tmpdir(), 'agent-talk-devices-bench-'));
let seq = 0;
const dir = (name: string) => {
  const path = join(root, `${name}-${++seq}`);
  mkdirSync(path);
  return path;
};

async function computer(name: string) {
  const profileDir = dir(name);
  const store = await openAgentTalkStore({ profileDir });
  const services = createServices({ store, secrets: sessionSecretStore('bench'), profileDir });
  const user = await services.accounts.createProfile('bench@example.com');
  return { ...services, user, name };
}
type Computer = Awaited<ReturnType<typeof computer>>;

const memo = (userId: string, i: number) => ({
  user_id: userId,
  audio_url: '',
  duration_sec: 2.5,
  text: `Memo ${i}: the quick brown fox jumps over the lazy dog, and the budget meeting moved to half past three.`,
  title: `Memo ${i}`,
  voice: 'flite:slt',
  status: 'completed' as const,
});

async function insertMemos(store: AgentTalkStore, userId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1_000) {
    await store.transaction((tx) => {
      for (let j = i; j < Math.min(count, i + 1_000); j++) tx.insert('memos', memo(userId, j));
    });
  }
}

const time = async <T>(work: () => Promise<T>) => {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The carrier: copies the files of a device's directory that the other folder does not have yet, each whole. */
function deliver(from: string, to: string, device: string, delivered: Set<string>): void {
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(from, ROOT_DIR, DEVICES_DIR, device, relative), { withFileTypes: true })) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) {
        mkdirSync(join(to, ROOT_DIR, DEVICES_DIR, device, path), { recursive: true });
        walk(path);
      } else if (!entry.name.startsWith('.') && (entry.name === 'device.json' || !delivered.has(path))) {
        const target = join(to, ROOT_DIR, DEVICES_DIR, device, path);
        copyFileSync(join(from, ROOT_DIR, DEVICES_DIR, device, path), `${target}.partial`);
        renameSync(`${target}.partial`, target);
        delivered.add(path);
      }
    }
  };
  mkdirSync(join(to, ROOT_DIR, DEVICES_DIR, device), { recursive: true });
  walk('');
}

/** Waits for the memo's title to change on `c` (its store's change event); resolves with when it did. */
function arrival(c: Computer, memoId: string, title: string): Promise<number> {
  return new Promise((resolve) => {
    const stop = c.store.onChange((entries) => {
      if (entries.some((e) => e.table === 'memos' && e.id === memoId) && c.store.get('memos', memoId)?.title === title) {
        stop();
        resolve(performance.now());
      }
    });
  });
}

const problems: string[] = [];
const figures: Record<string, unknown> = { node: process.version, cores: cpus().length };
try {
  console.log(`Devices: Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);

  // 1. A new computer taking in MEMOS memos from a snapshot and change files.
  const folder = dir('Sync');
  const writerComputer = await computer('writer');
  // A snapshot after every 2 change files: the new computer finds a snapshot, not the files it covers.
  const writer = { ...writerComputer, devices: createDeviceSync({ store: writerComputer.store, audio: writerComputer.audio, snapshotEvery: 2 }) };
  await insertMemos(writer.store, writer.user.id, MEMOS);
  await writer.devices.configure({ folder, name: 'Writer' });
  // Then a few more changes after the snapshot (renames), as change files of their own.
  const renamed = writer.store.query('memos', { user_id: writer.user.id }, { limit: 100 });
  for (const m of renamed) await writer.store.update('memos', m.id, { title: `${m.title} (renamed)` });
  await writer.devices.run();
  const writerDir = join(folder, ROOT_DIR, DEVICES_DIR, writer.devices.status().deviceId!);
  const snapshots = readdirSync(writerDir).filter((n) => n.startsWith('snapshot-')).length;
  const changeFiles = readdirSync(join(writerDir, 'changes')).filter((n) => !n.startsWith('.')).length;

  const plain = await openAgentTalkStore({ profileDir: dir('plain') });
  const plainUser = await plain.insert('users', { email: 'bench@example.com' });
  const baseline = await time(() => insertMemos(plain, plainUser.id, MEMOS));
  await plain.close();

  const fresh = await computer('new');
  const load1 = loadavg()[0]!;
  const intake = await time(() => fresh.devices.configure({ folder, name: 'New computer' }));
  const arrived = fresh.store.count('memos', { user_id: fresh.user.id });
  const renamedThere = fresh.store.get('memos', renamed[0]!.id)?.title;
  if (arrived !== MEMOS || renamedThere !== `${renamed[0]!.title} (renamed)` || intake.value.state !== 'in-step') {
    problems.push(`intake: ${arrived} memos, state ${intake.value.state}, first rename ${renamedThere}`);
  }
  console.log(
    `devices  a new computer takes in ${MEMOS.toLocaleString('en')} memos (${snapshots} snapshot + ${changeFiles} change file${changeFiles === 1 ? '' : 's'})`.padEnd(86) +
      `${(intake.ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(MEMOS / (intake.ms / 1000)).toLocaleString('en').padStart(7)} memos/s  ` +
      `${(intake.ms / baseline.ms).toFixed(1)}× inserting them (${(baseline.ms / 1000).toFixed(2)} s)   load ${load1.toFixed(2)}`,
  );
  figures.intake = { memos: MEMOS, snapshots, changeFiles, ms: Math.round(intake.ms), memosPerSecond: Math.round(MEMOS / (intake.ms / 1000)), plainInsertMs: Math.round(baseline.ms), ratioToPlainInsert: +(intake.ms / baseline.ms).toFixed(2), loadAverage1m: load1 };
  await writer.store.close();
  await fresh.store.close();

  // 2. One change, from the file delivered to the row visible.
  const folderA = dir('SyncA');
  const folderB = dir('SyncB');
  const a = await computer('a');
  const b = await computer('b');
  await insertMemos(a.store, a.user.id, 100);
  await a.devices.configure({ folder: folderA, name: 'A' });
  const aId = a.devices.status().deviceId!;
  const delivered = new Set<string>();
  deliver(folderA, folderB, aId, delivered);
  await b.devices.configure({ folder: folderB, name: 'B' });
  const target = a.store.query('memos', { user_id: a.user.id }, { limit: 1 })[0]!;

  const latencies = { direct: [] as number[], watched: [] as number[] };
  for (const mode of ['direct', 'watched'] as const) {
    if (mode === 'watched') b.devices.start();
    for (let i = 0; i < CHANGES; i++) {
      const title = `${mode} change ${i}`;
      await a.store.update('memos', target.id, { title });
      await a.devices.run();
      const seen = arrival(b, target.id, title);
      const present = performance.now();
      deliver(folderA, folderB, aId, delivered);
      if (mode === 'direct') await b.devices.run();
      latencies[mode].push((await seen) - present);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await b.devices.stop();
  const load2 = loadavg()[0]!;
  const [direct, watched] = [median(latencies.direct), median(latencies.watched)];
  console.log(
    `devices  one change, file delivered → row visible: round asked at once, median of ${CHANGES}`.padEnd(86) +
      `${direct.toFixed(1).padStart(7)} ms  worst ${Math.max(...latencies.direct).toFixed(1)} ms   load ${load2.toFixed(2)}`,
  );
  console.log(
    `devices  one change, file delivered → row visible: found by the folder watcher, median of ${CHANGES}`.padEnd(86) +
      `${watched.toFixed(1).padStart(7)} ms  worst ${Math.max(...latencies.watched).toFixed(1)} ms  ${(watched / direct).toFixed(1)}× the round alone   load ${load2.toFixed(2)}`,
  );
  figures.oneChange = {
    changes: CHANGES,
    directMedianMs: +direct.toFixed(1),
    directWorstMs: +Math.max(...latencies.direct).toFixed(1),
    watchedMedianMs: +watched.toFixed(1),
    watchedWorstMs: +Math.max(...latencies.watched).toFixed(1),
    watchedToDirect: +(watched / direct).toFixed(2),
    loadAverage1m: load2,
  };
  await a.store.close();
  await b.store.close();
} catch (error) {
  problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (jsonFile) {
  writeFileSync(jsonFile, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`Figures written to ${jsonFile}`);
}
if (problems.length > 0) {
  console.error(`devices bench: ${problems.join('; ')}`);
  process.exitCode = 1;
}
