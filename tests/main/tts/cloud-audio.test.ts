// Measuring audio from its bytes: the WAV and MPEG audio cases a real file can hold, built byte by byte here (the
// MP3 that a real encoder writes is measured in cloud.test.ts, against LAME's output).
import { describe, expect, it } from 'vitest';
import { AudioFormatError, isSilent, measureAudio, measureMp3, measureWav, sniffAudio } from '../../../src-main/services/tts/engines/cloud-audio';
import { speak, wavOf } from '../../cloud/audio';
import { SILENT_FALLBACK } from '../../cloud/server';

/** `count` silent MPEG frames with the given 4-byte header (a zero payload decodes to silence) and frame length. */
function frames(header: number[], length: number, count: number, padding?: (i: number) => boolean): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const pad = padding?.(i) ?? false;
    const frame = new Uint8Array(length + (pad ? 1 : 0));
    frame.set(header);
    if (pad) frame[2] = frame[2]! | 0x02;
    return frame;
  });
}
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

// MPEG-1 layer III, 128 kb/s, 44.1 kHz, mono: 144 * 128000 / 44100 = 417 bytes (418 padded), 1152 samples.
const MPEG1_128 = [0xff, 0xfb, 0x90, 0xc4];
// MPEG-2 layer III, 48 kb/s, 24 kHz, mono: 72 * 48000 / 24000 = 144 bytes, 576 samples.
const MPEG2_48 = [0xff, 0xf3, 0x64, 0xc4];
// MPEG-1 layer II, 192 kb/s, 48 kHz, stereo: 144 * 192000 / 48000 = 576 bytes, 1152 samples.
const MP2_192 = [0xff, 0xfd, 0xa4, 0x04];

describe('measuring WAV', () => {
  it('times PCM from its header, exactly', () => {
    const wav = wavOf(speak('Hello there.', 'rachel', 16_000));
    const info = measureAudio(wav);
    expect(info).toMatchObject({ format: 'wav', sampleRate: 16_000, channels: 1, method: 'wav-header' });
    expect(info.durationSec).toBeCloseTo((wav.length - 44) / 32_000, 9);
  });

  it('skips other chunks (odd sizes padded), reads an extensible fmt, and times a streamed data size by what is there', () => {
    const fmt = Buffer.alloc(8 + 40);
    fmt.write('fmt ', 0, 'ascii');
    fmt.writeUInt32LE(40, 4);
    fmt.writeUInt16LE(0xfffe, 8); // WAVE_FORMAT_EXTENSIBLE
    fmt.writeUInt16LE(2, 10);
    fmt.writeUInt32LE(48_000, 12);
    fmt.writeUInt32LE(48_000 * 4, 16);
    fmt.writeUInt16LE(4, 20);
    fmt.writeUInt16LE(16, 22);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const data = Buffer.concat([Buffer.from('data'), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(48_000 * 4 / 2)]);
    const head = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('WAVE')]);
    const info = measureWav(new Uint8Array(Buffer.concat([head, list, fmt, data])));
    expect(info).toMatchObject({ channels: 2, sampleRate: 48_000 });
    expect(info.durationSec).toBeCloseTo(0.5, 9);
  });

  it('refuses a WAV without a data chunk', () => {
    const wav = wavOf(speak('Hi', 'sam'));
    expect(() => measureWav(wav.subarray(0, 36))).toThrow(AudioFormatError);
  });
});

