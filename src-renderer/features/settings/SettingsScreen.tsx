import { DeviceSyncPanel } from '../devices/DeviceSyncPanel';
import { AgentApiSettings } from '../agent-api/AgentApiSettings';
import { useProfile, useSettings } from '../../stores';
import { CloudAccountPanel } from '../account/CloudAccountPanel';
import { CloudUrlForm } from './CloudUrlForm';
import { LegacyImport } from './LegacyImport';
import { StoreSection } from './StoreSection';
import { ThemePicker } from './ThemePicker';
import './settings.css';

function ProfileFolder({ profileDir }: { profileDir: string }) {
  return (
    <section className="card" aria-labelledby="profile-folder-title">
      <h3 id="profile-folder-title">Profile</h3>
      <p>Your memos, their audio, your keys’ records and your usage are kept on this computer, in this folder:</p>
      <p>
        <code className="settings-path">{profileDir}</code>
      </p>
    </section>
  );
}

function KeychainStatus({ keychain }: { keychain: { persistent: boolean; reason: string | null } }) {
  return (
    <section className="card" aria-labelledby="keychain-title">
      <h3 id="keychain-title">Keychain</h3>
      {keychain.persistent ? (
        <p>API keys are stored in your system keychain.</p>
      ) : (
        <p className="warning">
          <strong>No system keychain.</strong> {keychain.reason}. Your API keys are forgotten when the app closes, so
          cloud voices then need a new key. To keep them, unlock or install a keychain (such as GNOME Keyring or
          KWallet) and restart the app.
        </p>
      )}
    </section>
  );
}

/** Where the profile lives, the cloud URL, import of an agent-talk database, the store and its backups, the keychain, and the theme. */
export function SettingsScreen() {
  const app = useProfile((state) => state.app);
  const { settings, error } = useSettings();

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {app && <ProfileFolder profileDir={app.profileDir} />}
      {settings && <CloudUrlForm saved={settings.cloudUrl} />}
      {settings && <CloudAccountPanel cloudUrl={settings.cloudUrl} />}
      {app && <DeviceSyncPanel />}
      <AgentApiSettings />
      <LegacyImport />
      <StoreSection />
      {app && <KeychainStatus keychain={app.keychain} />}
      {settings && <ThemePicker theme={settings.theme} />}
    </section>
  );
}
