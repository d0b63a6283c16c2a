/** The profile's own settings, kept in the `settings` table: the cloud service's URL, the theme, the agent API, the Studio's draft. */
import { AGENT_API_DEFAULT_PORT, agentApiSettings, type AgentApiSettings } from '../../src-shared/contract/agent-api';
import { studioDraft, THEMES, type SettingsView, type StudioDraft } from '../../src-shared/contract/settings';
import type { tables } from '../../src-shared/schema';
import type { AgentTalkStore, Transaction } from '../db';

const CLOUD_URL = 'cloud_url';
const THEME = 'theme';
const DRAFT = 'studio_draft';
const AGENT_API = 'agent_api';

const EMPTY_DRAFT: StudioDraft = { text: '', title: '', voice: '', keyId: '' };

/** On, on its default port, and speaking cloud voices offline when the cloud can't: what a fresh profile has. */
const AGENT_API_DEFAULTS: AgentApiSettings = { enabled: true, port: AGENT_API_DEFAULT_PORT, nearestOfflineVoice: true };

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

  /** The agent API's settings; a stored value that no longer parses falls back to the defaults field by field. */
  function agentApi(): AgentApiSettings {
    const stored = store.get('settings', AGENT_API)?.value;
    const merged = { ...AGENT_API_DEFAULTS, ...(typeof stored === 'object' && stored !== null ? stored : {}) };
    const parsed = agentApiSettings.safeParse(merged);
    return parsed.success ? parsed.data : AGENT_API_DEFAULTS;
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
    agentApi,
    /** Saves the agent API fields given (validated by the contract); answers the settings now in force. */
    async updateAgentApi(changes: Partial<AgentApiSettings>): Promise<AgentApiSettings> {
      return store.transaction((tx) => {
        const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
        const value = agentApiSettings.parse({ ...agentApi(), ...given });
        if (tx.get('settings', AGENT_API)) tx.update('settings', AGENT_API, { value });
        else tx.insert('settings', { key: AGENT_API, value });
        return value;
      });
    },
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
