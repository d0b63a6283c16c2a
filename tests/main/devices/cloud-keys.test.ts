/**
 * Cloud keys (api_keys.origin = 'cloud') are the cloud account's: they come from the cloud sync on every computer,
 * never through the folder. None is written as a change; one carried by another device's file is ignored.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src-main/services/devices/folder';
import { CHANGES_DIR, DEVICES_DIR, FORMAT, FORMAT_VERSION, ROOT_DIR, changeFileName, encodeFile, type SyncOp } from '../../../src-shared/sync/format';
import { encodeHlc } from '../../../src-shared/sync/hlc';
import { computer, syncFolder, type Computer } from './helpers';

async function cloudKey(c: Computer, cloudId: string, name = 'Cloud key') {
  return c.store.insert('api_keys', {
    user_id: c.user.id,
    name,
    prefix: 'at_live_',
    key_hash: `cloud:${cloudId}`,
    key_suffix: 'abc123',
    origin: 'cloud',
    cloud_id: cloudId,
    service_url: 'https://agent-talk.example',
  });
}

/** Every op this computer wrote into the folder (change files and snapshots). */
function writtenOps(folder: string, c: Computer): string {
  const dir = join(folder, ROOT_DIR, DEVICES_DIR, c.devices.status().deviceId!);
  const files = [...readdirSync(join(dir, CHANGES_DIR)).map((n) => join(dir, CHANGES_DIR, n)), ...readdirSync(dir).filter((n) => n.startsWith('snapshot-')).map((n) => join(dir, n))];
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('cloud keys stay out of the folder', () => {
  it('never writes a cloud key, its rename, revocation or daily count as a change; local keys still travel', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    const cloud = await cloudKey(home, 'ck_1');
    const { key: local } = await home.keys.create(home.user.id, { name: 'Local agent' });
    await home.rateLimits.consume(cloud.id, 10);
    await home.devices.configure({ folder });
    await home.store.update('api_keys', cloud.id, { name: 'Renamed on the service', is_active: false });
    await home.rateLimits.consume(cloud.id, 10).catch(() => undefined);
    await home.devices.run();
    await office.devices.configure({ folder });

    const ops = writtenOps(folder, home);
    expect(ops).toContain(local.id);
    expect(ops).not.toContain(cloud.id);
    expect(ops).not.toContain('cloud:ck_1');
    expect(office.store.get('api_keys', cloud.id)).toBeUndefined();
    expect(office.store.get('api_keys', local.id)?.name).toBe('Local agent');
    expect(office.store.query('rate_limits', { api_key_id: cloud.id })).toEqual([]);
  });

  it('ignores a cloud key another device’s file carries, and leaves this computer’s cloud keys as the cloud sync set them', async () => {
    const folder = syncFolder();
    const office = await computer();
    const mine = await cloudKey(office, 'ck_mine', 'From the service');
    await office.devices.configure({ folder });

    // An older or faulty device wrote cloud keys into the folder.
    const other = randomUUID();
    const hlc = encodeHlc({ wall: Date.parse('2026-12-02T09:00:00.000Z'), counter: 0, device: other });
    const carried = randomUUID();
    const ops: SyncOp[] = [
      { op: 'put', table: 'api_keys', id: carried, hlc, values: { name: 'Carried', prefix: 'at_live_', key_hash: 'cloud:ck_other', key_suffix: 'zzz999', is_active: true, origin: 'cloud' } },
      { op: 'put', table: 'api_keys', id: mine.id, hlc, values: { name: 'Renamed through the folder', is_active: false } },
      { op: 'count', key: mine.id, date: '2026-12-02', device: other, count: 7 },
      { op: 'delete', table: 'api_keys', id: mine.id, hlc },
    ];
    const dir = join(folder, ROOT_DIR, DEVICES_DIR, other, CHANGES_DIR);
    mkdirSync(dir, { recursive: true });
    const file = { format: FORMAT, version: FORMAT_VERSION, kind: 'changes', device: other, seq: 1, deps: {}, written_at: '2026-12-02T09:00:00.000Z', ops } as const;
    writeFileSync(join(dir, changeFileName(1)), encodeFile(file, sha256Hex));

    const status = await office.devices.run();
    expect(status.toRead).toBe(0);
    expect(office.store.get('api_keys', carried)).toBeUndefined();
    expect(office.store.get('api_keys', mine.id)).toMatchObject({ name: 'From the service', is_active: true, origin: 'cloud' });
    expect(office.store.query('rate_limits', { api_key_id: mine.id })).toEqual([]);
  });
});
