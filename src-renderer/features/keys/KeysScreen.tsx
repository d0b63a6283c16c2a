import { useEffect } from 'react';
import { useKeys } from '../../stores';
import { CloudKeyForms } from './CloudKeyForms';
import { CreateKey } from './CreateKey';
import { KeyTable } from './KeyTable';

/** The profile's API keys: how many of the plan's allowance are in use, the list, and a new key. */
export function KeysScreen() {
  const { keys, active, limit, loaded, error, notice, load } = useKeys();
  useEffect(() => void load(), [load]);
  const local = keys.filter((k) => k.kind === 'local');
  const cloud = keys.filter((k) => k.kind === 'cloud');

  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {loaded && (
        <>
          <p aria-live="polite">
            <strong>
              {active} of {limit} keys
            </strong>{' '}
            active on your plan. Revoked keys don’t count.
          </p>
          <section aria-labelledby="local-keys-title">
            <h3 id="local-keys-title">This computer</h3>
            <p className="settings-help">For the offline voices and local agents. Never sent to the service.</p>
            <CreateKey />
            {local.length === 0 ? <p>No keys yet.</p> : <KeyTable keys={local} caption="Keys made on this computer" />}
          </section>
          <section aria-labelledby="cloud-keys-title">
            <h3 id="cloud-keys-title">Cloud</h3>
            <p className="settings-help">Your cloud account’s keys: the only ones the cloud voices use.</p>
            <CloudKeyForms />
            {cloud.length === 0 ? <p>No cloud keys yet.</p> : <KeyTable keys={cloud} caption="Your cloud account’s keys" />}
          </section>
        </>
      )}
    </section>
  );
}
