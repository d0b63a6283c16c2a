import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../src-main/services';
import { hashKey } from '../../../src-main/services/keys';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { readCloudUrl } from '../../../src-main/services/settings';
import { createCloudEngine } from '../../../src-main/services/tts/engines/cloud';
import { start, type CloudServer } from '../../cloud/server';
import { requireTools } from '../../support/require-tool';
import { failure, openAgentTalk, tempDir } from '../db/helpers';

const hasLame = requireTools(['lame'], 'cloud generation suite');
let server: CloudServer | undefined;
afterEach(async () => server?.close());

/** A profile whose key is the cloud account's own key (as the app will hold it once signed in), the cloud engine
 * pointed at the loopback contract server, and the services started. */
async function setup(audio: 'http' | 'data' = 'http') {
  server = await start({ audio: { url: audio } });
  const profileDir = tempDir();
  const store = await openAgentTalk(profileDir);
  const secrets = sessionSecretStore('test');
  const cloud = createCloudEngine({ baseUrl: () => readCloudUrl(store) ?? '', apiKey: async () => null });
  const s = createServices({ store, secrets, profileDir, engines: [cloud], jobs: { backoffMs: 10 } });
  await s.settings.update({ cloudUrl: server.url });
  const user = await s.accounts.createProfile('ada@example.com');
  const fullKey = server.keys.hobby;
  const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: hashKey(fullKey), key_suffix: fullKey.slice(-6), origin: 'cloud', service_url: server.url });
  await secrets.set(`api-key:${key.id}`, fullKey);
  await s.generation.start();
  const settled = async (memoId: string) => {
    for (let i = 0; i < 1000 && ['queued', 'processing'].includes(store.get('memos', memoId)!.status); i++) await new Promise((r) => setTimeout(r, 10));
    return store.get('memos', memoId)!;
  };
  return { ...s, user, key, profileDir, settled, stop: () => s.generation.stop() };
}

describe.skipIf(!hasLame)('memo generation with the cloud voices', () => {
  it.each(['http', 'data'] as const)('answers at once with a queued memo, then stores the audio (%s URL) with its measured duration', async (audio) => {
    const s = await setup(audio);
    const memo = await s.generation.generate(s.user.id, { text: 'Hello from the desktop app. This is a memo.', voice: 'rachel' });
    expect(memo).toMatchObject({ status: 'queued', title: 'Hello from the desktop app. This is a', character_count: 43, api_key_id: s.key.id, audio_url: '' });
    const done = await s.settled(memo.id);
    expect(done).toMatchObject({ status: 'completed', audio_url: `/audio/${memo.id}.mp3`, error: null });
    const truth = server!.memos[0]!.durationSec;
    expect(Math.abs(done.duration_sec - truth) / truth).toBeLessThan(0.02);
    const file = join(s.profileDir, 'audio', `${memo.id}.mp3`);
    expect(readFileSync(file).subarray(0, 3).toString('latin1')).toMatch(/^(ID3|\xff)/);
    expect(s.usage.list(s.user.id, { action: 'memo_created' })).toHaveLength(1);
    expect(s.store.query('rate_limits', { api_key_id: s.key.id })[0]!.count).toBe(1);
    await s.stop();
  });

  it('refuses bad requests before any work starts, creating nothing', async () => {
    const s = await setup();
    const before = { memos: s.store.count('memos'), jobs: s.store.count('jobs') };
    expect(await failure(s.generation.generate(s.user.id, { text: '   ', voice: 'rachel' }))).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await failure(s.generation.generate(s.user.id, { text: 'Hi', voice: 'nobody' }))).toMatchObject({ code: 'INVALID_VOICE' });
    expect(await failure(s.generation.generate(s.user.id, { text: 'x'.repeat(5001), voice: 'rachel' }))).toMatchObject({ code: 'TEXT_TOO_LONG', details: { limit: 5000 } });
    await s.store.transaction((tx) => void tx.insert('rate_limits', { api_key_id: s.key.id, user_id: s.user.id, date: new Date().toISOString().slice(0, 10), count: 100 }));
    expect(await failure(s.generation.generate(s.user.id, { text: 'Hi', voice: 'rachel' }))).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', details: { limit: 100 } });
    await s.sync.keys.revoke(s.user.id, s.key.id);
    expect(await failure(s.generation.generate(s.user.id, { text: 'Hi', voice: 'rachel', keyId: s.key.id }))).toMatchObject({ code: 'REVOKED_KEY' });
    expect({ memos: s.store.count('memos'), jobs: s.store.count('jobs') }).toEqual(before);
    expect(server!.requests.filter((r) => r.path === '/api/v1/memo')).toHaveLength(0);
    await s.stop();
  });

  it('fails a memo the cloud refuses for good at once, with the reason, and retries it on request', async () => {
    const s = await setup();
    server!.revoke(server!.keys.hobby);
    const memo = await s.generation.generate(s.user.id, { text: 'Revoked upstream.', voice: 'adam' });
    const failed = await s.settled(memo.id);
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/revoked/i) });
    expect(s.usage.list(s.user.id).map((l) => l.action)).toEqual(expect.arrayContaining(['memo_failed', 'error_tts']));
    expect(server!.requests.filter((r) => r.path === '/api/v1/memo')).toHaveLength(1); // a refusal is not retried

    await s.secrets.set(`api-key:${s.key.id}`, server!.keys.pro);
    await s.generation.retry(s.user.id, memo.id);
    expect(await s.settled(memo.id)).toMatchObject({ status: 'completed', error: null });
    expect(s.store.count('memos')).toBe(1);
    await s.stop();
  });

  it('retries what the cloud fails to answer, and cancels a memo in flight', async () => {
    const s = await setup();
    server!.inject({ path: '/api/v1/memo', status: 503, times: 4 });
    const memo = await s.generation.generate(s.user.id, { text: 'Eventually.', voice: 'bella' });
    expect(await s.settled(memo.id)).toMatchObject({ status: 'completed' });

    server!.inject({ path: '/api/v1/memo', delayMs: 10_000 });
    const slow = await s.generation.generate(s.user.id, { text: 'Never mind.', voice: 'bella' });
    for (let i = 0; i < 500 && s.store.get('memos', slow.id)!.status !== 'processing'; i++) await new Promise((r) => setTimeout(r, 10));
    await s.generation.cancel(s.user.id, slow.id);
    expect(await s.settled(slow.id)).toMatchObject({ status: 'cancelled' });
    expect(existsSync(join(s.profileDir, 'audio', `${slow.id}.mp3`))).toBe(false);
    await s.stop();
  }, 30_000);
});
