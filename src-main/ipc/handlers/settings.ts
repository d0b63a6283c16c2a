import type { Services } from '../../services';
import { importLegacyUpload, uploadDirOf } from '../../services/legacy-import';
import type { EdgeDeps, HandlersOf } from '.';

export function settingsHandlers(s: Services, { profileDir }: EdgeDeps): HandlersOf<'settings.get' | 'settings.update' | 'settings.draft' | 'settings.saveDraft' | 'legacy.import'> {
  return {
    'settings.get': () => s.settings.get(),
    'settings.update': (changes) => s.settings.update(changes),
    'settings.draft': () => s.settings.draft(),
    'settings.saveDraft': (draft) => s.settings.saveDraft(draft),
    'legacy.import': async ({ fileName, database, wal }) => {
      const user = s.accounts.require();
      const upload = { fileName, database, ...(wal !== undefined && { wal }) };
      return importLegacyUpload(s.store, uploadDirOf(profileDir), upload, { userId: user.id, email: user.email });
    },
  };
}
