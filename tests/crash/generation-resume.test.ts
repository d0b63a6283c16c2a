/**
 * A memo whose generation was cut short by a killed process (SIGKILL: no quit, no clean-up) is finished at the next
 * start, once the dead worker's lease has lapsed: one memo, one job, one usage entry, one call counted, one whole
 * audio file, nothing half-written left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServices } from '../../src-main/services';
import { audioDirOf } from '../../src-main/services/audio-files';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { createOfflineEngine } from '../../src-main/services/tts/engines/offline';
import { openAgentTalk, tempDir } from '../main/db/helpers';

/** Short, so the dead worker's claim lapses quickly; the same in the child and here. */
const LEASE_MS = 1_500;

interface Started {
  memoId: string;
  userId: string;
  keyId: string;
  pid: number;
}

/** Runs the worker until it says the memo is being spoken, then kills it with SIGKILL; resolves once it is dead. */
function generateUntilKilled(profileDir: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/generation-worker.ts', profileDir, String(LEASE_MS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let started: Started | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (started || out.indexOf('\n') < 0 || !line) return;
      started = JSON.parse(line) as Started;
      child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && started) resolve(started);
      else reject(new Error(`the worker ended by itself (code ${code}, signal ${signal}) before the memo was processing`));
    });
  });
}

/** The duration a canonical PCM WAV's header and data size give, read here independently of src-main. */
function wavSeconds(file: Buffer): number {
  expect(file.toString('ascii', 0, 4)).toBe('RIFF');
  expect(file.readUInt32LE(4)).toBe(file.length - 8); // the header was written for the whole file: none missing
  const channels = file.readUInt16LE(22);
  const rate = file.readUInt32LE(24);
  const bits = file.readUInt16LE(34);
  expect(file.toString('ascii', 36, 40)).toBe('data');
  const dataBytes = file.readUInt32LE(40);
  expect(dataBytes).toBe(file.length - 44);
  return dataBytes / (rate * channels * (bits / 8));
}

describe('a memo being generated when the app is killed', () => {
  it('is finished at the next start: one completed memo with its audio, counted and logged once', async () => {
    const profileDir = tempDir();
    const started = await generateUntilKilled(profileDir);

    const store = await openAgentTalk(profileDir);
    // The killed process had claimed the job and was speaking the memo: both are left `processing`, its lease running.
    expect(store.get('memos', started.memoId)?.status).toBe('processing');
    const orphaned = store.query('jobs', { memo_id: started.memoId });
    expect(orphaned).toHaveLength(1);
    expect(orphaned[0]).toMatchObject({ status: 'processing' });
    expect(orphaned[0]?.worker_id?.startsWith(`${started.pid}:`)).toBe(true);

    // What a kill in the middle of writing the audio leaves (audio-files.ts writes `.<file>.partial`, then renames).
    const audioDir = audioDirOf(profileDir);
    mkdirSync(audioDir, { recursive: true });
    writeFileSync(join(audioDir, `.${started.memoId}.wav.partial`), Buffer.alloc(4096, 1));

    const engine = createOfflineEngine();
    const services = createServices({ store, secrets: sessionSecretStore('crash test'), profileDir, engines: [engine], jobs: { leaseMs: LEASE_MS } });
    const resumedAt = performance.now();
    try {
      await services.generation.start();
      for (;;) {
        const status = store.get('memos', started.memoId)?.status;
        if (status === 'completed') break;
        expect(status === 'processing' || status === 'queued', `the memo became ${status}`).toBe(true);
        expect(performance.now() - resumedAt, 'the memo was not finished within 40 s').toBeLessThan(40_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await services.generation.stop();
      await engine.close();
    }
    console.info(`generation resume: the memo was completed ${((performance.now() - resumedAt) / 1000).toFixed(1)} s after the restart`);

    // One memo, completed, with its audio and the measured duration.
    const memos = store.query('memos', { user_id: started.userId });
    expect(memos).toHaveLength(1);
    const memo = memos[0]!;
    expect(memo).toMatchObject({ id: started.memoId, status: 'completed', error: null, audio_url: `/audio/${started.memoId}.wav` });
    expect(memo.duration_sec).toBeGreaterThan(60); // ~4,500 characters are minutes of speech

    // One job, completed by this process (the dead one's claim was taken over, not duplicated).
    const jobs = store.list('jobs');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ memo_id: memo.id, status: 'completed', locked_until: null, error: null });
    expect(jobs[0]?.worker_id?.startsWith(`${process.pid}:`)).toBe(true);

    // Logged once as created, never as failed; the call was counted once, when it was accepted, not again on resume.
    const logs = store.list('usage_logs').filter((l) => l.user_id === started.userId);
    const created = logs.filter((l) => l.action === 'memo_created');
    expect(created).toHaveLength(1);
    expect(created[0]?.metadata).toMatchObject({ memoId: memo.id, durationSec: memo.duration_sec });
    expect(logs.filter((l) => l.action === 'memo_failed' || l.action === 'error_tts')).toEqual([]);
    expect(logs.filter((l) => l.action === 'key_used')).toHaveLength(1);
    const counts = store.list('rate_limits');
    expect(counts).toHaveLength(1);
    expect(counts[0]).toMatchObject({ api_key_id: started.keyId, count: 1 });
    expect(services.rateLimits.summary(started.userId).today.used).toBe(1);
    expect(store.get('api_keys', started.keyId)?.usage_count).toBe(1);

    // The audio file is whole and matches the row; nothing partial or stray is left in the audio directory.
    const file = join(audioDir, `${memo.id}.wav`);
    expect(existsSync(file)).toBe(true);
    expect(Math.abs(wavSeconds(readFileSync(file)) - memo.duration_sec)).toBeLessThan(0.01);
    expect(readdirSync(audioDir)).toEqual([`${memo.id}.wav`]);
  }, 60_000);
});
