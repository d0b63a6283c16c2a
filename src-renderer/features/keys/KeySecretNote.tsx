import type { ListedKey } from '../../stores/keys';

/**
 * Where an active key's full key is, when it is not safely in the keychain: what is lost when the app stops, or
 * what the key can still do now that its full key is not on this computer.
 */
export function KeySecretNote({ secret }: { secret: ListedKey['secret'] }) {
  if (secret === 'here') return null;
  return (
    <p className="key-secret-note">
      {secret === 'session'
        ? 'Its full key is kept only until Agent Talk stops (no keychain).'
        : 'Its full key is not on this computer (it was kept for an earlier session only). Agents that hold it, and memos with the offline voices, still work (a key made here is never sent to the cloud voices).'}
    </p>
  );
}
