/**
 * What an audio file really is and how long it plays, read from its bytes: the cloud's `audio.format` is a label
 * and its `audio.duration` an estimate from the text length, so the app measures both itself.
 *
 * - WAV: the RIFF `fmt ` and `data` chunks (duration = data bytes / byte rate).
 * - MP3 (MPEG-1, -2 and -2.5 audio, layers I to III): an ID3v2 tag is skipped; a Xing/Info header in the first
 *   frame gives the frame count, and its LAME extension the encoder delay and padding (so the duration is the
 *   exact one a gapless decoder plays); without one, the frames are walked and their samples summed.
 *
 * Nothing here is specific to the cloud, but it lives beside the cloud engine, its first user.
 */

import { InvalidWavError, parseWav, wavDurationSec } from '../wav';

export type MeasuredFormat = 'mp3' | 'wav';

/**
 * Whether the audio is silence, known without decoding: every sample of 16- or 8-bit PCM WAV within ±1 of zero; every
 * MPEG layer III frame (a truncated last one included) with no spectral data (part2_3_length 0 in every granule and
 * channel), which a decoder can only play as silence. False when it cannot tell (other encodings).
 */
export function isSilent(bytes: Uint8Array): boolean {
  const format = sniffAudio(bytes);
  if (format === 'wav') {
    try {
      const { format: fmt, data } = parseWav(bytes);
      if (fmt.audioFormat !== 1 && fmt.audioFormat !== 0xfffe) return false; // not integer PCM
      if (fmt.bitsPerSample === 16) {
        const view = dataView(data);
        for (let i = 0; i + 1 < data.length; i += 2) if (Math.abs(view.getInt16(i, true)) > 1) return false;
        return true;
      }
      if (fmt.bitsPerSample === 8) return data.every((b) => Math.abs(b - 128) <= 1);
    } catch {
      // unreadable: not known to be silent
    }
    return false;
  }
  if (format !== 'mp3') return false;
  const first = findFirstFrame(bytes, id3v2End(bytes));
  if (!first || first.header.layer !== 3) return false;
  let frames = 0;
  for (let pos = first.pos; pos + 4 <= bytes.length; ) {
    const frame = frameAt(bytes, pos);
    if (!frame || !sameStream(frame, first.header)) break;
    if (!frameIsSilent(bytes, pos, frame)) return false;
    frames++;
    pos += frame.length;
  }
  return frames > 0;
}

/** A layer III frame with no main data: each granule's part2_3_length (read from the side information) is 0. */
function frameIsSilent(bytes: Uint8Array, pos: number, frame: FrameHeader): boolean {
  const crc = (bytes[pos + 1]! & 1) === 0 ? 2 : 0;
  let bit = (pos + 4 + crc) * 8;
  const mono = frame.channels === 1;
  const granules = frame.version === 1 ? 2 : 1;
  bit += frame.version === 1 ? 9 + (mono ? 5 : 3) + 4 * frame.channels : 8 + (mono ? 1 : 2);
  const perGranule = frame.version === 1 ? 59 : 63;
  for (let i = 0; i < granules * frame.channels; i++, bit += perGranule) {
    if (readBits(bytes, bit, 12) !== 0) return false;
  }
  return true;
}

/** `count` bits at bit offset `at`, most significant first; bits past the end read as 0 (a frame cut short). */
function readBits(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const byte = bytes[(at + i) >> 3] ?? 0;
    value = (value << 1) | ((byte >> (7 - ((at + i) & 7))) & 1);
  }
  return value;
}

export interface AudioInfo {
  format: MeasuredFormat;
  durationSec: number;
  sampleRate: number;
  channels: number;
  /** How the duration was found: from a WAV header, an MP3 Xing/Info header, or by summing MP3 frames. */
  method: 'wav-header' | 'mp3-xing' | 'mp3-frames';
}

export class AudioFormatError extends Error {
  override readonly name = 'AudioFormatError';
}

