import type { Services } from '../../services';
import { importLegacyUpload } from '../../services/legacy-import';
import type { HandlersOf } from '.';

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function settingsHandlers(s: Services): HandlersOf<'settings.get' | 'settings.update' | 'legacy.import'> {
  return {
    'settings.get': () => s.settings.get(),
    'settings.update': (changes) => s.settings.update(changes),
    'legacy.import': async ({ fileName, database, wal }) => {
      const user = s.accounts.require();
      const upload = { fileName, database: fromBase64(database), ...(wal !== undefined && { wal: fromBase64(wal) }) };
      return importLegacyUpload(s.store, upload, { userId: user.id, email: user.email });
    },
  };
}
