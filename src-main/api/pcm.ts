/**
 * OpenAI's `pcm` format: raw 24 kHz, 16-bit signed little-endian, mono samples. The offline voices speak at 16 kHz
 * (or 8 kHz), so their samples are resampled (linear interpolation: what a player would do) to 24 kHz.
 */
import { parseWav } from '../services/tts/wav';

export const PCM_SAMPLE_RATE = 24_000;

export function pcm24kOf(wav: Uint8Array): Uint8Array {
  const { format, data } = parseWav(wav);
  if (format.audioFormat !== 1 || format.bitsPerSample !== 16) throw new Error('Only 16-bit PCM WAV is resampled');
  const input = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const frames = Math.floor(data.byteLength / format.blockAlign);
  // The first channel of each frame (the offline voices are mono).
  const sample = (i: number) => input.getInt16(Math.min(i, frames - 1) * format.blockAlign, true);
  const outFrames = Math.floor((frames * PCM_SAMPLE_RATE) / format.sampleRate);
  const out = new Uint8Array(outFrames * 2);
  const output = new DataView(out.buffer);
  const step = format.sampleRate / PCM_SAMPLE_RATE;
  for (let j = 0; j < outFrames; j++) {
    const at = j * step;
    const i = Math.floor(at);
    const fraction = at - i;
    output.setInt16(j * 2, Math.round(sample(i) * (1 - fraction) + sample(i + 1) * fraction), true);
  }
  return out;
}
