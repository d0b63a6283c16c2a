import { useEffect } from 'react';
import { useKeys } from '../../stores/keys';
import { CreateKey } from './CreateKey';
import { KeyTable } from './KeyTable';

/** The profile's API keys: how many of the plan's allowance are in use, the list, and a new key. */
export function KeysScreen() {
  const { keys, active, limit, loaded, error, notice, load } = useKeys();
  useEffect(() => void load(), [load]);

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
          <CreateKey />
          {keys.length === 0 ? <p>No keys yet.</p> : <KeyTable keys={keys} />}
        </>
      )}
    </section>
  );
}
