/** `npm start` where Electron's binary cannot be fetched (issue #9): one line why, and what runs instead. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const installed = existsSync(join(root, 'node_modules/electron/path.txt'));

/** A loopback port nothing listens on: taken, then freed. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it.skipIf(installed)('says in one line that Electron is missing and that npm run start:browser runs the app, without a stack', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'agent-talk-electron-cache-'));
  try {
    const run = spawnSync(process.execPath, ['scripts/start-electron.mjs'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      // The download goes to a port that refuses it, with an empty cache: what a machine without network sees.
      env: { ...process.env, ELECTRON_MIRROR: `http://127.0.0.1:${await closedPort()}/`, electron_config_cache: cache },
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Electron is not installed here: its binary could not be downloaded \(fetch failed\)\. `npm run start:browser` runs the same app in a browser\.$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}, 150_000);
