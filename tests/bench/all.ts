/**
 * `npm run bench`: the store bench, the offline-voice bench, the agent API bench, the sync bench and the devices (folder sync) bench, each with the arguments given
 * (`--quick`, `--json FILE`). With `--json FILE`, each bench writes its figures beside the others and FILE gets
 * them all: `{ "store": ..., "tts": ..., "agentApi": ..., "sync": null, "devices": ... }` (the sync bench prints its figures only). Exits non-zero when any bench does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonFile) throw new Error('--json needs a file name');
const rest = jsonAt >= 0 ? argv.filter((_, i) => i !== jsonAt && i !== jsonAt + 1) : argv;

const parts = { store: 'tests/bench/store.bench.ts', tts: 'tests/bench/tts.bench.ts', agentApi: 'tests/bench/agent-api.bench.ts', sync: 'tests/bench/sync.bench.ts', devices: 'tests/bench/devices.bench.ts' };
const dir = mkdtempSync(join(tmpdir(), 'agent-talk-bench-json-'));
const figures: Record<string, unknown> = {};
let failed = false;
for (const [name, script] of Object.entries(parts)) {
  const out = join(dir, `${name}.json`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...rest, ...(jsonFile ? ['--json', out] : [])], { stdio: 'inherit' });
  if (run.status !== 0) failed = true;
  if (jsonFile) {
    try {
      figures[name] = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      figures[name] = null; // that bench ended before writing its figures; its output above says why
    }
  }
}
if (jsonFile) {
  writeFileSync(jsonFile, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`All figures written to ${jsonFile}.`);
}
rmSync(dir, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
