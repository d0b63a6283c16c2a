import { useEffect, useState, type FormEvent } from 'react';
import type { LinkResult } from '../../../src-shared/contract';
import { errorMessage } from '../../api';
import { formatDateTime } from '../../format';
import { useSync } from '../../stores';
import { indicatorText } from '../sync/SyncIndicator';
import './account.css';

type Pending = { kind: 'password'; email: string; password: string } | { kind: 'token'; token: string };

/** Sign in with email and password, or paste a session token; asks before linking to an account of another email. */
function SignIn() {
  const { signIn, useToken } = useSync();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ pending: Pending; accountEmail: string; profileEmail: string } | null>(null);

  async function attempt(pending: Pending, confirmed = false) {
    setBusy(true);
    setError(null);
    try {
      const result: LinkResult = pending.kind === 'password' ? await signIn(pending.email, pending.password, confirmed) : await useToken(pending.token, confirmed);
      if (result.status === 'confirm') setConfirm({ pending, accountEmail: result.accountEmail, profileEmail: result.profileEmail });
      else {
        setConfirm(null);
        setPassword('');
        setToken('');
      }
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  const submit = (pending: Pending) => (event: FormEvent) => {
    event.preventDefault();
    void attempt(pending);
  };

  if (confirm) {
    return (
      <div className="notice" role="alertdialog" aria-labelledby="link-confirm-title">
        <p id="link-confirm-title">
          This account is <strong>{confirm.accountEmail}</strong>, but this profile is <strong>{confirm.profileEmail}</strong>. Link them anyway? The
          profile then takes the account’s email.
        </p>
        <div className="settings-buttons">
          <button type="button" disabled={busy} onClick={() => void attempt(confirm.pending, true)}>
            Link to {confirm.accountEmail}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirm(null)}>
            Cancel
          </button>
        </div>
      </div>
    );
  }

  return (
    <>
      <form onSubmit={submit({ kind: 'password', email: email.trim(), password })} noValidate aria-label="Sign in with email and password">
        <div className="field">
          <label htmlFor="cloud-email">Email</label>
          <input id="cloud-email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="cloud-password">Password</label>
          <input id="cloud-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <form onSubmit={submit({ kind: 'token', token: token.trim() })} noValidate aria-label="Use a session token">
        <div className="field">
          <label htmlFor="cloud-token">Or paste a session token</label>
          <input id="cloud-token" type="password" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} aria-describedby="cloud-token-help" />
          <p id="cloud-token-help" className="settings-help">
            From the service’s own sign-in page, for services that sign in elsewhere.
          </p>
        </div>
        <button type="submit" disabled={busy}>
          Use token
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function SyncDetail() {
  const { status, syncNow, setInterval } = useSync();
  const [busy, setBusy] = useState(false);
  const [minutes, setMinutes] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!status) return null;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <p role="status" data-testid="sync-detail">
        <strong>{indicatorText(status, Date.now())}</strong>
        {status.message && <> · {status.message}</>}
      </p>
      <div className="settings-buttons">
        <button type="button" disabled={busy || status.running} onClick={() => void run(syncNow)}>
          Sync now
        </button>
      </div>
      <form
        className="sync-interval"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => setInterval(Number(minutes ?? status.intervalMinutes)));
        }}
      >
        <label htmlFor="sync-interval">Sync every (minutes)</label>
        <input id="sync-interval" type="number" min={1} max={1440} value={minutes ?? status.intervalMinutes} onChange={(e) => setMinutes(e.target.value)} />
        <button type="submit" disabled={busy}>
          Save
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="sync-capabilities">
        <caption>What syncs with the service</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Last result</th>
            <th scope="col">Checked</th>
          </tr>
        </thead>
        <tbody>
          {status.capabilities.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.label}</th>
              <td>{c.state === 'ok' ? 'Synced' : c.state === 'not-offered' ? 'Not offered by this service yet' : c.state === 'failed' ? `Failed: ${c.reason ?? ''}` : 'Not yet'}</td>
              <td>{formatDateTime(c.checkedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {status.outbox.length > 0 && (
        <>
          <h4>Waiting to be sent ({status.waiting})</h4>
          <ul className="sync-outbox">
            {status.outbox.map((entry, i) => (
              <li key={i}>
                {entry.op === 'create' ? 'Create' : entry.op === 'rename' ? 'Rename' : 'Revoke'} the cloud key “{entry.keyName}”, since {formatDateTime(entry.since)}
                {entry.error && <> · last try: {entry.error}</>}
              </li>
            ))}
          </ul>
        </>
      )}
      {status.notices.length > 0 && (
        <>
          <h4>What sync has to tell you</h4>
          <ul className="sync-notices">
            {status.notices.slice(0, 10).map((n) => (
              <li key={n.id}>
                {n.message} <span className="settings-help">({formatDateTime(n.at)})</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** Settings → Cloud account: the link to the account on the cloud URL's service, and what sync does with it. */
export function CloudAccountPanel({ cloudUrl }: { cloudUrl: string | null }) {
  const { account, load, signOut } = useSync();
  useEffect(() => void load(), [load]);
  return (
    <section className="card" aria-labelledby="cloud-account-title">
      <h3 id="cloud-account-title">Cloud account</h3>
      {cloudUrl === null ? (
        <p>Set the cloud URL above first: the account is on that service.</p>
      ) : account?.signedIn ? (
        <>
          <p>
            Linked to <strong>{account.email ?? 'an account this service does not name yet'}</strong> on <code>{account.serviceUrl}</code>.
          </p>
          {account.signInNeeded && <p className="warning">The service refused the session. Sign in again: your waiting changes are kept.</p>}
          <button type="button" className="danger" onClick={() => void signOut()}>
            Sign out
          </button>
          {account.signInNeeded && <SignIn />}
        </>
      ) : (
        <>
          <p>Sign in to the account on {cloudUrl} to sync its plan, its API keys and its usage with this computer.</p>
          <SignIn />
        </>
      )}
      <SyncDetail />
    </section>
  );
}
