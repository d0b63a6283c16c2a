import { useEffect } from 'react';
import { appVersion } from './api';
import { KeysScreen } from './features/keys/KeysScreen';
import { FirstRun } from './features/profile/FirstRun';
import { useProfile } from './stores/profile';

export function App() {
  const { status, profile, app, error, load } = useProfile();
  useEffect(() => void load(), [load]);

  return (
    <>
      <header className="app-header">
        <h1>Agent Talk</h1>
        {profile && (
          <p>
            {profile.email} · <span className="tier">{profile.tier}</span> plan
          </p>
        )}
      </header>
      <main>
        {app && !app.keychain.persistent && (
          <p className="notice" role="status">
            {app.keychain.reason}
          </p>
        )}
        {status === 'loading' && <p role="status">Loading…</p>}
        {status === 'failed' && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {status === 'ready' && (profile ? <KeysScreen /> : <FirstRun />)}
      </main>
      <footer className="app-footer">Agent Talk Desktop {appVersion()}</footer>
    </>
  );
}
