import { z } from 'zod';
import { args, method, noArgs } from './common';

export const voiceView = z.object({
  id: z.string(),
  name: z.string(),
  gender: z.enum(['female', 'male']),
  description: z.string(),
  engine: z.enum(['offline', 'cloud']),
  /** The one language it speaks (the offline voices: English); null when it speaks many. */
  language: z.string().nullable(),
  /** Whether a memo can be made with it now; when not, `unavailableReason` says why in a sentence. */
  available: z.boolean(),
  unavailableReason: z.string().nullable(),
});

export const voicesMethods = {
  'voices.list': method(noArgs, z.object({ voices: z.array(voiceView) })),
  /** A short sample of an offline voice (WAV, base64), made on this machine and counted nowhere. */
  'voices.preview': method(args({ voice: z.string().min(1).max(100) }), z.object({ mime: z.string(), audioBase64: z.string() })),
};

export type VoiceView = z.infer<typeof voiceView>;
