/**
 * A memo's audio made local on demand (issue #9 item 6, issue #14's "fetched when needed"): one service function
 * that knows both places audio can be when it is not on this computer: a blob in the synced folder (another
 * computer's memo) or the service (an imported memo). Real profiles, a real folder, the loopback contract server.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type CloudServer } from '../../cloud/server';
import { serviceMemo } from '../../support/service-memo';
import { failure } from '../db/helpers';
import { computer, makeMemo, syncFolder, type Computer } from '../devices/helpers';
import { servicesAt } from './helpers';

let server: CloudServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Every blob file in the synced folder (content-addressed: named by their SHA-256). */
function blobsIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => /(^|\/)blobs\/[0-9a-f]{64}$/.test(p))
    .map((p) => join(dir, p));
}

/** Counts the audio files written into a profile (the one write a fetch makes). */
function countWrites(c: Pick<Computer, 'audio'>): { count: number } {
  const counter = { count: 0 };
  const write = c.audio.write.bind(c.audio);
  c.audio.write = (...args) => {
    counter.count += 1;
    return write(...args);
  };
  return counter;
}

/** A memo made at home, its change and blob in the folder; the office computer set to fetch audio when needed. */
async function memoFromHome(audio = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4, 5, 6, 7, 8])) {
  const folder = syncFolder();
  const home = await computer();
  const office = await computer();
  const memo = await makeMemo(home, { title: 'Vom Schreibtisch zu Hause', audio });
  await home.devices.configure({ folder, name: 'Home' });
  await office.devices.configure({ folder, name: 'Office', audio: 'when-needed' });
  return { folder, home, office, memo, audio };
}

describe('a memo whose audio is on another computer', () => {
  it('is copied from the synced folder on demand, checked against its SHA-256, once for requests at the same time', async () => {
    const { office, memo, audio } = await memoFromHome();
    expect(office.store.get('memos', memo.id)).toMatchObject({ status: 'completed', audio_url: `/audio/${memo.id}.wav` });
    expect(existsSync(join(office.audio.dir, `${memo.id}.wav`))).toBe(false); // "when needed": not fetched yet

    const writes = countWrites(office);
    const [first, second] = await Promise.all([office.memoAudio.ensure(memo.id), office.memoAudio.ensure(memo.id, office.user.id)]);
    expect(first.file).toBe(`${memo.id}.wav`);
    expect(second).toEqual(first);
    expect(writes.count).toBe(1);
    expect([...readFileSync(join(office.audio.dir, `${memo.id}.wav`))]).toEqual([...audio]);

    // Played again: here already, nothing copied.
    expect((await office.memoAudio.ensure(memo.id)).file).toBe(`${memo.id}.wav`);
    expect(writes.count).toBe(1);
  });

  it('says the audio is on another computer and has not arrived while its blob is missing or half-copied, then plays once it is whole', async () => {
    const { folder, office, memo, audio } = await memoFromHome();
    const [blob] = blobsIn(folder);
    renameSync(blob!, `${blob}.away`);

    const missing = await failure(office.memoAudio.ensure(memo.id));
    expect(missing).toMatchObject({ code: 'AUDIO_NOT_HERE', details: { where: 'another-computer', reason: 'not-arrived' } });
    expect(missing.message).toMatch(/on another computer; its file has not arrived yet/);

    // The carrier has copied half of it: its hash does not match, so it is not taken.
    writeFileSync(blob!, audio.subarray(0, 5));
    expect(await failure(office.memoAudio.ensure(memo.id))).toMatchObject({ code: 'AUDIO_NOT_HERE', details: { where: 'another-computer' } });
    expect(existsSync(join(office.audio.dir, `${memo.id}.wav`))).toBe(false);

    renameSync(`${blob}.away`, blob!);
    expect((await office.memoAudio.ensure(memo.id)).file).toBe(`${memo.id}.wav`);
    expect([...readFileSync(join(office.audio.dir, `${memo.id}.wav`))]).toEqual([...audio]);
  });

  it('says the sync folder is not available, and where, when it is unplugged (not that the file has not arrived)', async () => {
    const { folder, office, memo, audio } = await memoFromHome();
    renameSync(folder, `${folder}.unplugged`);

    const refused = await failure(office.memoAudio.ensure(memo.id));
    expect(refused).toMatchObject({ code: 'AUDIO_NOT_HERE', details: { where: 'another-computer', reason: 'folder-unavailable', folder } });
    expect(refused.message).toContain(folder);
    expect(refused.message).toMatch(/sync folder is not available/);
    expect(refused.message).not.toMatch(/not arrived/);
    expect(existsSync(join(office.audio.dir, `${memo.id}.wav`))).toBe(false);

    // Plugged back in: it plays.
    renameSync(`${folder}.unplugged`, folder);
    expect((await office.memoAudio.ensure(memo.id)).file).toBe(`${memo.id}.wav`);
    expect([...readFileSync(join(office.audio.dir, `${memo.id}.wav`))]).toEqual([...audio]);
  });

  it('says so when sync between computers has been turned off since the memo arrived', async () => {
    const { office, memo } = await memoFromHome();
    await office.devices.configure({ folder: null });
    expect(await failure(office.memoAudio.ensure(memo.id))).toMatchObject({
      code: 'AUDIO_NOT_HERE',
      message: expect.stringMatching(/on another computer.*sync between computers is off/i),
      details: { where: 'another-computer', reason: 'sync-off' },
    });
  });
});

