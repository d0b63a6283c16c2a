/**
 * The page's own audio path (the browser host's /audio/, the same code as Electron's app:// handler): a memo made on
 * another computer, whose audio is still a blob in the synced folder, plays on its first request, seeking and all;
 * while the blob has not arrived the answer says so instead of a bare 404. Real host, real profile, real folder.
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startHost, type Host } from '../../../src-main/host/server';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { audioCookieOf } from '../../support/host-cookie';
import { tempDir } from '../db/helpers';
import { computer, makeMemo, syncFolder } from '../devices/helpers';

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

it('plays another computer’s memo on its first request, and says its file has not arrived while the folder lacks it', async () => {
  const folder = syncFolder();
  const home = await computer();
  const audio = new Uint8Array(50_000).map((_, i) => (i * 13) % 256);
  const arrived = await makeMemo(home, { title: 'Angekommen', audio });
  const waiting = await makeMemo(home, { title: 'Unterwegs', audio: new Uint8Array([9, 8, 7, 6]) });
  await home.devices.configure({ folder, name: 'Home' });
  // The carrier has not brought the second memo's blob yet.
  const blobs = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((p) => /blobs\/[0-9a-f]{64}$/.test(p));
  const { sha256 } = home.store.get('sync_rows', `memos:${waiting.id}`)!.audio as { sha256: string };
  const late = blobs.find((p) => p.endsWith(sha256))!;
  renameSync(join(folder, late), join(folder, `${late}.away`));

  const base = tempDir();
  const rendererDir = join(base, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Agent Talk</title>');
  host = await startHost({ profileDir: join(base, 'profile'), rendererDir, secrets: sessionSecretStore('test') });
  await host.core.services.accounts.createProfile('ada@example.com');
  await host.core.services.devices.configure({ folder, name: 'Office', audio: 'when-needed' });
  const cookie = await audioCookieOf(host.url);
  const audioUrl = (id: string) => new URL(`/audio/${id}.wav`, host!.url);

  const part = await fetch(audioUrl(arrived.id), { headers: { cookie, range: 'bytes=20000-29999' } });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe(`bytes 20000-29999/${audio.length}`);
  expect(new Uint8Array(await part.arrayBuffer())).toEqual(audio.subarray(20_000, 30_000));

  const refused = await fetch(audioUrl(waiting.id), { headers: { cookie, range: 'bytes=0-' } });
  expect(refused.status).toBe(503);
  expect(await refused.text()).toMatch(/on another computer; its file has not arrived yet/);

  renameSync(join(folder, `${late}.away`), join(folder, late));
  const now = await fetch(audioUrl(waiting.id), { headers: { cookie } });
  expect([now.status, [...new Uint8Array(await now.arrayBuffer())]]).toEqual([200, [9, 8, 7, 6]]);
});
