/**
 * The offline engine against the real Flite module in real worker threads: the WAV it answers is checked by a
 * parser written here (not src-main's) and, where sox is installed (CI installs it), by `soxi -D`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../../src-main/services/errors';
import {
  createOfflineEngine,
  EmptyTextError,
  type OfflineEngine,
  UnknownVoiceError,
} from '../../../src-main/services/tts/engines/offline';
import { splitText } from '../../../src-main/services/tts/sentences';
import { requireTools } from '../../support/require-tool';

const hasSox = requireTools(['soxi'], 'offline engine: independent duration check with soxi');

/** An independent reading of a canonical PCM WAV: header fields, the samples, and their loudness. */
function inspectWav(audio: Uint8Array) {
  const view = new DataView(audio.buffer, audio.byteOffset, audio.byteLength);
  const tag = (at: number) => String.fromCharCode(...audio.subarray(at, at + 4));
  expect(tag(0)).toBe('RIFF');
  expect(tag(8)).toBe('WAVE');
  expect(tag(12)).toBe('fmt ');
  expect(view.getUint16(20, true)).toBe(1); // integer PCM
  const channels = view.getUint16(22, true);
  const rate = view.getUint32(24, true);
  const bits = view.getUint16(34, true);
  // The header agrees with itself (Flite's own header for its 8 kHz voice states twice the byte rate).
  expect(view.getUint16(32, true)).toBe((channels * bits) / 8);
  expect(view.getUint32(28, true)).toBe(rate * view.getUint16(32, true));
  expect(tag(36)).toBe('data');
  const dataBytes = view.getUint32(40, true);
  // The sizes are right: the RIFF size covers the file, the data chunk runs exactly to its end.
  expect(view.getUint32(4, true)).toBe(audio.length - 8);
  expect(dataBytes).toBe(audio.length - 44);
  expect(bits).toBe(16);
  const samples = new Int16Array(audio.slice(44).buffer);
  let peak = 0;
  let sumSquares = 0;
  for (const s of samples) {
    peak = Math.max(peak, Math.abs(s));
    sumSquares += s * s;
  }
  return {
    channels,
    rate,
    samples,
    seconds: samples.length / channels / rate,
    peak,
    rms: Math.sqrt(sumSquares / Math.max(1, samples.length)),
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'offline-tts-'));
/** `soxi -D` on the audio written to a file: sox's own reading of the duration. */
function soxSeconds(audio: Uint8Array, name: string): number {
  const file = join(scratch, name);
  writeFileSync(file, audio);
  return Number(execFileSync('soxi', ['-D', file], { encoding: 'utf8' }).trim());
}

const within = (actual: number, expected: number, fraction: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * fraction);

/** A few thousand characters of ordinary prose: many sentences, some long, a paragraph break or two. */
function prose(chars: number): string {
  const sentences = [
    'The offline voice reads memos aloud without any network connection at all.',
    'It splits long texts at sentence boundaries, so that every piece stays small.',
    'Each piece is spoken in a worker thread, and the main thread keeps answering the window.',
    'Numbers like 42 and 1,024 are read out, as are dates such as March 10, 2026.',
    'Is that not convenient?',
    'Short ones too.',
    'When all the pieces are done, their samples are joined into a single file, with one header whose sizes are correct.',
  ];
  let text = '';
  for (let i = 0; text.length < chars; i++) {
    text += sentences[i % sentences.length] + (i % 11 === 10 ? '\n\n' : ' ');
  }
  return text.trim();
}

