/**
 * The crash suite's kill cycles as a standalone loop, to reproduce a native crash and keep what it crashed on:
 *
 *   (ulimit -c unlimited; node tests/crash/kill-loop.mjs OUT_DIR [CYCLES=300] [START_PROFILE])
 *
 * Bundles tests/crash/mixed-writer.ts, then runs it CYCLES times on one profile (a copy of START_PROFILE if given:
 * a profile of some thousand commits crashes far more often than a new one), killing it after 1..40 acknowledged
 * writes (SIGTERM every tenth cycle). Before each cycle the profile is copied aside; a cycle that ends any other way
 * (SIGSEGV, SIGBUS, an error) is logged to OUT_DIR/log.txt with the profile before it (`crash-N-pre`), after it
 * (`crash-N-post`) and its core dump if the shell allows one (`core-N`; the children run in OUT_DIR). Then:
 *   gdb -batch -ex 'bt 12' "$(which node)" OUT_DIR/core-N
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const [outArg, cyclesArg = '300', start] = process.argv.slice(2);
if (!outArg) throw new Error('usage: node tests/crash/kill-loop.mjs OUT_DIR [CYCLES] [START_PROFILE]');
const out = resolve(outArg);
mkdirSync(out, { recursive: true });
const writer = resolve('node_modules/.cache/agent-talk-crash/kill-loop-writer.mjs');
await build({ entryPoints: ['tests/crash/mixed-writer.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: writer, logLevel: 'error' });

const profile = mkdtempSync(join(tmpdir(), 'agent-talk-kill-loop-'));
if (start) cpSync(start, profile, { recursive: true });
const log = (/** @type {string} */ line) => appendFileSync(join(out, 'log.txt'), `${line}\n`);

/**
 * Runs the writer until it has acknowledged `after` writes, then kills it (or asks it to stop).
 * @param {number} after
 * @param {boolean} graceful
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, acknowledged: number, stderr: string }>}
 */
function cycle(after, graceful) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [writer, profile], { cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk) => {
      lines += chunk;
      if (!sent && lines.split('\n').length > after) {
        sent = true;
        child.kill(graceful ? 'SIGTERM' : 'SIGKILL');
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code, signal) => done({ code, signal, acknowledged: lines.split('\n').length - 1, stderr }));
  });
}

let failures = 0;
const cycles = Number(cyclesArg);
for (let n = 0; n < cycles; n++) {
  const before = join(out, 'pre');
  rmSync(before, { recursive: true, force: true });
  cpSync(profile, before, { recursive: true });
  const graceful = n % 10 === 9;
  const r = await cycle(1 + ((n * 37) % 40), graceful);
  const line = `cycle ${n}: code ${r.code}, signal ${r.signal}, ${r.acknowledged} acknowledged; ${r.stderr.slice(0, 300).replaceAll('\n', ' ')}`;
  if (r.signal === 'SIGKILL' || (graceful && r.code === 0)) {
    if (n % 20 === 0) log(line);
    continue;
  }
  failures++;
  log(`FAILED ${line}`);
  cpSync(before, join(out, `crash-${n}-pre`), { recursive: true });
  cpSync(profile, join(out, `crash-${n}-post`), { recursive: true });
  try {
    renameSync(join(out, 'core'), join(out, `core-${n}`));
  } catch {
    // no core dump (ulimit -c 0, or another core_pattern)
  }
}
log(`done: ${failures} of ${cycles} cycles failed; the profile is ${profile}`);
console.log(`${failures} of ${cycles} cycles failed (${join(out, 'log.txt')})`);
