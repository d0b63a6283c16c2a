import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../src-main/services';
import { createCloudClient } from '../../../src-main/services/cloud/client';
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
  const client = createCloudClient({ baseUrl: () => readCloudUrl(store), backoff: { baseMs: 10, capMs: 50 } });
  // As core.ts wires it: the memo's key, bound to the service it is first sent to.
  const keyFor = async (keyId: string | null) => {
    const url = client.serviceUrl();
    return keyId && url ? s.keys.cloudCredential(keyId, url) : null;
  };
  const cloud = createCloudEngine({ client, keyFor });
  const s = createServices({ store, secrets, profileDir, engines: [cloud], cloudClient: client, jobs: { backoffMs: 10, cloudPollMs: 50 } });
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
  const jobOf = (memoId: string) => store.query('jobs', { memo_id: memoId })[0]!;
  return { ...s, user, key, profileDir, settled, jobOf, stop: () => s.generation.stop() };
}

const posts = () => server!.requests.filter((r) => r.path === '/api/v1/memo');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  it('keeps the service\'s answer with the job and retries only the download: one memo asked for, one call spent', async () => {
    const s = await setup();
    // Four failed tries make one run of the job fail; the next run asks only for the audio.
    server!.inject({ path: '/audio/', status: 500, code: 'STORAGE_ERROR', times: 6 });
    const memo = await s.generation.generate(s.user.id, { text: 'Download me, eventually.', voice: 'rachel' });
    expect(await s.settled(memo.id)).toMatchObject({ status: 'completed', error: null });
    expect(posts()).toHaveLength(1);
    expect(server!.usage(server!.keys.hobby).today).toBe(1);
    expect(server!.requests.filter((r) => r.path.startsWith('/audio/')).map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 500, 200]);
    expect(s.jobOf(memo.id)).toMatchObject({ retry_count: 1, service_answer: { memoId: server!.memos[0]!.id, audioUrl: server!.memos[0]!.url } });
    await s.stop();
  }, 30_000);

  it('does not resend a memo whose answer was lost after it was sent; the memo says so, and the user may retry', async () => {
    const s = await setup();
    server!.inject({ path: '/api/v1/memo', dropAfterApply: true });
    const memo = await s.generation.generate(s.user.id, { text: 'Made, counted, lost.', voice: 'sam' });
    const failed = await s.settled(memo.id);
    expect(failed).toMatchObject({ status: 'failed', error_code: 'CLOUD_ANSWER_LOST', error: expect.stringMatching(/may have made it, and counted it.*not sent again/) });
    await pause(300); // a retry would have come by now (the job backoff is 10 ms)
    expect(posts().map((r) => r.status)).toEqual(['applied-then-dropped']);
    expect(server!.memos).toHaveLength(1);

    await s.generation.retry(s.user.id, memo.id); // the user asks, knowingly
    expect(await s.settled(memo.id)).toMatchObject({ status: 'completed', error: null, error_code: null });
    expect(posts().map((r) => r.status)).toEqual(['applied-then-dropped', 201]);
    await s.stop();
  });

  it('fails a memo the service answered with silence, at once, saying so; a retry asks the service again', async () => {
    const s = await setup();
    server!.inject({ path: '/api/v1/memo', silentAudio: true });
    const memo = await s.generation.generate(s.user.id, { text: 'Silence, please.', voice: 'bella' });
    expect(await s.settled(memo.id)).toMatchObject({ status: 'failed', error_code: 'TTS_FAILED', error: expect.stringMatching(/answered with silence/) });
    expect(posts()).toHaveLength(1);
    await s.generation.retry(s.user.id, memo.id);
    expect(await s.settled(memo.id)).toMatchObject({ status: 'completed' });
    expect(posts()).toHaveLength(2);
    await s.stop();
  });

  it('makes a memo asked for while the service is unreachable wait, retries unspent, and starts it when the service is back', async () => {
    const s = await setup();
    await server!.goOffline();
    const memo = await s.generation.generate(s.user.id, { text: 'Made on a train.', voice: 'adam' });
    for (let i = 0; i < 500 && s.jobOf(memo.id).waiting_for !== 'cloud'; i++) await pause(10);
    expect(s.jobOf(memo.id)).toMatchObject({ status: 'queued', waiting_for: 'cloud', retry_count: 0 });
    expect(s.store.get('memos', memo.id)).toMatchObject({ status: 'queued', error: expect.stringMatching(/Waiting for the Agent Talk cloud/) });
    await pause(500); // probed every 50 ms meanwhile: still waiting, nothing spent
    expect(s.jobOf(memo.id)).toMatchObject({ status: 'queued', waiting_for: 'cloud', retry_count: 0 });
    expect(s.generation.waitingForCloud()).toBe(1);

    await server!.comeBack();
    expect(await s.settled(memo.id)).toMatchObject({ status: 'completed', error: null });
    expect(s.jobOf(memo.id)).toMatchObject({ waiting_for: null, retry_count: 0 });
    expect(posts()).toHaveLength(1);
    await s.stop();
  }, 30_000);

  it('never sends a key made on this computer, even for a memo queued with one before keys had kinds', async () => {
    const s = await setup();
    await s.stop();
    const { key: local } = await s.keys.create(s.user.id, { name: 'Made here' });
    const memo = await s.generation.generate(s.user.id, { text: 'Queued before the upgrade.', voice: 'rachel' });
    // As a memo queued by an earlier version, billed to a key that version made here (it became `local` at 10).
    await s.store.update('memos', memo.id, { api_key_id: local.id });
    await s.generation.start();
    expect(await s.settled(memo.id)).toMatchObject({ status: 'failed', error_code: 'INVALID_API_KEY', error: expect.stringContaining('never sent to the service') });
    expect(posts()).toHaveLength(0);
    expect(s.store.get('api_keys', local.id)!.service_url).toBeNull();
    await s.stop();
  });

  it('sends a key only to the service it was first sent to, never to another after the URL changed', async () => {
    const s = await setup();
    const first = await s.generation.generate(s.user.id, { text: 'To the first service.', voice: 'emily' });
    expect(await s.settled(first.id)).toMatchObject({ status: 'completed' });
    expect(s.store.get('api_keys', s.key.id)!.service_url).toBe(server!.url);

    const other = await start();
    try {
      await s.settings.update({ cloudUrl: other.url });
      const second = await s.generation.generate(s.user.id, { text: 'To another service.', voice: 'emily' });
      expect(await s.settled(second.id)).toMatchObject({ status: 'failed', error_code: 'INVALID_API_KEY', error: expect.stringContaining(server!.url) });
      expect(other.requests.filter((r) => r.authorization !== null)).toHaveLength(0);
    } finally {
      await other.close();
    }
    await s.stop();
  });
});
