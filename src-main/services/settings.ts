/** The profile's own settings, kept in the `settings` table: the cloud service's URL and the theme. */
import { THEMES, type SettingsView } from '../../src-shared/contract/settings';
import type { tables } from '../../src-shared/schema';
import type { AgentTalkStore, Transaction } from '../db';

const CLOUD_URL = 'cloud_url';
const THEME = 'theme';

/** The cloud service's URL, or null until the user sets one (read at each cloud call). */
export function readCloudUrl(store: AgentTalkStore): string | null {
  const value = store.get('settings', CLOUD_URL)?.value;
  return typeof value === 'string' ? value : null;
}

/** Sets one setting in the transaction; null removes it. */
export function writeSetting(tx: Transaction<typeof tables>, key: string, value: unknown): void {
  const exists = tx.get('settings', key) !== undefined;
  if (value === null) {
    if (exists) tx.delete('settings', key);
  } else if (exists) tx.update('settings', key, { value });
  else tx.insert('settings', { key, value });
}

export function createSettingsService(store: AgentTalkStore) {
  function get(): SettingsView {
    const theme = store.get('settings', THEME)?.value;
    return { cloudUrl: readCloudUrl(store), theme: THEMES.find((t) => t === theme) ?? 'system' };
  }

  return {
    get,
    cloudUrl: () => readCloudUrl(store),
    /** Sets the fields given (already validated by the contract); `cloudUrl: null` removes it. */
    async update(changes: { cloudUrl?: string | null; theme?: SettingsView['theme'] }): Promise<SettingsView> {
      await store.transaction((tx) => {
        for (const [key, value] of [[CLOUD_URL, changes.cloudUrl], [THEME, changes.theme]] as const) {
          if (value !== undefined) writeSetting(tx, key, value);
        }
      });
      return get();
    },
  };
}
