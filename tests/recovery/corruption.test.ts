/**
 * The corruption suite: a profile with memos, audio and a backup, its store then truncated, emptied, deleted, or
 * with bits flipped in data and in meta pages. Each opening runs in a child process (a store LMDB maps blindly
 * crashes it with SIGBUS or SIGSEGV); each must end in a clear state with a way back that brings the memos back.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { IpcResult, StoreStatus } from '../../src-shared/contract';
import { storePath } from '../../src-main/db';
import { openSession } from '../../src-main/session';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { tempDir } from '../main/db/helpers';

const MEMOS = 300;

interface Opening {
  before: StoreStatus;
  answer: IpcResult | null;
  after: StoreStatus;
  memos: number | { code: string; message: string };
}

/** Opens the profile in a child (and calls `method` there); fails on a native crash or any non-zero exit. */
async function openInChild(profileDir: string, method?: string, args?: unknown): Promise<Opening> {
  const argv = ['--import', 'tsx', 'tests/recovery/session-worker.ts', profileDir, ...(method ? [method, JSON.stringify(args ?? {})] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, argv, { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Opening;
}

/** A profile with MEMOS memos and an audio file, backed up (as Settings' "Back up now" does), then closed. */
async function profileWithBackup(): Promise<string> {
  const profileDir = tempDir();
  const session = await openSession({ profileDir, secrets: sessionSecretStore('test') });
  const { store, accounts } = session.core!.services;
  const user = await accounts.createProfile('zoë@example.com');
  await store.transaction((tx) => {
    for (let i = 0; i < MEMOS; i++) tx.insert('memos', { user_id: user.id, audio_url: `/audio/${i}.wav`, duration_sec: 1, title: `Mémo ${i}`, text: `Grüße ${i}` });
  });
  mkdirSync(join(profileDir, 'audio'));
  writeFileSync(join(profileDir, 'audio', '00000000-0000-4000-8000-000000000000.wav'), 'RIFF');
  expect(await session.handle('store.backup', {})).toMatchObject({ ok: true, value: { usable: true } });
  await session.close();
  return profileDir;
}

/** Flips one bit in each of `count` places: the first byte of every `step`-th UUID the file holds (keys and rows). */
function flipIdBits(path: string, count: number): void {
  const bytes = readFileSync(path);
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;
  const offsets = [...bytes.toString('latin1').matchAll(uuid)].map((m) => m.index);
  const step = Math.floor(offsets.length / count);
  for (let i = 0; i < count; i++) bytes[offsets[i * step]!]! ^= 0x01;
  writeFileSync(path, bytes);
}

/** Flips a high bit of the main tree's root page number in both meta pages: LMDB would read far past the end. */
function flipMetaRoot(path: string): void {
  const bytes = readFileSync(path);
  const pageSize = bytes.readUInt32LE(48);
  for (const meta of [0, pageSize]) bytes[meta + 136 + 4]! ^= 0x10;
  writeFileSync(path, bytes);
}

const restored = (opening: Opening) => {
  expect(opening.answer).toMatchObject({ ok: true, value: { state: 'open', problem: null } });
  expect(opening.memos).toBe(MEMOS);
};

describe('a damaged or missing store', () => {
  it('cut short: refused before LMDB maps it, then restored from the backup', async () => {
    const profileDir = await profileWithBackup();
    truncateSync(storePath(profileDir), Math.floor(readFileSync(storePath(profileDir)).length / 2));
    const opening = await openInChild(profileDir, 'store.check');
    expect(opening.before).toMatchObject({ state: 'damaged', problem: expect.stringContaining('cut short') });
    expect(opening.before.backups[0]).toMatchObject({ usable: true });
    expect(opening.answer).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } }); // nothing LMDB may open to check
    expect(opening.memos).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    restored(await openInChild(profileDir, 'store.restore'));
  }, 120_000);

  it('emptied (0 bytes): damaged, not a new empty profile; restored from the backup, the empty file kept aside', async () => {
    const profileDir = await profileWithBackup();
    truncateSync(storePath(profileDir), 0);
    const opening = await openInChild(profileDir, 'store.restore');
    expect(opening.before).toMatchObject({ state: 'damaged', problem: expect.stringContaining('empty') });
    restored(opening);
    expect(readdirSync(join(profileDir, 'damaged')).map((name) => statSync(join(profileDir, 'damaged', name)).size)).toEqual([0]);
  }, 120_000);

  it('deleted while the audio and backups remain: missing, not a new profile; restored from the backup', async () => {
    const profileDir = await profileWithBackup();
    rmSync(storePath(profileDir));
    const opening = await openInChild(profileDir, 'store.restore');
    expect(opening.before).toMatchObject({ state: 'missing', problem: expect.stringContaining('missing') });
    restored(opening);
  }, 120_000);

  it('deleted with no backup: missing until the user chooses to start afresh', async () => {
    const profileDir = await profileWithBackup();
    rmSync(join(profileDir, 'backups'), { recursive: true });
    rmSync(storePath(profileDir));
    expect(await openInChild(profileDir, 'store.restore')).toMatchObject({
      before: { state: 'missing', backups: [] },
      answer: { ok: false, error: { code: 'NOT_FOUND' } },
      after: { state: 'missing' },
      memos: { code: 'STORE_UNAVAILABLE' },
    });
    const fresh = await openInChild(profileDir, 'store.startFresh');
    expect(fresh.answer).toMatchObject({ ok: true, value: { state: 'open' } });
    expect(fresh.memos).toMatchObject({ code: 'NO_PROFILE' });
  }, 120_000);

  it('five flipped bits in data pages: the check at open finds them; rebuilt from the rows or restored, all memos back', async () => {
    const profileDir = await profileWithBackup();
    flipIdBits(storePath(profileDir), 5);
    const opening = await openInChild(profileDir);
    expect(opening.before).toMatchObject({ state: 'damaged', problem: expect.stringContaining('The store is damaged') });
    const way = opening.before.indexesOnly ? 'store.rebuild' : 'store.restore';
    const repaired = await openInChild(profileDir, way);
    expect(repaired.answer).toMatchObject({ ok: true, value: { state: 'open' } });
    expect(await openInChild(profileDir, 'store.check')).toMatchObject({ answer: { ok: true, value: { ok: true, count: 0 } } });
  }, 120_000);

  it('a flipped bit in the meta pages: refused before LMDB maps it, then restored from the backup', async () => {
    const profileDir = await profileWithBackup();
    flipMetaRoot(storePath(profileDir));
    const opening = await openInChild(profileDir, 'store.restore');
    expect(opening.before).toMatchObject({ state: 'damaged', problem: expect.stringContaining('outside the file') });
    restored(opening);
  }, 120_000);

  it('a wrong LMDB signature: refused, then restored', async () => {
    const profileDir = await profileWithBackup();
    const bytes = readFileSync(storePath(profileDir));
    bytes[24]! ^= 0x04;
    writeFileSync(storePath(profileDir), bytes);
    const opening = await openInChild(profileDir, 'store.restore');
    expect(opening.before).toMatchObject({ state: 'damaged', problem: expect.stringContaining('signature') });
    restored(opening);
  }, 120_000);
});
