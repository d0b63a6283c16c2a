/**
 * `npx tsx tests/bench/sync.bench.ts [--json FILE]`: cloud sync against the contract server, on this machine.
 * - pull: an account with 100 keys and a year of daily usage, into a fresh profile (one sync);
 * - push: 1,000 queued key changes (renames of those keys, then 20 revokes) in one sync.
 * Each line: wall time, and the main thread's longest stall (`monitorEventLoopDelay`; target: none over 50 ms).
 * The contract server runs in a child process (sync-server.ts), so the stall measured is the app's alone. It is
 * never a test; it checks that the server ends with what was pushed, and exits non-zero when not.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { openAgentTalkStore } from '../../src-main/db';
import { createServices } from '../../src-main/services';
import { sessionSecretStore } from '../../src-main/services/secrets';

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonFile) throw new Error('--json needs a file name');

const TARGET_STALL_MS = 50;

interface Figure {
  ms: number;
  /** The event loop's longest delay (wall time: on a loaded machine, time the process waited for a core counts). */
  stallMs: number;
  /** The CPU time this process spent within the longest gap between two 5 ms ticks: the part of a stall that is its own work. */
  busyMs: number;
}

async function measure<T>(work: () => Promise<T>): Promise<Figure & { value: T }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let lastTick = performance.now();
  let lastCpu = process.cpuUsage();
  let longestGap = 0;
  let busyMs = 0;
  const ticks = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    if (now - lastTick > longestGap) {
      longestGap = now - lastTick;
      busyMs = (cpu.user + cpu.system) / 1000;
    }
    lastTick = now;
    lastCpu = process.cpuUsage();
  }, 5);
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  clearInterval(ticks);
  delay.disable();
  return { ms, stallMs: delay.max / 1e6, busyMs, value };
}

const line = (what: string, { ms, stallMs, busyMs }: Figure) =>
  console.log(
    `sync  ${what.padEnd(52)} ${(ms / 1000).toFixed(2).padStart(7)} s   longest stall ${stallMs.toFixed(1).padStart(6)} ms (${busyMs.toFixed(1)} ms of it busy)  ${stallMs <= TARGET_STALL_MS ? 'PASS' : 'MISS'} (≤ ${TARGET_STALL_MS} ms)`,
  );

/** The contract server in its own process; answers its URL and a way to ask it for the account's end state. */
async function startServer(): Promise<{ child: ChildProcess; url: string; state(): Promise<{ keys: number; revoked: number }> }> {
  const child = fork(join(import.meta.dirname, 'sync-server.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const first = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the contract server exited (${code}) before it started`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const { url } = JSON.parse(first) as { url: string };
  return {
    child,
    url,
    state: () =>
      new Promise((resolve) => {
        child.once('message', (answer) => resolve(answer as { keys: number; revoked: number }));
        child.send('state');
      }),
  };
}

const server = await startServer();
const dir = mkdtempSync(join(tmpdir(), 'agent-talk-sync-bench-'));
const load = loadavg();
console.log(`Sync: Node ${process.version}, ${cpus().length} cores, load average ${load.map((n) => n.toFixed(2)).join(' ')}; the contract server in a child process`);
try {
  const store = await openAgentTalkStore({ profileDir: dir });
  const services = createServices({ store, secrets: sessionSecretStore('bench'), profileDir: dir });
  const me = await services.accounts.createProfile('bench@example.com');
  await services.settings.update({ cloudUrl: server.url });
  await services.sync.link.signIn('bench@example.com', 'correct horse battery');

  const pull = await measure(() => services.sync.syncNow());
  line('pull 100 keys and a year of daily usage', pull);
  const keys = store.query('api_keys', { user_id: me.id }).filter((k) => k.origin === 'cloud');
  const days = store.count('cloud_usage');

  const queue = await measure(async () => {
    for (let i = 0; i < 980; i++) await services.sync.keys.rename(me.id, keys[i % keys.length]!.id, `Renamed ${i}`);
    for (let i = 0; i < 20; i++) await services.sync.keys.revoke(me.id, keys[i]!.id);
  });
  line('queue 1,000 key changes (offline, into the outbox)', queue);
  const push = await measure(() => services.sync.syncNow());
  line('push 1,000 queued key changes', push);

  const remote = await server.state();
  const ok = keys.length === 100 && days === 366 && remote.revoked === 20 && store.count('cloud_outbox', { status: 'pending' }) === 0;
  await services.sync.stop();
  await store.close();
  if (jsonFile) {
    const figure = ({ ms, stallMs, busyMs }: Figure) => ({ ms: Math.round(ms), longestStallMs: Math.round(stallMs * 10) / 10, busyInLongestGapMs: Math.round(busyMs * 10) / 10, withinTarget: stallMs <= TARGET_STALL_MS });
    const figures = { node: process.version, cores: cpus().length, loadAverage: load, targetStallMs: TARGET_STALL_MS, pull: figure(pull), queue: figure(queue), push: figure(push), endStateOk: ok };
    writeFileSync(jsonFile, `${JSON.stringify(figures, null, 2)}\n`);
  }
  if (!ok) {
    console.error(`sync bench: unexpected end state (keys ${keys.length}, days ${days}, revoked ${remote.revoked})`);
    process.exitCode = 1;
  }
} finally {
  server.child.disconnect();
  rmSync(dir, { recursive: true, force: true });
}
