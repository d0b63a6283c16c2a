import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../../api';
import { useKeys } from '../../stores';
import { NewKey } from './NewKey';

/** The form for a new key; once created, its full value is shown once by NewKey. */
export function CreateKey() {
  const create = useKeys((state) => state.create);
  const active = useKeys((state) => state.active);
  const [name, setName] = useState('');
  const [test, setTest] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; fullKey: string } | null>(null);
  // A refusal (the plan's limit) is stale once the number of active keys changes.
  useEffect(() => setError(null), [active]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { key, fullKey } = await create({ name: name.trim(), test });
      if (fullKey) setCreated({ name: key.name, fullKey });
      setName('');
      setTest(false);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  if (created) return <NewKey name={created.name} fullKey={created.fullKey} onDone={() => setCreated(null)} />;

  return (
    <form className="card create-key" onSubmit={submit} noValidate aria-labelledby="create-key-title">
      <h3 id="create-key-title">Create a key</h3>
      <div className="field">
        <label htmlFor="key-name">Key name</label>
        <input id="key-name" value={name} onChange={(event) => setName(event.target.value)} maxLength={100} required />
      </div>
      <fieldset>
        <legend>Kind</legend>
        <label>
          <input type="radio" name="key-kind" checked={!test} onChange={() => setTest(false)} /> Live
        </label>
        <label>
          <input type="radio" name="key-kind" checked={test} onChange={() => setTest(true)} /> Test
        </label>
      </fieldset>
      <button type="submit" disabled={busy}>
        Create key
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
