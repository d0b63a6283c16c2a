/**
 * The agent API's cloud voices end to end, against the contract server (a real HTTP server on loopback): an agent
 * with a key made here asks for `rachel`; the memo is made on the service with the account's cloud key (never the
 * agent's), lands in the Library, and the call is counted once, on the agent's key. Without a cloud key for the
 * configured service, or with the service down, the nearest offline voice speaks when the setting allows, else 503
 * with Retry-After; a memo whose service stopped answering as it was sent waits for it and is never sent twice.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { utcDate } from '../../../src-main/services/time';
import { start, type CloudServer } from '../../cloud/server';
import { requireTools } from '../../support/require-tool';
import { agentCore, call, postJson, type Answer } from '../../support/agent-api';

const hasLame = requireTools(['lame'], 'agent API cloud voices suite');

type Running = Awaited<ReturnType<typeof agentCore>>;

let server: CloudServer;
let t: Running;
let agentKey: string;

beforeEach(async () => {
  server = await start();
  t = await agentCore({ tier: 'pro' });
  agentKey = await t.newKey('My agent');
  expect((await t.core.handle('settings.update', { cloudUrl: server.url })).ok).toBe(true);
});

afterEach(async () => {
  await t.core.close();
  await server.close();
});

/** The account's key for the contract server, pasted on the Keys screen; its row. */
async function pasteCloudKey(fullKey = server.keys.pro) {
  const pasted = (await t.core.handle('keys.addCloud', { key: fullKey, name: 'Account key' })) as { ok: true; value: { id: string } };
  expect(pasted.ok).toBe(true);
  return t.core.services.store.get('api_keys', pasted.value.id)!;
}

const memoPosts = () => server.requests.filter((r) => r.path === '/api/v1/memo');
const agentRow = () => t.core.services.keys.authenticate(agentKey);
const countOn = (keyId: string) => t.core.services.store.query('rate_limits', { api_key_id: keyId, date: utcDate(new Date()) })[0]?.count ?? 0;

function expectFallback(answer: Answer, requested: string, spoken: string) {
  expect(answer.status).toBe(201);
  expect(answer.json).toMatchObject({ voice: { id: spoken }, requestedVoice: requested, status: 'completed', audio: { format: 'wav' } });
}

