/**
 * `npx tsx tests/bench/agent-api.bench.ts [--quick]`: the agent API against the offline engine alone, in one run on
 * this machine, with the targets and PASS or MISS per line.
 *
 * - A 100-character memo in Sally's voice (flite:slt), made through `POST /api/v1/memo` (key check, the exact
 *   count, the queued memo, the job, the file, the completed memo, the answer) by one client, then by 8 concurrent
 *   clients: p50 and p99 latency and memos per second. Beside them, the same text through the engine alone
 *   (`synthesize`, the same worker pool), one at a time and 8 at once.
 *   Target: one client's p50 within 1.5x of the engine alone.
 * - The app's longest event-loop stall (`monitorEventLoopDelay`) while it serves both runs. Target: none over
 *   50 ms. Shown before it: the same measure on the idle loop for 3 s, to read it by on a shared machine. The clients run in this process too (fetch), so their own work is inside that figure.
 *
 * The profile is an enterprise one (no daily limit) on a fresh temporary directory. Never a test: nothing asserts a
 * time; it exits non-zero if a memo is not answered 201 with audio, so it cannot measure nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCore } from '../../src-main/core';
import { sessionSecretStore } from '../../src-main/services/secrets';

const quick = process.argv.includes('--quick');
const SINGLE = quick ? 5 : 20;
const PER_CLIENT = quick ? 2 : 5;
const CLIENTS = 8;
const VOICE = 'flite:slt';
const TEXT = 'Your meeting with the design team moved to half past three. Bring the mockups and the budget, Samir.';
if (TEXT.length !== 100) throw new Error(`the bench text has ${TEXT.length} characters, not 100`);

const percentile = (xs: readonly number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

function line(name: string, value: number, unit: string, target?: { op: '<=' | '>='; value: number }) {
  const verdict = target ? ((target.op === '<=' ? value <= target.value : value >= target.value) ? 'PASS' : 'MISS') : '-';
  const goal = target ? `${target.op} ${target.value.toFixed(1)} ${unit}` : '';
  console.log(`  ${name.padEnd(52)} ${`${value.toFixed(1)} ${unit}`.padStart(12)}   ${goal.padEnd(14)} ${verdict}`);
}

/** Runs `clients` loops of `each` timed calls at once; answers every latency (ms) and the wall time. */
async function timed(clients: number, each: number, run: () => Promise<void>) {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < each; i++) {
        const at = performance.now();
        await run();
        latencies.push(performance.now() - at);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

async function main() {
  const profileDir = mkdtempSync(join(tmpdir(), 'agent-talk-bench-api-'));
  const core = await createCore({ profileDir, secrets: sessionSecretStore('bench: session-only secrets'), agentApi: { port: 0 } });
  try {
    const user = await core.services.accounts.createProfile('bench@example.com');
    await core.services.subscriptions.set(user.id, { tier: 'enterprise', status: 'active' });
    const { fullKey } = await core.services.keys.create(user.id, { name: 'Bench' });
    const address = core.agentApi!.view().address!;
    const { engine } = core.services.tts.resolve(VOICE);
    const engineAlone = async () => void (await engine.synthesize(TEXT, VOICE));
    const throughApi = async () => {
      const answer = await fetch(`${address}/api/v1/memo`, { method: 'POST', headers: { Authorization: `Bearer ${fullKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ text: TEXT, voice: VOICE }) });
      const memo = (await answer.json()) as { audio?: { duration?: number } };
      if (answer.status !== 201 || !(memo.audio?.duration && memo.audio.duration > 1)) throw new Error(`a memo was answered ${answer.status} without audio`);
    };

    console.log(`Agent API: Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}; a ${TEXT.length}-character memo`);
    console.log(`  ${'line'.padEnd(52)} ${'figure'.padStart(12)}   ${'target'.padEnd(14)} result`);
    await engineAlone(); // warm-up: the module compiled, V8's optimizing tier on the hot code
    await throughApi();

    const alone1 = await timed(1, SINGLE, engineAlone);
    // One histogram per serving run: a histogram enabled again would count the pause between runs as a stall.
    const serving = async (clients: number, each: number) => {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const result = await timed(clients, each, throughApi);
      delay.disable();
      return { ...result, stallMs: delay.max / 1e6 };
    };
    // To read the stall by: the same measure on this process's idle loop (other processes on a shared machine stall it too).
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    idle.disable();
    const api1 = await serving(1, SINGLE);
    const alone8 = await timed(CLIENTS, PER_CLIENT, engineAlone);
    const api8 = await serving(CLIENTS, PER_CLIENT);

    const aloneP50 = percentile(alone1.latencies, 50);
    line('engine alone, 1 at a time: p50', aloneP50, 'ms');
    line('engine alone, 1 at a time: p99', percentile(alone1.latencies, 99), 'ms');
    line('agent API, 1 client: p50', percentile(api1.latencies, 50), 'ms', { op: '<=', value: aloneP50 * 1.5 });
    line('agent API, 1 client: p99', percentile(api1.latencies, 99), 'ms');
    line('agent API, 1 client: memos/s', (api1.latencies.length / api1.wallMs) * 1000, 'memos/s');
    line(`engine alone, ${CLIENTS} at once: p50`, percentile(alone8.latencies, 50), 'ms');
    line(`engine alone, ${CLIENTS} at once: memos/s`, (alone8.latencies.length / alone8.wallMs) * 1000, 'memos/s');
    line(`agent API, ${CLIENTS} clients: p50`, percentile(api8.latencies, 50), 'ms');
    line(`agent API, ${CLIENTS} clients: p99`, percentile(api8.latencies, 99), 'ms');
    line(`agent API, ${CLIENTS} clients: memos/s`, (api8.latencies.length / api8.wallMs) * 1000, 'memos/s');
    line('  longest stall of the idle loop, for reference', idle.max / 1e6, 'ms');
    line('longest event-loop stall while serving', Math.max(api1.stallMs, api8.stallMs), 'ms', { op: '<=', value: 50 });
  } finally {
    await core.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

await main();
