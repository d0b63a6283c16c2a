/**
 * MP3 for OpenAI's default `response_format`: the offline voices' WAV encoded with LAME compiled to WebAssembly
 * (`wasm-media-encoders`), a second of samples at a time with a turn of the event loop between, so a long memo
 * never holds the app's main thread. Constant 48 kbit/s mono: valid for the voices' 16 kHz (MPEG-2) and 8 kHz
 * (MPEG-2.5) alike, and plenty for speech.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createMp3Encoder } from 'wasm-media-encoders';
import { parseWav } from '../services/tts/wav';

const BITRATE = 48;

export async function mp3Of(wav: Uint8Array): Promise<Uint8Array> {
  const { format, data } = parseWav(wav);
  if (format.audioFormat !== 1 || format.bitsPerSample !== 16) throw new Error('Only 16-bit PCM WAV is encoded');
  const encoder = await createMp3Encoder();
  encoder.configure({ channels: 1, sampleRate: format.sampleRate, bitrate: BITRATE });
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const frames = Math.floor(data.byteLength / format.blockAlign);
  const parts: Uint8Array[] = [];
  for (let start = 0; start < frames; start += format.sampleRate) {
    const samples = new Float32Array(Math.min(format.sampleRate, frames - start));
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16((start + i) * format.blockAlign, true) / 32_768;
    parts.push(encoder.encode([samples]).slice()); // the encoder reuses its output buffer: copy
    await nextTurn();
  }
  parts.push(encoder.finalize().slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
