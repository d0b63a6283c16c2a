/** The offline engine's helpers: splitting long text into chunks (sentences.ts) and WAV reading/writing (wav.ts). */
import { describe, expect, it } from 'vitest';
import { splitText } from '../../../src-main/services/tts/sentences';
import { InvalidWavError, parseWav, wavDurationSec, wavHeader } from '../../../src-main/services/tts/wav';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe('splitText', () => {
  it('keeps a short text whole, trimmed, and yields nothing for blank text', () => {
    expect([...splitText('  Hello there.  ')]).toEqual(['Hello there.']);
    expect([...splitText(' \n\t ')]).toEqual([]);
  });

  it('packs whole sentences up to the maximum and cuts only at sentence ends when it can', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} says something ${'quite '.repeat(i % 7)}useful!`);
    const text = sentences.join(' ');
    const chunks = [...splitText(text, 200)];
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(200);
      expect(chunk).toMatch(/!$/); // every chunk ends where a sentence ends
      expect(chunk).toMatch(/^Sentence/);
    }
    expect(chunks.join(' ')).toBe(text);
  });

  it('treats other sentence ends, closing quotes and blank lines as boundaries', () => {
    const text = 'Heading without a stop\n\n"Is it?" she asked. (Yes.) Fine… ok.';
    expect([...splitText(text, 24)]).toEqual(['Heading without a stop', '"Is it?" she asked.', '(Yes.) Fine… ok.']);
  });

  it('cuts a sentence longer than the maximum at a clause break, else at a space, never inside a word', () => {
    const long = `${'alpha beta gamma delta, '.repeat(30)}end.`;
    const chunks = [...splitText(long, 100)];
    expect(chunks.length).toBeGreaterThan(6);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeLessThanOrEqual(100);
      expect(chunk).toMatch(/delta,$/);
    }
    const noClauses = 'word '.repeat(100).trim();
    const plain = [...splitText(noClauses, 33)];
    for (const chunk of plain) expect(chunk).toMatch(/^(word ?)+$/);
    expect(words(plain.join(' '))).toEqual(words(noClauses));
  });

  it('hard-cuts only a single word longer than the maximum, never between surrogate halves', () => {
    const url = `see https://example.com/${'x'.repeat(150)} now`;
    const chunks = [...splitText(url, 50)];
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(50);
    expect(chunks[0]).toBe('see');
    expect(chunks.join('').replace(/\s+/g, '')).toBe(url.replace(/\s+/g, ''));
    const emoji = '😀'.repeat(30); // 60 UTF-16 units, no spaces
    const parts = [...splitText(emoji, 7)];
    expect(parts.join('')).toBe(emoji);
    for (const part of parts) expect(part.length % 2).toBe(0);
  });

  it('loses and reorders nothing on a long mixed text, lazily', () => {
    const text = Array.from({ length: 3000 }, (_, i) =>
      i % 50 === 49 ? '\n\n' : i % 9 === 0 ? `Item ${i}: one, two; three — four. ` : `w${i} `,
    ).join('');
    const iterator = splitText(text, 500);
    const first = iterator.next();
    expect(first.done).toBe(false);
    const chunks = [first.value as string, ...iterator];
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(500);
    expect(words(chunks.join(' '))).toEqual(words(text));
  });
});

describe('wav', () => {
  const format = { audioFormat: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16, blockAlign: 2 };

  it('writes a canonical header and reads it back, with the duration from the data size', () => {
    const samples = new Uint8Array(32000).fill(7);
    const file = new Uint8Array(44 + samples.length);
    file.set(wavHeader(format, samples.length));
    file.set(samples, 44);
    const view = new DataView(file.buffer);
    expect(String.fromCharCode(...file.subarray(0, 4))).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(file.length - 8);
    expect(view.getUint32(28, true)).toBe(32000); // byte rate
    expect(view.getUint32(40, true)).toBe(samples.length);
    const parsed = parseWav(file);
    expect(parsed.format).toEqual(format);
    expect(parsed.data.length).toBe(samples.length);
    expect(wavDurationSec(parsed.format, parsed.data.length)).toBe(1);
  });

  it('skips unknown chunks, clamps a data size past the end, and refuses what is not a WAV', () => {
    const list = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]); // "LIST", odd size, padded
    const header = wavHeader(format, 1000);
    const file = new Uint8Array(36 + list.length + 8 + 10);
    file.set(header.subarray(0, 36));
    file.set(list, 36);
    file.set(header.subarray(36, 44), 36 + list.length); // "data" claiming 1000 bytes, only 10 there
    expect(parseWav(file).data.length).toBe(10);
    expect(() => parseWav(new TextEncoder().encode('ID3 not a wave file'))).toThrow(InvalidWavError);
    expect(() => wavHeader(format, 2 ** 32)).toThrow(RangeError);
  });
});
