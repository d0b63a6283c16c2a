/**
 * The root cause of a failing convergence run (seed 1239237823): the property test's carrier took a half copy it
 * had itself delivered into one computer's folder for a new version of that file and sent it back over the whole
 * original in the writing computer's own directory, so no computer could ever read that file (a key, its usage log
 * and a call were lost). This pins down the behaviour the carrier may rely on: a computer reading another's files
 * from its own copy of the folder waits while a file is half there, takes it once whole, and never writes into,
 * mends or removes the other computer's directory, so the writer's own copy stays the one the carrier carries.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computer, syncFolder, travellingState, type Computer } from './helpers';

const ownDir = (folder: string, c: Computer) => join(folder, 'agent-talk-sync', 'devices', c.devices.status().deviceId!);

describe('a change file another computer first sees half-written', () => {
  it('brings a new key, its usage log and the day’s calls once whole, and leaves the writer’s own file whole', async () => {
    const [homeFolder, officeFolder] = [syncFolder(), syncFolder()];
    const home = await computer();
    const office = await computer('2026-12-02T11:00:00.000Z'); // a clock 3 h ahead
    const { key: shared } = await home.keys.create(home.user.id, { name: 'Gemeinsam' });
    await home.devices.configure({ folder: homeFolder });
    await office.devices.configure({ folder: officeFolder });
    const carry = (from: Computer, fromFolder: string, toFolder: string) => cpSync(ownDir(fromFolder, from), ownDir(toFolder, from), { recursive: true });
    carry(home, homeFolder, officeFolder);
    await office.devices.run();
    carry(office, officeFolder, homeFolder);
    await home.devices.run();

    const { key } = await office.keys.create(office.user.id, { name: 'Schlüssel' });
    await office.rateLimits.consume(shared.id, 5);
    await office.devices.run();
    const last = office.devices.status();
    expect(last).toMatchObject({ state: 'in-step', toWrite: 0 });
    const written = join('changes', '000000000002.json');
    const whole = readFileSync(join(ownDir(officeFolder, office), written));

    // Half of it reaches home's copy of the folder: home waits, and leaves the half copy as the carrier left it.
    writeFileSync(join(ownDir(homeFolder, office), written), whole.subarray(0, whole.length >> 1));
    expect(await home.devices.run()).toMatchObject({ state: 'pending', toRead: 1, problems: [] });
    expect(home.store.get('api_keys', key.id)).toBeUndefined();
    expect(readFileSync(join(ownDir(homeFolder, office), written))).toEqual(whole.subarray(0, whole.length >> 1));
    // The writer's own copy is untouched by anything home did: the carrier completes the copy from it.
    expect(readFileSync(join(ownDir(officeFolder, office), written))).toEqual(whole);

    carry(office, officeFolder, homeFolder);
    expect(await home.devices.run()).toMatchObject({ state: 'in-step', toRead: 0, problems: [] });
    expect(home.store.get('api_keys', key.id)).toMatchObject({ name: 'Schlüssel', is_active: true });
    expect(home.store.query('usage_logs', { api_key_id: key.id }).map((l) => l.action)).toEqual(['key_created']);
    expect(home.store.query('rate_limits', { api_key_id: shared.id })[0]?.count).toBe(1);
    carry(home, homeFolder, officeFolder);
    await office.devices.run();
    expect(travellingState(home)).toEqual(travellingState(office));
  });
});
