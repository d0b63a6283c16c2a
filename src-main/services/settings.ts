/** The profile's own settings, kept in the `settings` table: the cloud service's URL and the theme. */
import { studioDraft, THEMES, type SettingsView, type StudioDraft } from '../../src-shared/contract/settings';
import type { AgentTalkStore } from '../db';

const CLOUD_URL = 'cloud_url';
const THEME = 'theme';
const DRAFT = 'studio_draft';

const EMPTY_DRAFT: StudioDraft = { text: '', title: '', voice: '', keyId: '' };

/** The cloud service's URL, or null until the user sets one (read at each cloud call). */
export function readCloudUrl(store: AgentTalkStore): string | null {
  const value = store.get('settings', CLOUD_URL)?.value;
  return typeof value === 'string' ? value : null;
}

export function createSettingsService(store: AgentTalkStore) {
  function get(): SettingsView {
    const theme = store.get('settings', THEME)?.value;
    return { cloudUrl: readCloudUrl(store), theme: THEMES.find((t) => t === theme) ?? 'system' };
  }

  return {
    get,
    cloudUrl: () => readCloudUrl(store),
    /** The Studio's draft; an empty one when none was kept (or what was kept no longer reads as a draft). */
    draft(): StudioDraft {
      const kept = studioDraft.safeParse(store.get('settings', DRAFT)?.value);
      return kept.success ? kept.data : EMPTY_DRAFT;
    },
    async saveDraft(draft: StudioDraft): Promise<StudioDraft> {
      await store.transaction((tx) => {
        if (tx.get('settings', DRAFT)) tx.update('settings', DRAFT, { value: draft });
        else tx.insert('settings', { key: DRAFT, value: draft });
      });
      return draft;
    },
    /** Sets the fields given (already validated by the contract); `cloudUrl: null` removes it. */
    async update(changes: { cloudUrl?: string | null; theme?: SettingsView['theme'] }): Promise<SettingsView> {
      await store.transaction((tx) => {
        for (const [key, value] of [[CLOUD_URL, changes.cloudUrl], [THEME, changes.theme]] as const) {
          if (value === undefined) continue;
          const exists = tx.get('settings', key) !== undefined;
          if (value === null) {
            if (exists) tx.delete('settings', key);
          } else if (exists) tx.update('settings', key, { value });
          else tx.insert('settings', { key, value });
        }
      });
      return get();
    },
  };
}
