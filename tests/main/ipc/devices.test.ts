import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceSyncStatus, IpcResult } from '../../../src-shared/contract';
import { createCore, type Core } from '../../../src-main/core';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { tempDir } from '../db/helpers';

const cores: Core[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});

async function core() {
  const c = await createCore({ profileDir: tempDir(), secrets: sessionSecretStore('test') });
  cores.push(c);
  return c;
}

const value = (result: IpcResult<unknown>) => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as DeviceSyncStatus;
};

describe('Sync between computers over IPC', () => {
  it('refuses a relative path or a folder before the profile exists, with a typed error, and changes nothing', async () => {
    const c = await core();
    expect(await c.handle('devices.update', { folder: join(tempDir(), 'Sync') })).toMatchObject({ ok: false, error: { code: 'NO_PROFILE' } });
    await c.handle('profile.create', { email: 'zoe@example.com' });
    expect(await c.handle('devices.update', { folder: 'Sync' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await c.handle('devices.update', { folder: '/tmp/x', secret: 'no' })).toMatchObject({ ok: false });
    expect(value(await c.handle('devices.status', undefined))).toMatchObject({ state: 'off', folder: null });
  });

  it('says when the chosen folder is not there (an unplugged drive), then syncs once it is, and pushes the state as an event', async () => {
    const c = await core();
    await c.handle('profile.create', { email: 'zoe@example.com' });
    const events: DeviceSyncStatus[] = [];
    const stop = c.subscribe((event, payload) => event === 'devices.status' && events.push(payload as DeviceSyncStatus));
    const folder = join(tempDir(), 'USB-Stick');
    expect(value(await c.handle('devices.update', { folder, name: 'Küche' }))).toMatchObject({ state: 'unavailable', name: 'Küche', message: expect.stringMatching(/not available/) });
    mkdirSync(folder);
    const synced = value(await c.handle('devices.syncNow', undefined));
    expect(synced).toMatchObject({ state: 'in-step', devices: [{ name: 'Küche', self: true }] });
    expect(events.at(-1)).toMatchObject({ state: 'in-step' });
    stop();
  });
});
