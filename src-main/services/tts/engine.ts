/** The one interface every text-to-speech engine implements; a registry picks the engine from the voice. */
import type { CloudRateLimit } from '../cloud/client';

export type EngineId = 'offline' | 'cloud';

export interface Voice {
  /** Unique across engines: offline voices are `flite:<name>`, cloud voices the service's ids (`rachel`, ...). */
  id: string;
  name: string;
  gender: 'female' | 'male';
  description: string;
  engine: EngineId;
  /** The one language it speaks, where it speaks only one (the offline voices: English). */
  language?: string;
}

export interface Synthesis {
  audio: Uint8Array;
  format: 'wav' | 'mp3';
  /** Measured from the audio itself, in seconds. */
  durationSec: number;
}

/** What a service answered for a memo, kept so that a retry fetches the audio again without asking twice. */
export interface ServiceAnswer {
  /** The service's id of the memo, when it gave one. */
  memoId: string | null;
  audioUrl: string;
  /** The service's estimate of the length, used only when the audio cannot be timed. */
  durationSec: number | null;
}

export interface SynthesisOptions {
  /** Aborts the synthesis (a cancelled job); the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  /** The id of the key the memo is billed to, for engines that call the service (the offline one ignores it). */
  keyId?: string | null;
  /** An answer the service gave an earlier try: only its audio is fetched, the service is not asked again. */
  kept?: ServiceAnswer | null;
  /** Told the service's answer as soon as it arrives, before the audio is fetched (to keep it with the job). */
  onAnswer?: (answer: ServiceAnswer) => Promise<void>;
  /** Told how much of the text is spoken so far (0 to 1), for engines that work in parts. */
  onProgress?: (fraction: number) => void;
}

export interface TtsEngine {
  readonly id: EngineId;
  voices(): Voice[];
  synthesize(text: string, voiceId: string, options?: SynthesisOptions): Promise<Synthesis>;
  close?(): Promise<void>;
  /** An engine that calls a rate-limited service tells each reading of its limits, with the key it was read for. */
  onRateLimit?(listener: (rateLimit: CloudRateLimit, keyId: string | null) => void): () => void;
}
