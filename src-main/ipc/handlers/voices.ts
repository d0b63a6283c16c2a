import type { Services } from '../../services';
import type { HandlersOf } from '.';

export function voicesHandlers(s: Services): HandlersOf<'voices.list' | 'voices.preview'> {
  return {
    'voices.list': async () => ({ voices: await s.voices.list() }),
    'voices.preview': async ({ voice }) => ({ mime: 'audio/wav', audioBase64: Buffer.from(await s.voices.preview(voice)).toString('base64') }),
  };
}
