/**
 * Text a voice cannot say (issue #9, item 2): the offline voices speak English; text with nothing they can say is
 * refused before it is counted, a memo whose audio turns out silent fails with the reason and its call is taken
 * back, and mixed text speaks what it can.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { englishCoverage } from '../../../src-shared/speakable';
import { createServices } from '../../../src-main/services';
import { createCloudClient } from '../../../src-main/services/cloud/client';
import { hashKey } from '../../../src-main/services/keys';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { readCloudUrl } from '../../../src-main/services/settings';
import { createCloudEngine } from '../../../src-main/services/tts/engines/cloud';
import { createOfflineEngine } from '../../../src-main/services/tts/engines/offline';
import { isSilentWav, parseWav } from '../../../src-main/services/tts/wav';
import { start, type CloudServer } from '../../cloud/server';
import { wavOf } from '../../cloud/audio';
import { requireTools } from '../../support/require-tool';
import { failure, openAgentTalk, tempDir } from '../db/helpers';

const hasLame = requireTools(['lame'], 'silent cloud audio');
let server: CloudServer | undefined;
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  await server?.close();
  server = stop = undefined;
});

const NOT_ENGLISH = ['你好，世界。今天天气很好。', 'مرحبا بالعالم', 'שלום עולם', '😀👍🎉', 'こんにちは'];

/** A profile with the offline voices and the cloud ones (the loopback contract server), the account's cloud key, and the queue started. */
async function setup() {
  server = await start();
  const profileDir = tempDir();
  const store = await openAgentTalk(profileDir);
  const secrets = sessionSecretStore('test');
  const client = createCloudClient({ baseUrl: () => readCloudUrl(store), backoff: { baseMs: 10, capMs: 50 } });
  const cloud = createCloudEngine({ client, keyFor: async (keyId) => (keyId ? s.keys.cloudCredential(keyId, server!.url) : null) });
  const s = createServices({ store, secrets, profileDir, engines: [createOfflineEngine(), cloud], cloudClient: client, jobs: { backoffMs: 10 } });
  await s.settings.update({ cloudUrl: server.url });
  const user = await s.accounts.createProfile('ada@example.com');
  const fullKey = server.keys.hobby;
  const key = await store.insert('api_keys', { user_id: user.id, prefix: 'at_live_', key_hash: hashKey(fullKey), key_suffix: fullKey.slice(-6), origin: 'cloud', service_url: server.url });
  await secrets.set(`api-key:${key.id}`, fullKey);
  await s.generation.start();
  stop = async () => {
    await s.generation.stop();
    await s.tts.close();
  };
  const settled = async (memoId: string) => {
    for (let i = 0; i < 3000 && ['queued', 'processing'].includes(store.get('memos', memoId)!.status); i++) await new Promise((r) => setTimeout(r, 20));
    return store.get('memos', memoId)!;
  };
  const counted = () => ({ summary: s.rateLimits.summary(user.id), key: store.get('api_keys', key.id)!.usage_count });
  return { ...s, store, user, key, settled, counted };
}

describe('what an English voice can say', () => {
  it('finds nothing in Chinese, Arabic, Hebrew, Japanese or emoji, part of mixed text, and all of English', () => {
    for (const text of NOT_ENGLISH) expect(englishCoverage(text), text).toBe('none');
    expect(englishCoverage('Meeting at 10 with 王先生 😀')).toBe('some');
    expect(englishCoverage('Déjà vu, naïve café: 3 times.')).toBe('all');
  });
});

describe('memos in a language the voice cannot speak', () => {
  it('lists the offline voices as English only', async () => {
    const s = await setup();
    const voices = await s.voices.list();
    expect(voices.filter((v) => v.engine === 'offline').map((v) => v.language)).toEqual(Array(5).fill('English'));
    expect(voices.filter((v) => v.engine === 'cloud').every((v) => v.language === null)).toBe(true);
  });

  it('refuses text with nothing an offline voice can say before counting it, creating nothing', async () => {
    const s = await setup();
    for (const text of NOT_ENGLISH) {
      const refused = await failure(s.generation.generate(s.user.id, { text, voice: 'flite:slt' }));
      expect(refused).toMatchObject({ code: 'UNSPEAKABLE_TEXT', message: expect.stringContaining('speaks English only') });
    }
    expect(s.store.count('memos')).toBe(0);
    expect(s.store.count('jobs')).toBe(0);
    expect(s.counted()).toMatchObject({ summary: { today: { used: 0 }, month: { used: 0 } }, key: 0 });
  });

  it('speaks the English of mixed text, and counts it once', async () => {
    const s = await setup();
    const memo = await s.generation.generate(s.user.id, { text: 'Meeting at ten with 王先生 about the 予算.', voice: 'flite:slt' });
    const done = await s.settled(memo.id);
    expect(done).toMatchObject({ status: 'completed', error: null, error_code: null });
    expect(done.duration_sec).toBeGreaterThan(1);
    expect(s.counted()).toMatchObject({ summary: { today: { used: 1 } }, key: 1 });
  }, 60_000);

  it.skipIf(!hasLame)('fails a cloud memo whose audio comes back silent, saying the service answered with silence; the call stays counted, as the service counted it', async () => {
    const s = await setup();
    // The service answers the memo, and its audio file is a second of silence.
    const silence = wavOf({ sampleRate: 16_000, samples: new Int16Array(16_000) });
    expect(isSilentWav(silence)).toBe(true);
    server!.inject({ path: '/audio/', status: 200, body: silence, contentType: 'audio/wav' });
    const memo = await s.generation.generate(s.user.id, { text: 'A memo the service makes silent.', voice: 'rachel' });
    expect(s.counted()).toMatchObject({ summary: { today: { used: 1 }, month: { used: 1 } }, key: 1 });

    const failed = await s.settled(memo.id);
    expect(failed).toMatchObject({ status: 'failed', error_code: 'TTS_FAILED', error: expect.stringMatching(/answered with silence/), audio_url: '' });
    expect(s.counted()).toMatchObject({ summary: { today: { used: 1 } }, key: 1 });
  }, 60_000);
});

it('hears silence in a WAV of zeros, and sound in one an offline voice made', async () => {
  const engine = createOfflineEngine();
  try {
    const spoken = await engine.synthesize('Hello there.', 'flite:slt');
    expect(isSilentWav(spoken.audio)).toBe(false);
    const chinese = await engine.synthesize('你好世界', 'flite:slt');
    expect(parseWav(chinese.audio).data.length).toBeGreaterThan(0); // Flite makes audio of it: silence
    expect(isSilentWav(chinese.audio)).toBe(true);
  } finally {
    await engine.close?.();
  }
}, 60_000);
