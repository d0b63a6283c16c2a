/**
 * The voices a memo can use, as the voice picker shows them: each with whether it can be used now (a cloud voice
 * needs the cloud to answer), and a spoken sample of each offline voice, made once per voice and run.
 */
import type { VoiceView } from '../../src-shared/contract';
import type { CloudHealth } from './cloud-health';
import { ServiceError } from './errors';
import type { TtsRegistry } from './tts/registry';

export function createVoiceService(tts: TtsRegistry, cloudHealth: { check(): Promise<CloudHealth> }) {
  const previews = new Map<string, Promise<Uint8Array>>();
  return {
    async list(): Promise<VoiceView[]> {
      const voices = tts.voices();
      const health = voices.some((v) => v.engine === 'cloud') ? await cloudHealth.check() : { available: true, reason: null };
      return voices.map(({ id, name, gender, description, engine, language }) => {
        const available = engine === 'offline' || health.available;
        return { id, name, gender, description, engine, language: language ?? null, available, unavailableReason: available ? null : health.reason };
      });
    },

    /** A WAV sample of an offline voice (a cloud sample would count as a call). */
    preview(voiceId: string): Promise<Uint8Array> {
      const { voice, engine } = tts.resolve(voiceId);
      if (engine.id !== 'offline') throw new ServiceError('UNSUPPORTED', 'Only the offline voices have a preview: a cloud sample would count as a call.');
      let audio = previews.get(voice.id);
      if (!audio) {
        audio = engine.synthesize(`Hello, I'm ${voice.name}. This is how I sound.`, voice.id).then((r) => r.audio);
        audio.catch(() => previews.delete(voice.id));
        previews.set(voice.id, audio);
      }
      return audio;
    },
  };
}