describe('measuring MPEG audio', () => {
  it('sums MPEG-1 layer III frames, padded or not', () => {
    const mp3 = concat(...frames(MPEG1_128, 417, 100, (i) => i % 3 === 0));
    expect(sniffAudio(mp3)).toBe('mp3');
    const info = measureMp3(mp3);
    expect(info).toMatchObject({ format: 'mp3', sampleRate: 44_100, channels: 1, method: 'mp3-frames' });
    expect(info.durationSec).toBeCloseTo((100 * 1152) / 44_100, 9);
  });

  it('sums MPEG-2 frames of 576 samples, and layer II frames of 1152', () => {
    expect(measureMp3(concat(...frames(MPEG2_48, 144, 250))).durationSec).toBeCloseTo((250 * 576) / 24_000, 9);
    const mp2 = measureMp3(concat(...frames(MP2_192, 576, 50)));
    expect(mp2).toMatchObject({ sampleRate: 48_000, channels: 2 });
    expect(mp2.durationSec).toBeCloseTo((50 * 1152) / 48_000, 9);
  });

  it('skips an ID3v2 tag, junk between frames, and stops at an ID3v1 tag or a truncated last frame', () => {
    const id3 = concat(ascii('ID3'), new Uint8Array([4, 0, 0, 0, 0, 0x01, 0x00]), new Uint8Array(128)); // 128-byte body
    const junk = new Uint8Array(37).fill(0x55);
    const tag = concat(ascii('TAG'), new Uint8Array(125));
    const mp3 = concat(id3, ...frames(MPEG1_128, 417, 10), junk, ...frames(MPEG1_128, 417, 10), tag);
    expect(measureMp3(mp3).durationSec).toBeCloseTo((20 * 1152) / 44_100, 9);
    const truncated = concat(...frames(MPEG1_128, 417, 10), new Uint8Array(MPEG1_128), new Uint8Array(100));
    expect(measureMp3(truncated).durationSec).toBeCloseTo((10 * 1152) / 44_100, 9);
  });

  it('takes the frame count from a Xing header, trimming the LAME delay and padding', () => {
    const first = frames(MPEG1_128, 417, 1)[0]!;
    const xing = 4 + 17; // after the mono side information
    first.set(ascii('Xing'), xing);
    first.set([0, 0, 0, 1], xing + 4); // flags: frame count only
    first.set([0, 0, 0x03, 0xe8], xing + 8); // 1000 frames
    const lame = xing + 12;
    const plain = concat(first, ...frames(MPEG1_128, 417, 5));
    expect(measureMp3(plain)).toMatchObject({ method: 'mp3-xing' });
    expect(measureMp3(plain).durationSec).toBeCloseTo((1000 * 1152) / 44_100, 9);

    first.set(ascii('LAME3.100'), lame);
    first.set([0x24, 0x04, 0xd2], lame + 21); // delay 576 (0x240), padding 1234 (0x4d2)
    const trimmed = concat(first, ...frames(MPEG1_128, 417, 5));
    expect(measureMp3(trimmed).durationSec).toBeCloseTo((1000 * 1152 - 576 - 1234) / 44_100, 9);
  });

  it('does not count an Info frame without a frame count as audio', () => {
    const first = frames(MPEG1_128, 417, 1)[0]!;
    first.set(ascii('Info'), 21);
    first.set([0, 0, 0, 0], 25);
    expect(measureMp3(concat(first, ...frames(MPEG1_128, 417, 8))).durationSec).toBeCloseTo((8 * 1152) / 44_100, 9);
  });
});

describe('what is not audio', () => {
  it.each([
    ['HTML', ascii('<html><body>Sign in</body></html>')],
    ['JSON', ascii('{"error":{"code":"INTERNAL_ERROR"}}')],
    ['one stray frame sync in noise', concat(new Uint8Array(MPEG1_128), new Uint8Array(1000).fill(7))],
    ['nothing', new Uint8Array()],
  ])('%s is neither', (_, bytes) => {
    expect(sniffAudio(bytes)).toBeNull();
    expect(() => measureAudio(bytes)).toThrow(AudioFormatError);
  });
});

describe('silence', () => {
  it('knows the service\'s 316-byte fallback, one MP3 frame cut short, for MP3 and for silence', () => {
    expect(sniffAudio(SILENT_FALLBACK)).toBe('mp3');
    expect(isSilent(SILENT_FALLBACK)).toBe(true);
  });

  it('tells MP3 frames without spectral data from frames with some', () => {
    expect(isSilent(concat(...frames(MPEG1_128, 417, 5)))).toBe(true);
    expect(isSilent(concat(...frames(MPEG2_48, 144, 5)))).toBe(true);
    const sounding = frames(MPEG1_128, 417, 5);
    sounding[3]![6] = 0x12; // part2_3_length of the first granule (after main_data_begin, private bits and scfsi): bits set
    expect(isSilent(concat(...sounding))).toBe(false);
    expect(isSilent(concat(...frames(MP2_192, 576, 3)))).toBe(false); // layer II: cannot tell without decoding
  });

  it('tells a silent WAV from speech', () => {
    expect(isSilent(wavOf({ samples: new Int16Array(16_000), sampleRate: 16_000 }))).toBe(true);
    expect(isSilent(wavOf(speak('Hello there.', 'rachel', 16_000)))).toBe(false);
    expect(isSilent(ascii('<html></html>'))).toBe(false);
  });
});