/** The container the bytes hold, by their magic numbers (not by any label); null when neither. */
export function sniffAudio(bytes: Uint8Array): MeasuredFormat | null {
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE') return 'wav';
  if (ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  return findFirstFrame(bytes, 0) === null ? null : 'mp3';
}

/** Format and duration from the bytes; throws AudioFormatError when they are not WAV or MPEG audio it can time. */
export function measureAudio(bytes: Uint8Array): AudioInfo {
  const format = sniffAudio(bytes);
  if (format === 'wav') return measureWav(bytes);
  if (format === 'mp3') return measureMp3(bytes);
  throw new AudioFormatError('The audio is neither WAV nor MPEG audio.');
}

// --- WAV ---------------------------------------------------------------------------------------------------------

export function measureWav(bytes: Uint8Array): AudioInfo {
  try {
    const { format, data } = parseWav(bytes);
    return { format: 'wav', durationSec: wavDurationSec(format, data.length), sampleRate: format.sampleRate, channels: format.channels, method: 'wav-header' };
  } catch (error) {
    if (error instanceof InvalidWavError) throw new AudioFormatError(`The WAV audio is unreadable: ${error.message}.`);
    throw error;
  }
}

// --- MP3 ---------------------------------------------------------------------------------------------------------

interface FrameHeader {
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  sampleRate: number;
  channels: number;
  samples: number;
  length: number;
}

const BITRATES_KBPS: Record<string, readonly number[]> = {
  'v1l1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  'v1l2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  'v1l3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  'v2l1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  'v2l2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<string, readonly number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/** The MPEG audio frame header at `pos`, or null when there is none (free-format frames count as none). */
function frameAt(bytes: Uint8Array, pos: number): FrameHeader | null {
  if (pos + 4 > bytes.length) return null;
  const b1 = bytes[pos + 1]!;
  const b2 = bytes[pos + 2]!;
  const b3 = bytes[pos + 3]!;
  if (bytes[pos] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const table = version === 1 ? `v1l${layer}` : layer === 1 ? 'v2l1' : 'v2l2';
  const bitrate = BITRATES_KBPS[table]![bitrateIndex]! * 1000;
  const sampleRate = SAMPLE_RATES[String(version)]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  const samples = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  const length = layer === 1 ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4 : Math.floor(((samples / 8) * bitrate) / sampleRate) + padding;
  return { version, layer, sampleRate, channels: b3 >> 6 === 3 ? 1 : 2, samples, length };
}

const sameStream = (a: FrameHeader, b: FrameHeader) => a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;

/**
 * The first frame at or after `from` that is really one: the frame after it (when the file goes on) starts with a
 * header of the same stream. Two in a row are needed because 0xFFE appears by chance in any binary data.
 */
function findFirstFrame(bytes: Uint8Array, from: number, limit = 64 * 1024): { pos: number; header: FrameHeader } | null {
  const end = Math.min(bytes.length - 4, from + limit);
  for (let pos = from; pos <= end; pos++) {
    const header = frameAt(bytes, pos);
    if (!header) continue;
    const nextPos = pos + header.length;
    // The last frame, or the only one cut short where the audio starts (the service's 316-byte silent fallback).
    if (nextPos === bytes.length || (pos === from && nextPos > bytes.length)) return { pos, header };
    const next = frameAt(bytes, nextPos);
    if (next && sameStream(header, next)) return { pos, header };
  }
  return null;
}

/** Where the audio starts: after an ID3v2 tag (10-byte header, syncsafe size, optional 10-byte footer). */
function id3v2End(bytes: Uint8Array): number {
  if (ascii(bytes, 0, 3) !== 'ID3' || bytes.length < 10) return 0;
  const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  const footer = bytes[5]! & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/** The Xing/Info header of the first frame (layer III only): its frame count, and the LAME delay and padding. */
function xingOf(bytes: Uint8Array, pos: number, header: FrameHeader): { frames: number | null; delay: number; padding: number } | null {
  if (header.layer !== 3) return null;
  const sideInfo = header.version === 1 ? (header.channels === 1 ? 17 : 32) : header.channels === 1 ? 9 : 17;
  const at = pos + 4 + sideInfo;
  const id = ascii(bytes, at, 4);
  if (id !== 'Xing' && id !== 'Info') return null;
  const view = dataView(bytes);
  if (at + 8 > bytes.length) return null;
  const flags = view.getUint32(at + 4);
  let field = at + 8;
  let frames: number | null = null;
  if (flags & 1) {
    if (field + 4 > bytes.length) return null;
    frames = view.getUint32(field);
    field += 4;
  }
  if (flags & 2) field += 4; // byte count
  if (flags & 4) field += 100; // seek table
  if (flags & 8) field += 4; // quality
  // The LAME extension (also written by ffmpeg's encoder, as "Lavc"/"Lavf"): a 9-character encoder name, then at
  // offset 21 twelve bits of encoder delay and twelve of padding, in samples.
  let delay = 0;
  let padding = 0;
  if (field + 24 <= Math.min(bytes.length, pos + header.length) && /^[A-Za-z]{4}/.test(ascii(bytes, field, 4))) {
    const b = field + 21;
    delay = (bytes[b]! << 4) | (bytes[b + 1]! >> 4);
    padding = ((bytes[b + 1]! & 0x0f) << 8) | bytes[b + 2]!;
  }
  return { frames, delay, padding };
}

export function measureMp3(bytes: Uint8Array): AudioInfo {
  const first = findFirstFrame(bytes, id3v2End(bytes));
  if (!first) throw new AudioFormatError('No MPEG audio frame was found.');
  const { header } = first;
  const result = (samples: number, method: AudioInfo['method']): AudioInfo => ({
    format: 'mp3',
    durationSec: samples / header.sampleRate,
    sampleRate: header.sampleRate,
    channels: header.channels,
    method,
  });

  const xing = xingOf(bytes, first.pos, header);
  if (xing?.frames) {
    // The frame count excludes the tag's own (silent) frame; delay and padding are trimmed by gapless decoders.
    const total = xing.frames * header.samples;
    const trim = xing.delay + xing.padding;
    return result(trim < total ? total - trim : total, 'mp3-xing');
  }

  // No usable frame count: walk the frames. The tag frame, if any, holds no audio.
  let samples = 0;
  let pos = first.pos + (xing ? header.length : 0);
  while (pos + 4 <= bytes.length) {
    const frame = frameAt(bytes, pos);
    if (frame && sameStream(frame, header)) {
      if (pos + frame.length > bytes.length) break; // a truncated last frame is not played
      samples += frame.samples;
      pos += frame.length;
      continue;
    }
    // Trailing tags end the audio; other junk is skipped up to the next pair of real frames.
    const tail = ascii(bytes, pos, 8);
    if (tail.startsWith('TAG') || tail === 'APETAGEX' || tail.startsWith('LYRICS')) break;
    const next = findFirstFrame(bytes, pos + 1);
    if (!next || !sameStream(next.header, header)) break;
    pos = next.pos;
  }
  if (samples === 0) throw new AudioFormatError('The MPEG audio holds no complete frame.');
  return result(samples, 'mp3-frames');
}

// --- helpers -----------------------------------------------------------------------------------------------------

function ascii(bytes: Uint8Array, at: number, length: number): string {
  let s = '';
  for (let i = at; i < at + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

const dataView = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
