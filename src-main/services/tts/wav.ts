/** RIFF/WAVE reading and writing for PCM audio: just what the engines need to join chunks and measure duration. */

export interface WavFormat {
  /** 1 = integer PCM. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per sample frame (all channels). */
  blockAlign: number;
}

export interface ParsedWav {
  format: WavFormat;
  /** The `data` chunk's bytes: a view into the parsed buffer, not a copy. */
  data: Uint8Array;
}

export const WAV_HEADER_BYTES = 44;
/** The RIFF size fields are 32 bits: a WAV file holds at most this many bytes of samples. */
export const WAV_MAX_DATA_BYTES = 0xffffffff - (WAV_HEADER_BYTES - 8);

export class InvalidWavError extends Error {
  override readonly name = 'InvalidWavError';
}

const ascii = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

/** Reads a RIFF/WAVE file: its `fmt ` chunk and a view of its `data` chunk (other chunks are skipped). */
export function parseWav(bytes: Uint8Array): ParsedWav {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') {
    throw new InvalidWavError('Not a RIFF/WAVE file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: WavFormat | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new InvalidWavError('Truncated fmt chunk');
      format = {
        audioFormat: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
        blockAlign: view.getUint16(body + 12, true),
      };
      if (format.channels === 0 || format.sampleRate === 0 || format.blockAlign === 0) {
        throw new InvalidWavError('Invalid fmt chunk');
      }
    } else if (id === 'data') {
      if (!format) throw new InvalidWavError('data chunk before fmt chunk');
      // A writer that streamed may leave the size unset or too large: the bytes that are there are the samples.
      const end = Math.min(bytes.length, body + size);
      const whole = end - ((end - body) % format.blockAlign);
      return { format, data: bytes.subarray(body, whole) };
    }
    at = body + size + (size % 2); // chunks are padded to an even size
  }
  throw new InvalidWavError(format ? 'No data chunk' : 'No fmt chunk');
}

export function sameFormat(a: WavFormat, b: WavFormat): boolean {
  return (
    a.audioFormat === b.audioFormat &&
    a.channels === b.channels &&
    a.sampleRate === b.sampleRate &&
    a.bitsPerSample === b.bitsPerSample &&
    a.blockAlign === b.blockAlign
  );
}

/** The canonical 44-byte header for `dataBytes` bytes of samples in `format`. */
export function wavHeader(format: WavFormat, dataBytes: number): Uint8Array {
  if (dataBytes < 0 || dataBytes > WAV_MAX_DATA_BYTES) throw new RangeError(`A WAV file cannot hold ${dataBytes} bytes`);
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) header[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, WAV_HEADER_BYTES - 8 + dataBytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, format.audioFormat, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * format.blockAlign, true);
  view.setUint16(32, format.blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  text(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

/** Seconds of audio in `dataBytes` bytes of samples: frames / rate, measured, not estimated from text. */
export function wavDurationSec(format: WavFormat, dataBytes: number): number {
  return Math.floor(dataBytes / format.blockAlign) / format.sampleRate;
}

/** Below this peak (1% of full scale) a 16-bit recording is silence: what Flite makes of text it cannot say. */
const SILENCE_PEAK = 328;

/**
 * Whether a WAV holds no sound: no samples, or 16-bit PCM samples that never rise above a whisper. Other sample
 * formats are not judged (false), and neither is a file that is not a WAV.
 */
export function isSilentWav(bytes: Uint8Array): boolean {
  const { format, data } = parseWav(bytes);
  if (data.length === 0) return true;
  if (format.audioFormat !== 1 || format.bitsPerSample !== 16) return false;
  const samples = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at + 1 < data.length; at += 2) {
    if (Math.abs(samples.getInt16(at, true)) > SILENCE_PEAK) return false;
  }
  return true;
}
