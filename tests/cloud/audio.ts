/**
 * Real audio for the contract server's memos, made at test time: nothing binary is checked in.
 *
 * The text becomes a speech-like signal (one voiced tone burst per word, with harmonics, a pitch glide and an
 * envelope; pauses between words and longer ones after punctuation; a female or male pitch by voice) as 16-bit
 * mono PCM in a WAV file. MP3, what the service sends, is encoded from that WAV by Debian's `lame` (the reference
 * LAME encoder, a small apt package), so the app is tested on the MP3 a real encoder writes: with its Xing/Info
 * and LAME headers (encoder delay and padding), in VBR, with no tag at all, MPEG-2 at 24 kHz, behind an ID3v2 tag.
 * Tests that need MP3 check for `lame` with requireTools (CI installs it). The true length of every memo is the
 * PCM's sample count over its rate, which tests compare the app's measurement with.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
}

/** How the MP3 is encoded (lame's options); the defaults are a 44.1 kHz 128 kb/s CBR file with LAME's Info tag. */
export interface Mp3Options {
  sampleRate?: 44100 | 48000 | 32000 | 24000 | 22050 | 16000;
  /** Constant bitrate in kb/s (ignored with vbr). */
  bitrate?: number;
  /** Variable bitrate (lame -V 4): the Xing header then holds the only reliable frame count. */
  vbr?: boolean;
  /** LAME's Xing/Info header with the encoder delay and padding (lame writes it unless told -t). */
  infoTag?: boolean;
  /** An ID3v2 tag before the audio, as many encoders and services add. */
  id3?: boolean;
}

const FEMALE = new Set(['rachel', 'domi', 'bella', 'emily', 'freya', 'dorothy', 'sarah']);

/** Speech-like PCM for `text`, spoken by `voice`: deterministic, so the same memo is the same audio. */
export function speak(text: string, voice: string, sampleRate = 24_000): Pcm {
  const words = text.split(/\s+/).filter(Boolean);
  const f0 = (FEMALE.has(voice) ? 210 : 115) + (hash(voice) % 30);
  const pieces: { kind: 'tone' | 'pause'; seconds: number; pitch: number }[] = [{ kind: 'pause', seconds: 0.15, pitch: 0 }];
  words.forEach((word, i) => {
    const letters = word.replace(/[^\p{L}\p{N}]/gu, '').length || 1;
    pieces.push({ kind: 'tone', seconds: 0.1 + 0.05 * letters, pitch: f0 * (1 + 0.08 * Math.sin(i * 1.7)) });
    pieces.push({ kind: 'pause', seconds: /[.!?;:,]$/.test(word) ? 0.25 : 0.07, pitch: 0 });
  });
  pieces.push({ kind: 'pause', seconds: 0.15, pitch: 0 });

  const total = pieces.reduce((n, p) => n + Math.round(p.seconds * sampleRate), 0);
  const samples = new Int16Array(total);
  let at = 0;
  for (const piece of pieces) {
    const n = Math.round(piece.seconds * sampleRate);
    if (piece.kind === 'tone') {
      const ramp = Math.min(n / 2, 0.015 * sampleRate);
      let phase = 0;
      for (let i = 0; i < n; i++) {
        const glide = piece.pitch * (1 - 0.1 * (i / n)); // the pitch falls a little through the word
        phase += (2 * Math.PI * glide) / sampleRate;
        const envelope = Math.min(1, i / ramp, (n - 1 - i) / ramp);
        const value = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase);
        samples[at + i] = Math.round(0.3 * 32767 * envelope * (value / 1.75));
      }
    }
    at += n;
  }
  return { samples, sampleRate };
}

export const durationOf = (pcm: Pcm) => pcm.samples.length / pcm.sampleRate;

/** A canonical 44-byte-header PCM WAV file. */
export function wavOf(pcm: Pcm): Uint8Array {
  const data = pcm.samples.length * 2;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(pcm.sampleRate, 24);
  out.writeUInt32LE(pcm.sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(data, 40);
  Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, data).copy(out, 44);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Encodes with Debian's `lame` through files in `dir` (LAME writes its Info tag only into a seekable file). */
export async function mp3Of(pcm: Pcm, dir: string, options: Mp3Options = {}): Promise<Uint8Array> {
  const work = await mkdtemp(join(dir, 'lame-'));
  try {
    const input = join(work, 'in.wav');
    const output = join(work, 'out.mp3');
    await writeFile(input, wavOf(pcm));
    const args = ['--quiet', '-m', 'm', '--resample', String(pcm.sampleRate / 1000)];
    args.push(...(options.vbr ? ['-V', '4'] : ['--cbr', '-b', String(options.bitrate ?? (pcm.sampleRate >= 32_000 ? 128 : 48))]));
    if (options.infoTag === false) args.push('-t');
    if (options.id3) args.push('--id3v2-only', '--tt', 'Agent Talk memo', '--ta', 'contract server');
    await run('lame', [...args, input, output]);
    return new Uint8Array(await readFile(output));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Decodes an MP3 back to PCM with `lame --decode`: tests use it to show the bytes are audio that plays. */
export async function decodeMp3(mp3: Uint8Array): Promise<Pcm> {
  const work = await mkdtemp(join(tmpdir(), 'lame-decode-'));
  try {
    await writeFile(join(work, 'in.mp3'), mp3);
    await run('lame', ['--quiet', '--decode', join(work, 'in.mp3'), join(work, 'out.wav')]);
    return pcmOfWav(new Uint8Array(await readFile(join(work, 'out.wav'))));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The 16-bit PCM samples of a WAV file (mono or the first channel). */
export function pcmOfWav(wav: Uint8Array): Pcm {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  let pos = 12;
  let rate = 0;
  let channels = 1;
  while (pos + 8 <= wav.length) {
    const id = String.fromCharCode(...wav.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, true);
    if (id === 'fmt ') {
      channels = view.getUint16(pos + 10, true);
      rate = view.getUint32(pos + 12, true);
    } else if (id === 'data') {
      const count = Math.floor(Math.min(size, wav.length - pos - 8) / (2 * channels));
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.getInt16(pos + 8 + i * 2 * channels, true);
      return { samples, sampleRate: rate };
    }
    pos += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Root-mean-square level, 0..1: silence is ~0, the speech-like signal ~0.1. */
export function rms(pcm: Pcm): number {
  let sum = 0;
  for (const s of pcm.samples) sum += (s / 32768) ** 2;
  return Math.sqrt(sum / Math.max(1, pcm.samples.length));
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}
