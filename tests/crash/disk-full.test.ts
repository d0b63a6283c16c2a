/**
 * A full disk, for real: a profile on a 2 MB tmpfs (mounted here, so only as root; skipped elsewhere, and says
 * so), opened as the app opens it (the core behind the IPC router). Filling it must not end the process (vitest
 * fails a run on any unhandled rejection): the writes of the failed batch reject with a retryable DISK_FULL, the
 * store says `disk-full` (in `app.status` and as a `store.health` event), an IPC write answers DISK_FULL at once,
 * reads go on, and the app saves again by itself once the file system has room.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IpcResult } from '../../src-shared/contract';
import { createCore } from '../../src-main/core';
import { StoreError, type StoreHealth } from '../../src-main/db';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { tempDir } from '../main/db/helpers';

function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const root = tempDir();
const canMount = process.getuid?.() === 0 && mountTmpfs(root, '2m');

describe.skipIf(!canMount)('a full disk (a real 2 MB tmpfs; needs root to mount it)', () => {
  it('refuses writes with DISK_FULL, keeps reading, and saves again when space returns', async () => {
    const profileDir = join(root, 'profile');
    mkdirSync(profileDir);
    const core = await createCore({ profileDir, secrets: sessionSecretStore('test'), saveFile: async () => null });
    await core.services.generation.stop();
    const store = core.services.store;
    const states: StoreHealth['state'][] = [];
    const events: unknown[] = [];
    store.onHealth((h) => states.push(h.state));
    core.subscribe((event, payload) => event === 'store.health' && events.push(payload));
    const status = async () => ((await core.handle('app.status', undefined)) as IpcResult<{ store: StoreHealth }> & { ok: true }).value.store;
    try {
      const created = await core.handle('profile.create', { email: 'plein@exemple.fr' });
      expect(created.ok).toBe(true);
      const user = store.query('users', {})[0]!;
      const acknowledged: string[] = [];
      let rejected: unknown[] = [];
      const memo = () => store.insert('memos', { user_id: user.id, audio_url: 'a.wav', duration_sec: 1, text: 'é'.repeat(1500) });
      while (rejected.length === 0) {
        const results = await Promise.allSettled([memo(), memo(), memo(), memo()]);
        for (const r of results) {
          if (r.status === 'fulfilled') acknowledged.push(r.value.id);
        }
        rejected = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
        expect(acknowledged.length).toBeLessThan(5_000); // the disk fills long before
      }
      for (const error of rejected) {
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).code).toBe('DISK_FULL');
        expect((error as StoreError).retryable).toBe(true);
      }
      expect(store.health().state).toBe('disk-full');
      expect(states).toEqual(['disk-full']);
      expect(events).toMatchObject([{ state: 'disk-full' }]);
      expect(await status()).toMatchObject({ state: 'disk-full' });

      // Refused at once while the disk is full (also over IPC); reads go on, and nothing acknowledged is missing.
      await expect(memo()).rejects.toMatchObject({ code: 'DISK_FULL' });
      const refused = await core.handle('settings.update', { theme: 'dark' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'DISK_FULL', details: { retryable: true } } });
      expect((await core.handle('profile.get', undefined)).ok).toBe(true);
      expect(store.count('memos')).toBe(acknowledged.length);
      expect(store.get('memos', acknowledged.at(-1)!)?.user_id).toBe(user.id);

      // Space returns: the store notices by itself (its probe commits) and saves again.
      execFileSync('mount', ['-o', 'remount,size=64m', root]);
      const deadline = Date.now() + 30_000;
      while (store.health().state !== 'ok') {
        expect(Date.now() < deadline, 'the store did not notice the space within 30 s').toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(states).toEqual(['disk-full', 'ok']);
      expect(events).toEqual([expect.objectContaining({ state: 'disk-full' }), { state: 'ok' }]);
      expect(await status()).toEqual({ state: 'ok' });
      expect(await core.handle('settings.update', { theme: 'dark' })).toMatchObject({ ok: true });
      const after = await memo();
      expect(store.get('memos', after.id)).toBeDefined();
      expect(store.count('memos')).toBe(acknowledged.length + 1);
      expect(store.get('users', user.id)).toBeDefined();
      expect(store.checkIntegrity()).toEqual([]);
    } finally {
      await core.close();
      execFileSync('umount', [root]);
    }
  }, 60_000);
});
