/** All engines behind one list of voices: the voice names its engine. */
import { ServiceError } from '../errors';
import type { TtsEngine, Voice } from './engine';

export function createTtsRegistry(engines: readonly TtsEngine[]) {
  const byVoice = new Map<string, { voice: Voice; engine: TtsEngine }>();
  for (const engine of engines) for (const voice of engine.voices()) byVoice.set(voice.id, { voice, engine });

  return {
    voices: (): Voice[] => [...byVoice.values()].map((v) => v.voice),

    /** The voice and its engine, or an INVALID_VOICE refusal. */
    resolve(voiceId: string): { voice: Voice; engine: TtsEngine } {
      const found = byVoice.get(voiceId);
      if (!found) throw new ServiceError('INVALID_VOICE', `There is no voice "${String(voiceId).slice(0, 80)}".`, { voice: String(voiceId).slice(0, 80) });
      return found;
    },

    close: () => Promise.all(engines.map((e) => e.close?.())).then(() => undefined),
  };
}

export type TtsRegistry = ReturnType<typeof createTtsRegistry>;