let engine: OfflineEngine;
beforeAll(async () => {
  engine = createOfflineEngine();
  await engine.prepare();
});
afterAll(async () => {
  await engine.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('offline engine: voices', () => {
  it("lists Flite's five built-in voices with names, genders and descriptions", () => {
    const voices = engine.voices();
    expect(voices.map((v) => v.id)).toEqual(['flite:slt', 'flite:rms', 'flite:awb', 'flite:kal', 'flite:kal16']);
    expect(voices.map((v) => [v.name, v.gender])).toEqual([
      ['Sally', 'female'],
      ['Robert', 'male'],
      ['Alan', 'male'],
      ['Karl', 'male'],
      ['Karl (16 kHz)', 'male'],
    ]);
    for (const voice of voices) {
      expect(voice.engine).toBe('offline');
      expect(voice.description.length).toBeGreaterThan(10);
    }
  });

  it('speaks a short sentence as a valid, non-silent WAV whose duration is measured', async () => {
    const result = await engine.synthesize('Hello! This memo was made on this computer, with no network.', 'flite:slt');
    expect(result.format).toBe('wav');
    const wav = inspectWav(result.audio);
    expect(wav.channels).toBe(1);
    expect(wav.rate).toBe(16000);
    expect(wav.seconds).toBeGreaterThan(2);
    expect(wav.peak).toBeGreaterThan(3000);
    expect(wav.rms).toBeGreaterThan(300);
    within(result.durationSec, wav.seconds, 0.02);
    if (hasSox) within(result.durationSec, soxSeconds(result.audio, 'short.wav'), 0.02);
  });

  it.each([
    ['flite:slt', 16000],
    ['flite:rms', 16000],
    ['flite:awb', 16000],
    ['flite:kal', 8000],
    ['flite:kal16', 16000],
  ])('%s speaks', async (voice, rate) => {
    const result = await engine.synthesize('Every offline voice can read this sentence.', voice);
    const wav = inspectWav(result.audio);
    expect(wav.rate).toBe(rate);
    expect(wav.seconds).toBeGreaterThan(1);
    expect(wav.peak).toBeGreaterThan(1000);
    within(result.durationSec, wav.seconds, 0.001);
  });
});

describe('offline engine: long texts', () => {
  it('speaks a multi-chunk text as one WAV: its chunks spoken one by one, their samples in order', async () => {
    const text = prose(3500);
    const chunks = [...splitText(text)];
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const whole = await engine.synthesize(text, 'flite:kal16');
    const wav = inspectWav(whole.audio);
    within(whole.durationSec, wav.seconds, 0.0001);
    if (hasSox) within(whole.durationSec, soxSeconds(whole.audio, 'long.wav'), 0.02);

    let sum = 0;
    const samples: Int16Array[] = [];
    for (const chunk of chunks) {
      const one = await engine.synthesize(chunk, 'flite:kal16');
      sum += one.durationSec;
      samples.push(inspectWav(one.audio).samples);
    }
    within(whole.durationSec, sum, 0.001);
    expect(whole.durationSec).toBeGreaterThan(150); // ~3,500 characters is a few minutes of speech
    // Flite speaks a text the same way each time: the memo is the chunks' samples, joined in the text's order.
    const joined = new Int16Array(samples.reduce((n, s) => n + s.length, 0));
    samples.reduce((at, s) => (joined.set(s, at), at + s.length), 0);
    expect(Buffer.from(wav.samples.buffer).equals(Buffer.from(joined.buffer))).toBe(true);
  });
});

describe('offline engine: refusals', () => {
  it('refuses an unknown voice and blank text with typed errors, before any work', async () => {
    const unknown = await engine.synthesize('Hello.', 'flite:nobody').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UnknownVoiceError);
    expect(unknown).toBeInstanceOf(ServiceError);
    expect(unknown).toMatchObject({ code: 'INVALID_VOICE', details: { voice: 'flite:nobody' } });
    await expect(engine.synthesize('Hello.', 'rachel')).rejects.toBeInstanceOf(UnknownVoiceError);

    for (const blank of ['', '   ', '\n\t ']) {
      const error = await engine.synthesize(blank, 'flite:slt').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmptyTextError);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'text' } });
    }
  });

  it('says so with TTS_FAILED when Flite cannot be loaded', async () => {
    const broken = createOfflineEngine({ wasmPath: join(scratch, 'missing.wasm') });
    await expect(broken.synthesize('Hello.', 'flite:slt')).rejects.toMatchObject({ code: 'TTS_FAILED' });
    expect(broken.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
    await broken.close();
  });

  it('refuses a text over its character cap', async () => {
    const small = createOfflineEngine({ maxTextChars: 100 });
    await expect(small.synthesize('x '.repeat(51), 'flite:kal')).rejects.toMatchObject({
      code: 'TEXT_TOO_LONG',
      details: { limit: 100, used: 102 },
    });
    expect(small.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
    await small.close();
  });
});

describe('offline engine: cancelling and closing', () => {
  it('an abort terminates the worker running the text and rejects with an AbortError', async () => {
    const single = createOfflineEngine({ poolSize: 1 });
    try {
      const controller = new AbortController();
      const pending = single.synthesize(prose(6000), 'flite:slt', { signal: controller.signal });
      const outcome = pending.catch((e: unknown) => e);
      while (single.stats().busy === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(single.stats()).toMatchObject({ workers: 1, busy: 1 });
      controller.abort();
      const error = await outcome;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('AbortError');
      // Rejected only once the worker has exited: nothing is left running or waiting.
      expect(single.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });

      // The engine still works afterwards, with a fresh worker.
      const after = await single.synthesize('Still here.', 'flite:kal');
      expect(inspectWav(after.audio).seconds).toBeGreaterThan(0.3);
    } finally {
      await single.close();
    }
    expect(single.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
  });

  it('an already aborted signal rejects at once and starts nothing', async () => {
    const fresh = createOfflineEngine();
    const error = await fresh
      .synthesize('Never spoken.', 'flite:slt', { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(fresh.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
    await fresh.close();
  });

  it('close() ends every worker and refuses new work', async () => {
    const closing = createOfflineEngine();
    const running = closing.synthesize(prose(3000), 'flite:slt').catch((e: unknown) => e);
    while (closing.stats().busy === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await closing.close();
    expect(await running).toMatchObject({ code: 'TTS_FAILED' });
    expect(closing.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
    await expect(closing.synthesize('Hello.', 'flite:slt')).rejects.toMatchObject({ code: 'TTS_FAILED' });
  });
});

describe('offline engine: the main thread', () => {
  it('keeps its event loop turning while a synthesis runs', async () => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    delay.enable();
    const started = performance.now();
    const result = await engine.synthesize(prose(1500), 'flite:slt');
    const elapsed = performance.now() - started;
    delay.disable();
    clearInterval(timer);
    expect(result.durationSec).toBeGreaterThan(60);
    // Long enough for the check to mean something, and the 10 ms timer kept firing all along (a blocked loop would
    // fire it once or twice). The loose bound is a count, not a timing: it cannot flake on a slow machine.
    expect(elapsed).toBeGreaterThan(200);
    expect(ticks).toBeGreaterThanOrEqual(Math.min(20, Math.floor(elapsed / 100)));
    console.info(
      `offline engine: ${result.durationSec.toFixed(1)} s of audio in ${elapsed.toFixed(0)} ms; ` +
        `${ticks} timer ticks; event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms`,
    );
  });
});
