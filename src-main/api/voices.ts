/**
 * Which voice speaks an agent's memo. Offline voices by id; the cloud's voices (rachel, adam, ...) through the
 * cloud while it answers; while it does not, the offline voice of the same gender when the user allows it in
 * Settings, else a 503 the caller may retry. OpenAI's voice names map onto the offline voices.
 */
import type { Services } from '../services';
import { ServiceError } from '../services';
import type { Voice } from '../services/tts/engine';

/** The offline voice each gender falls back to: the clearest of Flite's voices. */
const NEAREST_OFFLINE: Record<Voice['gender'], string> = { female: 'flite:slt', male: 'flite:rms' };

/** OpenAI's speech voices, each on the offline voice closest in character. */
export const OPENAI_VOICES: Readonly<Record<string, string>> = {
  alloy: 'flite:slt',
  ash: 'flite:rms',
  ballad: 'flite:awb',
  coral: 'flite:slt',
  echo: 'flite:rms',
  fable: 'flite:awb',
  nova: 'flite:slt',
  onyx: 'flite:rms',
  sage: 'flite:slt',
  shimmer: 'flite:slt',
  verse: 'flite:kal16',
  marin: 'flite:slt',
  cedar: 'flite:rms',
};

export interface VoiceChoice {
  /** The voice that speaks. */
  voice: Voice;
  /** The voice asked for, when another one speaks in its place. */
  standsInFor: string | null;
}

export async function chooseVoice(services: Services, requested: string, nearestOffline: boolean): Promise<VoiceChoice> {
  const { voice } = services.tts.resolve(requested);
  if (voice.engine === 'offline') return { voice, standsInFor: null };
  // The cloud speaks when it answers. (The account's own cloud key joins this check once the app holds one.)
  const health = await services.cloudHealth.check();
  if (health.available) return { voice, standsInFor: null };
  if (!nearestOffline) {
    throw new ServiceError('CLOUD_UNAVAILABLE', `${health.reason ?? 'The cloud voices are unavailable.'} Ask for an offline voice, or turn on "speak cloud voices with the nearest offline voice" in Settings.`, { voice: voice.id });
  }
  return { voice: services.tts.resolve(NEAREST_OFFLINE[voice.gender]).voice, standsInFor: voice.id };
}

/** A voice as the service shows it. */
export const voiceView = ({ id, name, gender, description }: Pick<Voice, 'id' | 'name' | 'gender' | 'description'>) => ({ id, name, gender, description });
