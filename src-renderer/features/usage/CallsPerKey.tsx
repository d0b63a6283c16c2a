import { useEffect } from 'react';
import { formatCount, formatDateTime } from '../../format';
import { useKeys } from '../../stores';

/** Calls counted on each key (the Studio's and agents' alike), live: a key's count changes with each call. */
export function CallsPerKey() {
  const { keys, loaded, load } = useKeys();
  useEffect(() => {
    if (!loaded) void load();
  }, [loaded, load]);
  if (keys.length === 0) return null;
  return (
    <section className="card" aria-labelledby="calls-per-key-title">
      <h3 id="calls-per-key-title">Calls per key</h3>
      <table className="usage-log-table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Calls</th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <td>
                {key.name}
                {!key.isActive && ' (revoked)'}
              </td>
              <td>{formatCount(key.usageCount)}</td>
              <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'never'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
