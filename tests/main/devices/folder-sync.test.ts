import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_FILE, DEVICES_DIR, ROOT_DIR } from '../../../src-shared/sync/format';
import { computer, makeMemo, syncFolder, travellingState } from './helpers';

describe('sync between computers through a shared folder', () => {
  it('brings a memo with its audio, a rename, a key and its revocation to the other computer; a deletion there removes it here', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer('2026-12-02T05:00:00.000Z'); // a clock 3 h behind
    const memo = await makeMemo(home, { title: 'Einkaufsliste für Zoë', audio: new Uint8Array([1, 2, 3, 4]) });
    const { key } = await home.keys.create(home.user.id, { name: 'Agent' });
    await home.devices.configure({ folder, name: 'Home' });
    expect(await office.devices.configure({ folder, name: 'Office', audio: 'all' })).toMatchObject({ state: 'in-step' });

    const arrived = office.store.get('memos', memo.id)!;
    expect(arrived).toMatchObject({ title: 'Einkaufsliste für Zoë', status: 'completed', user_id: office.user.id, audio_url: `/audio/${memo.id}.wav` });
    expect([...readFileSync(join(office.audio.dir, `${memo.id}.wav`))]).toEqual([1, 2, 3, 4]);
    expect(office.keys.list(office.user.id).map((k) => [k.id, k.name])).toContainEqual([key.id, 'Agent']);
    // The secret stays in the keychain of the computer that made it.
    expect(await office.secrets.get(`api-key:${key.id}`)).toBeNull();

    await office.memos.rename(office.user.id, memo.id, 'Liste');
    await office.keys.revoke(office.user.id, key.id);
    await office.devices.run();
    await home.devices.run();
    expect(home.store.get('memos', memo.id)?.title).toBe('Liste');
    expect(home.store.get('api_keys', key.id)?.is_active).toBe(false);

    await office.memos.delete(office.user.id, memo.id);
    await office.devices.run();
    const status = await home.devices.run();
    expect(home.store.get('memos', memo.id)).toBeUndefined();
    expect(readdirSync(home.audio.dir)).not.toContain(`${memo.id}.wav`);
    expect(status.devices.map((d) => [d.name, d.self])).toEqual(expect.arrayContaining([['Home', true], ['Office', false]]));
    expect(travellingState(home)).toEqual(travellingState(office));
  });

  it('sums the daily counts of both computers for the limit, neither losing nor doubling a call', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    const { key } = await home.keys.create(home.user.id);
    await home.rateLimits.consume(key.id, 10);
    await home.devices.configure({ folder });
    await office.devices.configure({ folder });
    await office.rateLimits.consume(key.id, 10);
    await office.rateLimits.consume(key.id, 10);
    await home.rateLimits.consume(key.id, 10);
    for (let i = 0; i < 2; i++) {
      await home.devices.run();
      await office.devices.run();
    }
    const today = (c: typeof home) => c.store.query('rate_limits', { api_key_id: key.id })[0]?.count;
    expect([today(home), today(office)]).toEqual([4, 4]);
    expect(travellingState(home)).toEqual(travellingState(office));
  });

  it('ignores and reports conflict copies; a change file still being copied waits until whole', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    await home.devices.configure({ folder });
    const memo = await makeMemo(home, { title: 'Erst halb' });
    await home.devices.run();
    const changes = join(folder, 'agent-talk-sync', 'devices', home.devices.status().deviceId!, 'changes');
    const last = readdirSync(changes).sort().at(-1)!;
    const whole = readFileSync(join(changes, last), 'utf8');
    writeFileSync(join(changes, last), whole.slice(0, whole.length / 2));
    writeFileSync(join(changes, last.replace('.json', ' (Ada’s conflicted copy 2026-12-02).json')), 'anything');
    const waiting = await office.devices.configure({ folder });
    expect(office.store.get('memos', memo.id)).toBeUndefined();
    expect(waiting).toMatchObject({ state: 'pending', toRead: 1 });
    expect(waiting.conflicts).toEqual([expect.stringContaining('conflicted copy')]);
    writeFileSync(join(changes, last), whole);
    await office.devices.run();
    expect(office.store.get('memos', memo.id)?.title).toBe('Erst halb');
  });

  it('says when the folder is unplugged, loses nothing meanwhile, and resumes', async () => {
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    await home.devices.configure({ folder });
    await office.devices.configure({ folder });
    const { renameSync } = await import('node:fs');
    renameSync(folder, `${folder}-unplugged`);
    const memo = await makeMemo(home, { title: 'Offline' });
    const state = await home.devices.run();
    expect(state).toMatchObject({ state: 'unavailable', message: expect.stringMatching(/not available/) });
    expect(state.toWrite).toBeGreaterThan(0);
    renameSync(`${folder}-unplugged`, folder);
    expect(await home.devices.run()).toMatchObject({ state: 'in-step', toWrite: 0 });
    await office.devices.run();
    expect(office.store.get('memos', memo.id)?.title).toBe('Offline');
  });

  it('writes its own device file anew at the next round when it was damaged, so a computer joining later learns its name', async () => {
    const folder = syncFolder();
    const home = await computer();
    const homeId = (await home.devices.configure({ folder, name: 'Home' })).devices.find((d) => d.self)!.id;
    const homeFile = join(folder, ROOT_DIR, DEVICES_DIR, homeId, DEVICE_FILE);
    writeFileSync(homeFile, readFileSync(homeFile, 'utf8').slice(0, 20)); // as a carrier that lost its end leaves it

    await home.devices.run(); // nothing changed on Home, yet its file is whole again
    expect(readFileSync(homeFile, 'utf8')).toMatch(/"name":"Home"/);
    const office = await computer();
    expect((await office.devices.configure({ folder, name: 'Office' })).devices.find((d) => d.id === homeId)).toMatchObject({ name: 'Home' });
  });
});
