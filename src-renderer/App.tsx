import { useEffect } from 'react';
import { appVersion } from './api';
import { KeysScreen } from './features/keys/KeysScreen';
import { LibraryScreen } from './features/library/LibraryScreen';
import { PlayerBar } from './features/player/PlayerBar';
import { FirstRun } from './features/profile/FirstRun';
import { StoreProblem } from './features/profile/StoreProblem';
import { SettingsScreen } from './features/settings/SettingsScreen';
import { SyncIndicator } from './features/sync/SyncIndicator';
import './features/account/account.css';
import { SaveBanner } from './features/store-health/SaveBanner';
import { StudioScreen } from './features/studio/StudioScreen';
import { UsageScreen } from './features/usage/UsageScreen';
import { SCREENS, useNav, type Screen } from './stores/nav';
import { ConnectionBanner, useConnectionState } from './ui/ConnectionBanner';
import { ScreenBoundary } from './ui/ScreenBoundary';
import { useProfile, useSettings, useStoreHealth } from './stores';

const SCREEN_COMPONENTS: Record<Screen, () => React.JSX.Element> = {
  studio: StudioScreen,
  library: LibraryScreen,
  keys: KeysScreen,
  usage: UsageScreen,
  settings: SettingsScreen,
};

/** Ctrl+1 … Ctrl+5 (⌘ on macOS) switch screens, as the navigation's tooltips say. */
function useScreenShortcuts(go: (screen: Screen) => void) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      const screen = SCREENS[Number(event.key) - 1];
      if (!screen) return;
      event.preventDefault();
      go(screen.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);
}

function Navigation() {
  const { screen, go } = useNav();
  useScreenShortcuts(go);
  return (
    <nav className="app-nav" aria-label="Screens">
      <ul>
        {SCREENS.map(({ id, label }, i) => (
          <li key={id}>
            <button type="button" aria-current={screen === id ? 'page' : undefined} title={`${label} (Ctrl+${i + 1})`} onClick={() => go(id)}>
              {label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function App() {
  const { status, profile, app, error, load } = useProfile();
  const loadSettings = useSettings((s) => s.load);
  const screen = useNav((s) => s.screen);
  const connection = useConnectionState();
  const store = useStoreHealth((s) => s.status);
  const loadStore = useStoreHealth((s) => s.load);
  useEffect(() => void loadStore(), [loadStore]);
  useEffect(() => void load(), [load]);
  useEffect(() => void loadSettings(), [loadSettings]);
  const Current = SCREEN_COMPONENTS[screen];
  const screenLabel = SCREENS.find(({ id }) => id === screen)!.label;

  return (
    <div className={profile ? 'app with-nav' : 'app'}>
      <header className="app-header">
        <h1>Agent Talk</h1>
        {profile && (
          <p>
            {profile.email} · <span className="tier">{profile.tier}</span> plan · <SyncIndicator />
          </p>
        )}
      </header>
      {profile && <Navigation />}
      <main>
        <ConnectionBanner state={connection} />
        <SaveBanner />
        {app && !app.keychain.persistent && (
          <p className="notice" role="status">
            {app.keychain.reason}
          </p>
        )}
        {store && store.state !== 'open' ? (
          <StoreProblem status={store} />
        ) : (
          <>
            {status === 'loading' && <p role="status">Loading…</p>}
            {/* A profile that could not load for want of the connection: the banner says why, once. */}
            {status === 'failed' && connection === 'open' && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {status === 'ready' &&
              (profile ? (
                // Keyed by screen: a failed screen is tried afresh when the user comes back to it.
                <ScreenBoundary key={screen} screen={screenLabel}>
                  <Current />
                </ScreenBoundary>
              ) : (
                <FirstRun />
              ))}
          </>
        )}
      </main>
      {profile && <PlayerBar />}
      <footer className="app-footer">Agent Talk Desktop {appVersion()}</footer>
    </div>
  );
}
