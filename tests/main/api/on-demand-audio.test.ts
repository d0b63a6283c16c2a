/**
 * The agent API serving audio that is not on this computer yet, over raw HTTP on loopback against a real core: a memo
 * made on another computer (its audio a blob in the synced folder, "fetch when needed") and an imported memo (its
 * audio on the service, the loopback contract server) are brought here on the first request, Range and all; audio
 * that cannot be had answers 503 AUDIO_NOT_HERE saying where it is, not 404.
 */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type CloudServer } from '../../cloud/server';
import { agentCore, call } from '../../support/agent-api';
import { serviceMemo } from '../../support/service-memo';
import { computer, makeMemo, syncFolder } from '../devices/helpers';

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

async function office() {
  const t = await agentCore();
  closing.push(() => t.core.close());
  return { ...t, key: await t.newKey() };
}

describe('GET /audio/<file> of a memo made on another computer', () => {
  it('copies its audio from the synced folder on the first request and serves the range asked for', async () => {
    const folder = syncFolder();
    const home = await computer();
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7) % 251);
    const memo = await makeMemo(home, { title: 'Von zu Hause', audio: bytes });
    await home.devices.configure({ folder, name: 'Home' });
    const t = await office();
    await t.core.services.devices.configure({ folder, name: 'Office', audio: 'when-needed' });
    expect(t.core.services.store.get('memos', memo.id)).toMatchObject({ status: 'completed', audio_url: `/audio/${memo.id}.wav` });
    expect(existsSync(join(t.core.services.audio.dir, `${memo.id}.wav`))).toBe(false);

    const part = await call(t.port, { path: `/audio/${memo.id}.wav`, headers: { range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-type']).toBe('audio/wav');
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${bytes.length}`);
    expect([...part.bytes]).toEqual([...bytes.subarray(1000, 2000)]);
    expect(existsSync(join(t.core.services.audio.dir, `${memo.id}.wav`))).toBe(true);

    const described = await call(t.port, { path: `/api/v1/memo/${memo.id}`, headers: { authorization: `Bearer ${t.key}` } });
    expect(described.json).toMatchObject({ id: memo.id, status: 'completed', audio: { url: `${t.base}/audio/${memo.id}.wav`, format: 'wav' } });
  });

  it('answers 503 AUDIO_NOT_HERE, saying its file has not arrived, while the folder does not have it', async () => {
    const folder = syncFolder();
    const home = await computer();
    const memo = await makeMemo(home, { audio: new Uint8Array([1, 2, 3, 4]) });
    await home.devices.configure({ folder, name: 'Home' });
    const blob = readdirSync(folder, { recursive: true, encoding: 'utf8' }).find((p) => /blobs\/[0-9a-f]{64}$/.test(p))!;
    renameSync(join(folder, blob), join(folder, `${blob}.away`));
    const t = await office();
    await t.core.services.devices.configure({ folder, name: 'Office', audio: 'when-needed' });

    const refused = await call(t.port, { path: `/audio/${memo.id}.wav`, headers: { range: 'bytes=0-1' } });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json.error).toMatchObject({ code: 'AUDIO_NOT_HERE', message: expect.stringMatching(/on another computer; its file has not arrived yet/), details: { where: 'another-computer' } });

    const described = await call(t.port, { path: `/api/v1/memo/${memo.id}`, headers: { authorization: `Bearer ${t.key}` } });
    expect(described.json).toMatchObject({ id: memo.id, status: 'completed', audio: null, audioUnavailable: { code: 'AUDIO_NOT_HERE', where: 'another-computer' } });
  });

  it('answers 503 AUDIO_NOT_HERE saying the sync folder is not available when it is unplugged, without naming its path', async () => {
    const folder = syncFolder();
    const home = await computer();
    const memo = await makeMemo(home, { audio: new Uint8Array([1, 2, 3, 4]) });
    await home.devices.configure({ folder, name: 'Home' });
    const t = await office();
    await t.core.services.devices.configure({ folder, name: 'Office', audio: 'when-needed' });
    renameSync(folder, `${folder}.unplugged`);

    const refused = await call(t.port, { path: `/audio/${memo.id}.wav` });
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatchObject({ code: 'AUDIO_NOT_HERE', message: expect.stringMatching(/sync folder .*is not available/), details: { where: 'another-computer', reason: 'folder-unavailable' } });
    expect(refused.text).not.toContain(folder);

    const described = await call(t.port, { path: `/api/v1/memo/${memo.id}`, headers: { authorization: `Bearer ${t.key}` } });
    expect(described.json).toMatchObject({ audio: null, audioUnavailable: { code: 'AUDIO_NOT_HERE', where: 'another-computer', message: expect.stringMatching(/sync folder .*is not available/) } });
    expect(described.text).not.toContain(folder);
  });
});

describe('an imported memo through the agent API', () => {
  let server: CloudServer;
  afterEach(() => server.close());

  it('GET /api/v1/memo/:id fetches its audio from the service, which /audio then serves; offline it says to connect', async () => {
    server = await start({ audio: { format: 'wav' } });
    const { url, served } = await serviceMemo(server);
    const t = await office();
    const insert = () => t.core.services.store.insert('memos', { user_id: t.user.id, audio_url: url, duration_sec: 0, text: 'Aus dem Archiv.', status: 'completed' });
    const [first, second] = [await insert(), await insert()];

    const described = await call(t.port, { path: `/api/v1/memo/${first.id}`, headers: { authorization: `Bearer ${t.key}` } });
    expect(described.json).toMatchObject({ id: first.id, audio: { url: `${t.base}/audio/${first.id}.wav`, format: 'wav' } });
    expect(described.json.audio.duration).toBeGreaterThan(0);
    const whole = await call(t.port, { path: `/audio/${first.id}.wav` });
    expect(new Uint8Array(whole.bytes)).toEqual(served.bytes);

    await server.goOffline();
    const offline = await call(t.port, { path: `/audio/${second.id}.wav` });
    expect(offline.status).toBe(503);
    expect(offline.json.error).toMatchObject({ code: 'AUDIO_NOT_HERE', message: expect.stringMatching(/on the service; connect/), details: { where: 'service' } });
    expect((await call(t.port, { path: `/api/v1/memo/${second.id}`, headers: { authorization: `Bearer ${t.key}` } })).json).toMatchObject({ audio: null, audioUnavailable: { where: 'service' } });
  });
});
