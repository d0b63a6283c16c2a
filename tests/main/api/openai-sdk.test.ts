/** The official `openai` package, pointed at the agent API, speaks offline: audio back, the memo stored, the call counted. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../../src-main/services/tts/wav';
import { agentCore } from '../../support/agent-api';
import { decodeMp3, durationOf, rms } from '../../cloud/audio';

describe('the OpenAI speech endpoint through the openai package', () => {
  let t: Awaited<ReturnType<typeof agentCore>>;
  let key: string;
  let client: OpenAI;
  beforeAll(async () => {
    t = await agentCore();
    key = await t.newKey('OpenAI SDK');
    client = new OpenAI({ apiKey: key, baseURL: `${t.base}/v1`, maxRetries: 0 });
  });
  afterAll(() => t.core.close());

  it('audio.speech.create answers the audio, the memo is in the store, the call is counted', async () => {
    const response = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'onyx', input: 'The deploy finished: all checks passed.', response_format: 'wav' });
    const wav = new Uint8Array(await response.arrayBuffer());
    const { format, data } = parseWav(wav);
    expect(format.sampleRate).toBe(16_000);
    expect(data.length / format.blockAlign / format.sampleRate).toBeGreaterThan(1);
    expect(response.headers.get('x-voice-used')).toBe('flite:rms'); // onyx → Robert
    const memoId = response.headers.get('x-memo-id')!;
    const memo = t.core.services.store.get('memos', memoId)!;
    expect(memo).toMatchObject({ status: 'completed', text: 'The deploy finished: all checks passed.', voice: 'flite:rms' });
    const keyRow = t.core.services.keys.authenticate(key);
    expect(memo.api_key_id).toBe(keyRow.id);
    expect(keyRow.usage_count).toBe(1);
    expect(t.core.services.rateLimits.summary(t.user.id).today.used).toBe(1);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('pcm is 24 kHz 16-bit mono, as OpenAI sends it; our own voice ids work too', async () => {
    const wavResponse = await client.audio.speech.create({ model: 'tts-1', voice: 'flite:slt', input: 'Same text, two formats.', response_format: 'wav' });
    const pcmResponse = await client.audio.speech.create({ model: 'tts-1', voice: 'flite:slt', input: 'Same text, two formats.', response_format: 'pcm' });
    const { format, data } = parseWav(new Uint8Array(await wavResponse.arrayBuffer()));
    const pcm = new Uint8Array(await pcmResponse.arrayBuffer());
    const seconds = data.length / format.blockAlign / format.sampleRate;
    expect(pcm.length / 2 / 24_000).toBeCloseTo(seconds, 2);
    expect(pcmResponse.headers.get('content-type')).toBe('audio/pcm');
  });

  it('mp3 by default, as OpenAI answers: audio LAME decodes to the memo’s length', async () => {
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'nova', input: 'An mp3, as OpenAI sends by default.' });
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const mp3 = new Uint8Array(await response.arrayBuffer());
    const memo = t.core.services.store.get('memos', response.headers.get('x-memo-id')!)!;
    const decoded = await decodeMp3(mp3);
    expect(Math.abs(durationOf(decoded) - memo.duration_sec!)).toBeLessThan(0.2);
    expect(rms(decoded)).toBeGreaterThan(0.01); // speech, not silence
  });

  it('refusals come back as the SDK’s typed errors, in OpenAI’s error shape', async () => {
    const opus = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'opus please', response_format: 'opus' }).catch((e: unknown) => e);
    expect(opus).toBeInstanceOf(OpenAI.BadRequestError);
    expect((opus as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ type: 'invalid_request_error', param: 'response_format', code: 'validation_error' });
    expect((opus as Error).message).toMatch(/mp3, wav, pcm/);
    const voice = await client.audio.speech.create({ model: 'tts-1', voice: 'nobody' as 'alloy', input: 'hi', response_format: 'wav' }).catch((e: unknown) => e);
    expect(voice).toBeInstanceOf(OpenAI.BadRequestError);
    const stranger = new OpenAI({ apiKey: 'sk-proj-not-a-local-key', baseURL: `${t.base}/v1`, maxRetries: 0 });
    const auth = await stranger.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', response_format: 'wav' }).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((auth as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({ code: 'invalid_api_key', param: null });
    await t.core.services.keys.revoke(t.user.id, t.core.services.keys.authenticate(key).id);
    const revoked = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', response_format: 'wav' }).catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((revoked as InstanceType<typeof OpenAI.PermissionDeniedError>).error).toMatchObject({ code: 'revoked_key', type: 'permission_error' });
  });
});
