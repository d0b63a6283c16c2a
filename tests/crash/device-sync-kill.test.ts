import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../main/db/helpers';
import { computer, travellingState } from '../main/devices/helpers';

/** Runs the worker until `killWhen` says (on its output so far), then SIGKILLs it; returns its output lines. */
function runUntilKilled(args: string[], killWhen: (lines: string[]) => boolean, delayMs = 0): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/device-sync-worker.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (!killing && killWhen(out.split('\n'))) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve(out.split('\n').filter(Boolean)));
  });
}

describe('device sync killed mid-write and mid-apply', () => {
  it('converges after restart with nothing lost or doubled', async () => {
    const folder = join(tempDir(), 'Sync');
    mkdirSync(folder);
    const writer = tempDir();
    const reader = tempDir();
    // The reading computer joins first, so the writer keeps every file for it (none is removed as read by all).
    expect(await runUntilKilled(['read', reader, folder], () => false)).toContain('done');
    // Killed twice while writing memos and their change files (and audio blobs) into the folder.
    const memo = (line: string) => /^[0-9a-f-]{36}$/.test(line);
    const first = await runUntilKilled(['write', writer, folder], (lines) => lines.filter(memo).length >= 60);
    const second = await runUntilKilled(['write', writer, folder], (lines) => lines.filter(memo).length >= 60);
    const acknowledged = [...first, ...second].filter(memo);
    // Killed while applying that backlog, twice: after its 3rd file committed, then after 3 more.
    for (let kill = 0; kill < 2; kill++) {
      const out = await runUntilKilled(['read', reader, folder], (lines) => lines.filter((l) => l === 'applied').length >= 3);
      expect(out).not.toContain('done');
    }

    const a = await computer('2026-12-02T08:00:00.000Z', { profileDir: writer });
    const b = await computer('2026-12-02T08:00:00.000Z', { profileDir: reader });
    for (let i = 0; i < 2; i++) {
      await a.devices.run();
      await b.devices.run();
    }
    expect(a.devices.status()).toMatchObject({ state: 'in-step', toWrite: 0, problems: [] });
    expect(b.devices.status()).toMatchObject({ state: 'in-step', toRead: 0, problems: [] });
    const memos = new Set(b.store.list('memos').map((m) => m.id));
    for (const id of acknowledged) expect(memos.has(id)).toBe(true);
    for (const id of acknowledged) expect(existsSync(join(b.audio.dir, `${id}.wav`))).toBe(true);
    expect(travellingState(b)).toEqual(travellingState(a));
    // One call counted per memo, on both computers: nothing lost, nothing counted twice.
    const calls = (c: typeof a) => c.store.list('rate_limits').reduce((n, r) => n + (r.count ?? 0), 0);
    expect(calls(b)).toBe(calls(a));
    expect(calls(a)).toBe(a.store.count('memos'));
    // No temporary file of a killed write is left in the folder.
    const own = join(folder, 'agent-talk-sync', 'devices', a.devices.status().deviceId!, 'changes');
    expect(readdirSync(own).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 300_000);
});
