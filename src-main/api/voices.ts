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
  /** For a cloud voice: the account's cloud key the memo goes to the service with (the caller's key is never sent). */
  cloudKeyId: string | null;
}

/**
 * The voice for `requested`, asked by `userId`'s agent. A cloud voice goes to the cloud when the account has a cloud
 * key for the configured service on this computer and the service answers a fresh health probe (a memo about to be
 * sent does not trust an answer kept for the voice picker); otherwise the nearest offline voice speaks when
 * `nearestOffline` allows, else CLOUD_UNAVAILABLE (503 with Retry-After).
 */
export async function chooseVoice(services: Services, userId: string, requested: string, nearestOffline: boolean): Promise<VoiceChoice> {
  const { voice } = services.tts.resolve(requested);
  if (voice.engine === 'offline') return { voice, standsInFor: null, cloudKeyId: null };
  const { why, cloudKey } = await cloudReach(services, userId, true);
  if (why === null) return { voice, standsInFor: null, cloudKeyId: cloudKey!.id };
  if (!nearestOffline) {
    throw new ServiceError('CLOUD_UNAVAILABLE', `${why} Ask for an offline voice, or turn on "speak cloud voices with the nearest offline voice" in Settings.`, { voice: voice.id });
  }
  return { voice: services.tts.resolve(NEAREST_OFFLINE[voice.gender]).voice, standsInFor: voice.id, cloudKeyId: null };
}

/**
 * Whether `userId`'s cloud voices go to the cloud now: a cloud URL set, a cloud key of the account for it held on
 * this computer, and the service answering (a `fresh` probe, or the answer kept for the voice picker). `why` says
 * what stands in the way, null when nothing does.
 */
async function cloudReach(services: Services, userId: string | null, fresh: boolean) {
  const serviceUrl = services.settings.cloudUrl();
  const cloudKey = serviceUrl === null || userId === null ? null : await services.keys.cloudKeyFor(userId, serviceUrl);
  const why =
    serviceUrl === null
      ? 'Set the Agent Talk cloud URL in Settings to use the cloud voices.'
      : cloudKey === null
        ? `This computer holds no cloud key of your account for ${serviceUrl} (a key made here is never sent to the service): add one on the Keys screen.`
        : (await services.cloudHealth.check({ fresh })).reason;
  return { why, cloudKey };
}

/**
 * The voices as an agent of the profile's user can use them: a cloud voice is `available` when it goes to the cloud
 * (see `cloudReach`) or, failing that, when the nearest offline voice may speak for it (`speaksAs` names that voice).
 */
export async function agentVoices(services: Services, nearestOffline: boolean) {
  const voices = await services.voices.list();
  const cloud = voices.some((v) => v.engine === 'cloud') ? await cloudReach(services, services.accounts.current()?.id ?? null, false) : null;
  return voices.map((v) => {
    const view = { ...voiceView(v), engine: v.engine };
    if (v.engine !== 'cloud' || cloud?.why === null) return { ...view, available: v.available };
    return nearestOffline ? { ...view, available: true, speaksAs: NEAREST_OFFLINE[v.gender] } : { ...view, available: false };
  });
}

/** A voice as the service shows it. */
export const voiceView = ({ id, name, gender, description }: Pick<Voice, 'id' | 'name' | 'gender' | 'description'>) => ({ id, name, gender, description });