describe('an imported memo whose audio is on the service', () => {
  async function imported() {
    server = await start({ audio: { format: 'wav' } });
    const { url, served } = await serviceMemo(server);
    const s = await servicesAt();
    const memo = await s.store.insert('memos', { user_id: s.user.id, audio_url: url, duration_sec: 0, text: 'Aus dem Archiv.', status: 'completed' });
    return { s, memo, url, served };
  }

  it('is fetched from the service once for requests at the same time', async () => {
    const { s, memo, served } = await imported();
    const writes = countWrites(s);
    const asked = server!.requests.length;
    const [first, second] = await Promise.all([s.memoAudio.ensure(memo.id, s.user.id), s.memoAudio.ensure(memo.id)]);
    expect(server!.requests.length).toBe(asked + 1);
    expect(writes.count).toBe(1);
    expect(first.file).toBe(`${memo.id}.wav`);
    expect(second.file).toBe(first.file);
    expect(first.memo).toMatchObject({ audio_url: `/audio/${memo.id}.wav` });
    expect(new Uint8Array(readFileSync(join(s.audio.dir, first.file)))).toEqual(served.bytes);
  });

  it('says the audio is on the service and to connect while it is out of reach, changing nothing', async () => {
    const { s, memo, url } = await imported();
    await server!.goOffline();
    const refused = await failure(s.memoAudio.ensure(memo.id));
    expect(refused).toMatchObject({ code: 'AUDIO_NOT_HERE', details: { where: 'service', reason: 'offline' } });
    expect(refused.message).toMatch(/on the service; connect/);
    expect(s.store.get('memos', memo.id)!.audio_url).toBe(url);
    await server!.comeBack();
    expect((await s.memoAudio.ensure(memo.id)).file).toBe(`${memo.id}.wav`);
  });
});

describe('audio that is nowhere to be had', () => {
  it('answers why: no such memo (or another user’s), no audio yet, its file gone from this computer', async () => {
    const s = await servicesAt();
    expect(await failure(s.memoAudio.ensure('00000000-0000-4000-8000-000000000000'))).toMatchObject({ code: 'NOT_FOUND' });
    const queued = await s.store.insert('memos', { user_id: s.user.id, audio_url: '', duration_sec: 0, text: 'Noch nicht.', status: 'queued' });
    expect(await failure(s.memoAudio.ensure(queued.id))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/no audio yet/) });
    expect(await failure(s.memoAudio.ensure(queued.id, 'another-user'))).toMatchObject({ code: 'NOT_FOUND' });

    const made = await s.store.insert('memos', { user_id: s.user.id, audio_url: '', duration_sec: 1, text: 'Weg.', status: 'queued' });
    const gone = await s.store.update('memos', made.id, { status: 'completed', audio_url: `/audio/${made.id}.wav` });
    expect(await failure(s.memoAudio.ensure(gone.id))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/audio file is missing/) });
  });
});