function expect503(answer: Answer) {
  expect({ status: answer.status, code: answer.json?.error?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
}

describe.skipIf(!hasLame)('cloud voices through the agent API', () => {
  it('goes to the service with the account’s cloud key, lands in the Library, counted once on the agent’s key, and answers with the service’s voice', async () => {
    const cloudKey = await pasteCloudKey();
    const answer = await postJson(t.port, '/api/v1/memo', { text: 'Rachel speaks for my agent today.', voice: 'rachel' }, agentKey);
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      text: 'Rachel speaks for my agent today.',
      status: 'completed',
      voice: { id: 'rachel', name: 'Rachel', gender: 'female', description: 'Calm, professional' },
      audio: { url: `${t.base}/audio/${answer.json.id}.mp3`, format: 'mp3' },
    });
    expect(answer.json.requestedVoice).toBeUndefined();

    // Made on the service once, with the cloud key; the agent's key never left the computer.
    expect(memoPosts()).toHaveLength(1);
    expect(memoPosts()[0]).toMatchObject({ status: 201, authorization: `Bearer ${server.keys.pro}`, body: { text: 'Rachel speaks for my agent today.', voice: 'rachel' } });
    expect(server.requests.some((r) => r.authorization?.includes(agentKey))).toBe(false);
    expect(server.usage(server.keys.pro).today).toBe(1);
    const served = server.memos[0]!;
    expect(Math.abs(answer.json.audio.duration - served.durationSec) / served.durationSec).toBeLessThan(0.02);

    // The audio is the service's, served here with the memo.
    const audio = await call(t.port, { path: `/audio/${answer.json.id}.mp3` });
    expect(audio.status).toBe(200);
    expect(audio.bytes.equals(Buffer.from(served.bytes))).toBe(true);

    // In the Library, billed to the cloud key; the call counted once, on the agent's key (its limits, its log).
    const library = (await t.core.handle('memos.list', {})) as { ok: true; value: { memos: { id: string; voice: string; status: string; apiKeyId: string }[] } };
    expect(library.value.memos).toContainEqual(expect.objectContaining({ id: answer.json.id, voice: 'rachel', status: 'completed', apiKeyId: cloudKey.id }));
    expect(countOn(agentRow().id)).toBe(1);
    expect(agentRow().usage_count).toBe(1);
    expect(countOn(cloudKey.id)).toBe(0);
    expect(t.core.services.usage.list(t.user.id, { action: 'key_used' }).map((l) => l.api_key_id)).toEqual([agentRow().id]);
    expect(answer.headers['x-ratelimit-remaining']).toBe('999');
    expect(t.core.services.store.get('api_keys', cloudKey.id)!.service_url).toBe(server.url);

    // OpenAI's endpoint: the service's mp3 as it came; wav of a cloud voice is refused before anything is counted.
    const speech = await postJson(t.port, '/v1/audio/speech', { model: 'tts-1', input: 'And once more through OpenAI.', voice: 'rachel' }, agentKey);
    expect(speech.status).toBe(200);
    expect(speech.headers['content-type']).toBe('audio/mpeg');
    expect(speech.headers['x-voice-used']).toBe('rachel');
    expect(speech.bytes.equals(Buffer.from(server.memos[1]!.bytes))).toBe(true);
    const wav = await postJson(t.port, '/v1/audio/speech', { model: 'tts-1', input: 'As wav?', voice: 'rachel', response_format: 'wav' }, agentKey);
    expect(wav.status).toBe(400);
    expect(wav.json.error).toMatchObject({ param: 'response_format', code: 'validation_error' });
    expect(memoPosts()).toHaveLength(2);
    expect(countOn(agentRow().id)).toBe(2);
  }, 60_000);

  it('without a cloud key for the configured service: the nearest offline voice when allowed, else 503; nothing sent, nothing counted when refused', async () => {
    // Keys that do not count: one only listed by sync (its secret is not here), and one of another service.
    await t.core.services.store.insert('api_keys', { user_id: t.user.id, prefix: 'at_live_', key_hash: 'cloud:listed-only', key_suffix: 'abcdef', origin: 'cloud', service_url: server.url });
    const other = await start();
    try {
      await t.core.handle('settings.update', { cloudUrl: other.url });
      await pasteCloudKey(other.keys.pro);
    } finally {
      await other.close();
    }
    await t.core.handle('settings.update', { cloudUrl: server.url });

    const spoken = await postJson(t.port, '/api/v1/memo', { text: 'No cloud key, so Sally speaks.', voice: 'rachel' }, agentKey);
    expectFallback(spoken, 'rachel', 'flite:slt');
    expect(countOn(agentRow().id)).toBe(1);

    await t.core.handle('agentApi.update', { nearestOfflineVoice: false });
    const refused = await postJson(t.port, '/api/v1/memo', { text: 'Adam, then?', voice: 'adam' }, agentKey);
    expect503(refused);
    expect(refused.json.error.message).toMatch(/no cloud key of your account/);
    expect(countOn(agentRow().id)).toBe(1);
    expect(memoPosts()).toHaveLength(0);
  }, 60_000);

  it('with the service down: the nearest offline voice when allowed, else 503; back up, the cloud speaks again at once', async () => {
    await pasteCloudKey();
    expect((await postJson(t.port, '/api/v1/memo', { text: 'The cloud is up.', voice: 'adam' }, agentKey)).json.voice.id).toBe('adam');
    await server.goOffline();
    expectFallback(await postJson(t.port, '/api/v1/memo', { text: 'The cloud is down, Robert speaks.', voice: 'adam' }, agentKey), 'adam', 'flite:rms');
    await t.core.handle('agentApi.update', { nearestOfflineVoice: false });
    expect503(await postJson(t.port, '/api/v1/memo', { text: 'Still down?', voice: 'adam' }, agentKey));
    expect(countOn(agentRow().id)).toBe(2);

    await server.comeBack();
    const back = await postJson(t.port, '/api/v1/memo', { text: 'Back again.', voice: 'adam' }, agentKey);
    expect(back.json).toMatchObject({ voice: { id: 'adam' }, audio: { format: 'mp3' } });
    expect(memoPosts().filter((r) => r.status === 201)).toHaveLength(2);
  }, 60_000);

  it('a memo whose service stops answering as it is sent answers 503 with its id, waits for the cloud, and is made once when it is back', async () => {
    await pasteCloudKey();
    await t.core.services.generation.stop(); // accepted, not yet sent
    const pending = postJson(t.port, '/api/v1/memo', { text: 'Sent into the storm.', voice: 'rachel' }, agentKey);
    await vi.waitFor(() => expect(t.core.services.store.query('memos', { user_id: t.user.id, status: 'queued' })).toHaveLength(1));
    await server.goOffline();
    await t.core.services.generation.start();
    const answer = await pending;
    expect503(answer);
    const { memoId } = answer.json.error.details;
    expect(t.core.services.store.get('memos', memoId)).toMatchObject({ status: 'queued', voice: 'rachel' });

    await server.comeBack();
    await t.core.services.cloudHealth.check({ fresh: true }); // the probe the queue would make within its poll
    await vi.waitFor(async () => expect((await call(t.port, { path: `/api/v1/memo/${memoId}`, headers: { authorization: agentKey } })).json).toMatchObject({ status: 'completed', audio: { format: 'mp3' } }), { timeout: 30_000, interval: 200 });
    expect(memoPosts().filter((r) => r.status === 201)).toHaveLength(1);
    expect(countOn(agentRow().id)).toBe(1);
  }, 90_000);
});

describe('GET /api/v1/voices and the account’s cloud key', () => {
  const rachel = async () => {
    const answer = await call(t.port, { path: '/api/v1/voices' });
    expect(answer.status).toBe(200);
    return (answer.json.voices as { id: string }[]).find((v) => v.id === 'rachel');
  };

  it('does not mark the cloud voices available with the service up but no cloud key here, unless the nearest offline voice may speak for them', async () => {
    expect((await t.core.handle('agentApi.update', { nearestOfflineVoice: false })).ok).toBe(true);
    expect(await rachel()).toMatchObject({ engine: 'cloud', available: false });
    expect((await postJson(t.port, '/api/v1/memo', { text: 'Rachel, are you there?', voice: 'rachel' }, agentKey)).status).toBe(503);

    expect((await t.core.handle('agentApi.update', { nearestOfflineVoice: true })).ok).toBe(true);
    expect(await rachel()).toMatchObject({ engine: 'cloud', available: true, speaksAs: 'flite:slt' });

    await pasteCloudKey();
    const withKey = await rachel();
    expect(withKey).toMatchObject({ engine: 'cloud', available: true });
    expect(withKey).not.toHaveProperty('speaksAs');
  });
});
