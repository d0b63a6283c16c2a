import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openAgentTalk, tempDir } from '../main/db/helpers';

/** Starts the writer and kills it with SIGKILL once it has acknowledged `after` memos; returns their ids. */
function writeUntilKilled(profile: string, after: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/writer.ts', profile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.split('\n').length > after) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended by itself (code ${code})`));
      else resolve(out.split('\n').filter((line) => line.length === 36));
    });
  });
}

describe('a process killed mid-write', () => {
  it('leaves every acknowledged write, and no row without its change-feed entry or the reverse', async () => {
    const profile = tempDir();
    const acknowledged = [...(await writeUntilKilled(profile, 200)), ...(await writeUntilKilled(profile, 400))];

    const store = await openAgentTalk(profile);
    const memos = store.list('memos');
    const ids = new Set(memos.map((m) => m.id));
    for (const id of acknowledged) expect(ids.has(id)).toBe(true);

    const feed = store.changes(0, 1_000_000);
    expect(feed.map((c) => c.seq)).toEqual(feed.map((_, i) => i + 1));
    const inserted = new Set(feed.filter((c) => c.table === 'memos' && c.op === 'insert').map((c) => c.id));
    expect(inserted).toEqual(ids);
    // Each memo committed with its usage log, in the same transaction.
    const logged = new Set(store.list('usage_logs').map((l) => (l.metadata as { memo: string }).memo));
    expect(logged).toEqual(ids);
  }, 120_000);
});
