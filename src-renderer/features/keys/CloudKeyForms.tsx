import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api';

/** One small form: a label, a field, a button; the core's refusal shown under it, a status line once done. */
function OneFieldForm(props: { id: string; title: string; label: string; button: string; secret?: boolean; done: string; submit(value: string): Promise<unknown> }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await props.submit(value.trim());
      setValue('');
      setStatus(props.done);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby={`${props.id}-title`}>
      <h4 id={`${props.id}-title`}>{props.title}</h4>
      <div className="field">
        <label htmlFor={props.id}>{props.label}</label>
        <input id={props.id} type={props.secret ? 'password' : 'text'} spellCheck={false} value={value} maxLength={props.secret ? 200 : 100} onChange={(e) => setValue(e.target.value)} />
      </div>
      <button type="submit" disabled={busy}>
        {props.button}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p role="status">{status}</p>
    </form>
  );
}

/** A new key of the cloud account (made on the service at the next sync), or an existing one pasted. */
export function CloudKeyForms() {
  return (
    <div className="cloud-key-forms">
      <OneFieldForm
        id="cloud-key-name"
        title="Create a cloud key"
        label="Name for the cloud key"
        button="Create cloud key"
        done="Queued: it is created on the service at the next sync, and kept in your keychain."
        submit={(name) => call('keys.create', { kind: 'cloud', ...(name && { name }) })}
      />
      <OneFieldForm
        id="cloud-key-paste"
        title="Add an existing cloud key"
        label="Your account’s API key (at_live_… or at_test_…)"
        button="Add key"
        secret
        done="Added: it is kept in your keychain and used for the cloud voices."
        submit={(key) => call('keys.addCloud', { key })}
      />
    </div>
  );
}
