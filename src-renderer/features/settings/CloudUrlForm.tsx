import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api';
import { useSettings } from '../../stores';

/** The cloud service's URL: saved as typed (the core checks it), or cleared to work offline only. */
export function CloudUrlForm({ saved }: { saved: string | null }) {
  const update = useSettings((state) => state.update);
  // What the user typed since the last save; null shows the saved value.
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const value = draft ?? saved ?? '';

  async function save(cloudUrl: string | null) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await update({ cloudUrl });
      setDraft(null);
      setStatus(cloudUrl === null ? 'Cloud URL cleared: the cloud voices are unavailable until you set one.' : 'Saved.');
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void save(value.trim() === '' ? null : value.trim());
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="cloud-title">
      <h3 id="cloud-title">Cloud</h3>
      <label htmlFor="cloud-url">Cloud URL</label>
      <p id="cloud-url-help" className="settings-help">
        The Agent Talk service the cloud voices call. Without one, the app works offline with its own voices.
      </p>
      <input
        id="cloud-url"
        className="settings-url"
        type="url"
        inputMode="url"
        spellCheck={false}
        placeholder="https://agent-talk.example.com"
        value={value}
        onChange={(event) => setDraft(event.target.value)}
        aria-describedby={error ? 'cloud-url-help cloud-url-error' : 'cloud-url-help'}
        aria-invalid={error !== null}
      />
      <div className="settings-buttons">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="danger" disabled={busy || saved === null} onClick={() => void save(null)}>
          Clear
        </button>
      </div>
      {error && (
        <p id="cloud-url-error" className="error" role="alert">
          {error}
        </p>
      )}
      <p role="status">{status}</p>
    </form>
  );
}
