import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api';
import { useProfile } from '../../stores';

/** The first run: the local profile is created from an email address. */
export function FirstRun() {
  const create = useProfile((state) => state.create);
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await create(email.trim());
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="first-run-title" className="card">
      <h2 id="first-run-title">Set up Agent Talk on this computer</h2>
      <p>
        Your profile, API keys, memos and usage are kept in a local store on this computer. The offline voices make
        memos here without a connection; a memo’s text leaves this computer only when you set a cloud URL in Settings
        and pick a cloud voice.
      </p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="profile-email">Email</label>
        <input
          id="profile-email"
          type="email"
          autoComplete="email"
          required
          autoFocus
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error ? 'profile-email-error' : undefined}
        />
        <button type="submit" disabled={busy}>
          Create profile
        </button>
        {error && (
          <p id="profile-email-error" className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
