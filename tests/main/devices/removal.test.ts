/**
 * Removing a computer that will never come back, and the audio of memos deleted everywhere leaving the folder once
 * every computer has read the deletion.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src-main/services/devices/folder';
import { BLOBS_DIR, CHANGES_DIR, DEVICES_DIR, ROOT_DIR } from '../../../src-shared/sync/format';
import { failure } from '../db/helpers';
import { computer, makeMemo, syncFolder, type Computer } from './helpers';

const idOf = (c: Computer) => c.devices.status().deviceId!;
const dirOf = (folder: string, c: Computer) => join(folder, ROOT_DIR, DEVICES_DIR, idOf(c));
const changeFiles = (folder: string, c: Computer) => readdirSync(join(dirOf(folder, c), CHANGES_DIR)).filter((n) => !n.startsWith('.'));
const blob = (folder: string, c: Computer, bytes: Uint8Array) => join(dirOf(folder, c), BLOBS_DIR, sha256Hex(bytes));

describe('removing a computer from the list', () => {
  it('stops waiting for its files and lets this computer’s old files go; it is back if it ever writes again', async () => {
    const folder = syncFolder();
    const home = await computer('2026-12-02T08:00:00.000Z', { snapshotEvery: 1 });
    const office = await computer('2026-12-02T08:00:00.000Z', { snapshotEvery: 1 });
    const laptop = await computer('2026-12-02T08:00:00.000Z', { snapshotEvery: 1 });
    await home.devices.configure({ folder, name: 'Home' });
    await office.devices.configure({ folder, name: 'Office' });
    await laptop.devices.configure({ folder, name: 'Old laptop' });
    await home.devices.run();
    await office.devices.run();
    // The laptop's last change file never fully arrived (the carrier lost it half-way), then the laptop died.
    await makeMemo(laptop, { title: 'Never whole' });
    await laptop.devices.run();
    const last = join(dirOf(folder, laptop), CHANGES_DIR, changeFiles(folder, laptop).sort().at(-1)!);
    const whole = readFileSync(last, 'utf8');
    writeFileSync(last, whole.slice(0, 40));

    for (const title of ['Eins', 'Zwei', 'Drei']) {
      await makeMemo(home, { title });
      await home.devices.run();
    }
    await office.devices.run();
    const waiting = await home.devices.run();
    expect(waiting).toMatchObject({ state: 'pending', toRead: 1 });
    const kept = changeFiles(folder, home);
    expect(kept.length).toBeGreaterThanOrEqual(3); // the laptop has not read them

    expect(await failure(home.devices.remove(idOf(home)))).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await failure(home.devices.remove('0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'))).toMatchObject({ code: 'NOT_FOUND' });
    const removed = await home.devices.remove(idOf(laptop));
    expect(removed).toMatchObject({ state: 'in-step', toRead: 0 });
    expect(removed.devices.map((d) => d.name).sort()).toEqual(['Home', 'Office']);
    expect(changeFiles(folder, home).length).toBeLessThan(kept.length); // what the office has read went
    await makeMemo(home, { title: 'Vier' });
    expect((await home.devices.run()).state).toBe('in-step');
    await expect(failure(home.devices.remove(idOf(laptop)))).resolves.toMatchObject({ code: 'NOT_FOUND' });

    // The laptop comes back after all (and the carrier delivers its file): it is listed again, and catches up
    // from the snapshots.
    writeFileSync(last, whole);
    await makeMemo(laptop, { title: 'Zurück' });
    await laptop.devices.run();
    const back = await home.devices.run();
    expect(back.devices.map((d) => d.name).sort()).toEqual(['Home', 'Office', 'Old laptop']);
    expect(home.store.query('memos', { title: 'Zurück' })).toHaveLength(1);
    await laptop.devices.run();
    expect(laptop.store.query('memos', { user_id: laptop.user.id }).map((m) => m.title)).toEqual(expect.arrayContaining(['Eins', 'Zwei', 'Drei', 'Vier']));
  });
});

describe('the audio of memos deleted everywhere', () => {
  it('leaves the folder once every computer has read the deletion, never while a memo uses it', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    const laptop = await computer();
    const spoken = new Uint8Array([82, 73, 70, 70, 1, 2, 3]);
    const shared = new Uint8Array([82, 73, 70, 70, 9, 9, 9]);
    const gone = await makeMemo(home, { title: 'Weg damit', audio: spoken });
    const twin = await makeMemo(home, { title: 'Zwilling A', audio: shared });
    const other = await makeMemo(home, { title: 'Zwilling B', audio: shared });
    for (const c of [home, office, laptop]) await c.devices.configure({ folder, audio: 'all' });
    await home.devices.run();
    expect(existsSync(blob(folder, home, spoken))).toBe(true);
    expect(existsSync(blob(folder, home, shared))).toBe(true);

    await office.memos.delete(office.user.id, gone.id);
    await office.memos.delete(office.user.id, twin.id);
    await office.devices.run();
    await home.devices.run();
    expect(home.store.get('memos', gone.id)).toBeUndefined();
    // The laptop has not read the deletion yet: the audio stays for it.
    expect(existsSync(blob(folder, home, spoken))).toBe(true);

    await laptop.devices.run();
    expect(laptop.store.get('memos', gone.id)).toBeUndefined();
    await home.devices.run();
    expect(existsSync(blob(folder, home, spoken))).toBe(false);
    // The twin's audio is still another memo's.
    expect(existsSync(blob(folder, home, shared))).toBe(true);
    expect([...readFileSync(join(laptop.audio.dir, `${other.id}.wav`))]).toEqual([...shared]);
  });
});
