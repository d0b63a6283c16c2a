/**
 * An imported memo (its audio still on the service, fetched on first play) that device sync carries to another
 * computer before it was ever played: the other computer gets the service's audio address with it, and fetches the
 * audio from the service on its first play. Two real profiles sharing a folder, the loopback contract server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type CloudServer } from '../../cloud/server';
import { serviceMemo } from '../../support/service-memo';
import { computer, syncFolder } from './helpers';

let server: CloudServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('an imported memo never played, carried to another computer', () => {
  it('plays there, fetched from the service on first play', async () => {
    server = await start({ audio: { format: 'wav' } });
    const { url, served } = await serviceMemo(server);
    const folder = syncFolder();
    const home = await computer();
    const office = await computer();
    const memo = await home.store.insert('memos', { user_id: home.user.id, audio_url: url, duration_sec: 0, text: 'Aus dem Archiv.', title: 'Archiv', status: 'completed' });
    await home.devices.configure({ folder, name: 'Home' });
    await office.devices.configure({ folder, name: 'Office' });
    await office.devices.run();

    expect(office.store.get('memos', memo.id)).toMatchObject({ title: 'Archiv', status: 'completed', audio_url: url });
    const asked = server.requests.length;
    const played = await office.memoAudio.ensure(memo.id, office.user.id);
    expect(server.requests.length).toBe(asked + 1);
    expect(played.file).toBe(`${memo.id}.wav`);
    expect(new Uint8Array(readFileSync(join(office.audio.dir, played.file)))).toEqual(served.bytes);

    // Played on the office computer, its audio now travels as a blob: home (never played there either) takes it
    // from the folder, with the service out of reach.
    await office.devices.run();
    await home.devices.run();
    await server.goOffline();
    expect(home.store.get('memos', memo.id)!.audio_url).toBe(`/audio/${memo.id}.wav`);
    expect(existsSync(join(home.audio.dir, `${memo.id}.wav`))).toBe(false);
    const atHome = await home.memoAudio.ensure(memo.id);
    expect(new Uint8Array(readFileSync(join(home.audio.dir, atHome.file)))).toEqual(served.bytes);
  });

  it('reaches a new computer through a snapshot as well', async () => {
    server = await start({ audio: { format: 'wav' } });
    const { url, served } = await serviceMemo(server);
    const folder = syncFolder();
    const home = await computer('2026-12-02T08:00:00.000Z', { snapshotEvery: 1 });
    const memo = await home.store.insert('memos', { user_id: home.user.id, audio_url: url, duration_sec: 0, text: 'Aus dem Archiv.', status: 'completed' });
    await home.devices.configure({ folder, name: 'Home' });
    await home.store.insert('memos', { user_id: home.user.id, audio_url: '', duration_sec: 0, text: 'Später.', status: 'queued' });
    await home.devices.run();
    expect(readdirSync(folder, { recursive: true, encoding: 'utf8' }).some((p) => /snapshot-\d+\.json$/.test(p))).toBe(true);
    const office = await computer();
    await office.devices.configure({ folder, name: 'Office' });
    await office.devices.run();

    expect(office.store.get('memos', memo.id)).toMatchObject({ audio_url: url });
    expect(new Uint8Array(readFileSync(join(office.audio.dir, (await office.memoAudio.ensure(memo.id)).file)))).toEqual(served.bytes);
  });
});
