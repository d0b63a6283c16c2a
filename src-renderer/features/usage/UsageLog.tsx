import { useEffect } from 'react';
import { USAGE_ACTIONS } from '../../../src-shared/schema';
import { formatCount, formatDateTime } from '../../format';
import { useKeys, useUsage } from '../../stores';
import { ACTION_LABELS, actionLabel, describeEntry, isUsageAction } from './actions';

/** The names of the user's keys (revoked ones too) by id; loaded here if the Keys screen has not been opened. */
function useKeyNames(): Map<string, string> {
  const { keys, loaded, load } = useKeys();
  useEffect(() => {
    if (!loaded) void load();
  }, [loaded, load]);
  return new Map(keys.map((key) => [key.id, key.name]));
}

function ActionFilter() {
  const action = useUsage((state) => state.action);
  const filter = useUsage((state) => state.filter);
  return (
    <div className="usage-log-filter">
      <label htmlFor="usage-action">Show</label>
      <select id="usage-action" value={action ?? ''} onChange={(event) => void filter(isUsageAction(event.target.value) ? event.target.value : null)}>
        <option value="">All actions</option>
        {USAGE_ACTIONS.map((name) => (
          <option key={name} value={name}>
            {ACTION_LABELS[name]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The usage log, newest first, of every action or of one, a page at a time. */
export function UsageLog() {
  const { log, action, hasMore, loadingMore, loadMore } = useUsage();
  const keyNames = useKeyNames();
  const what = action ? `“${ACTION_LABELS[action]}” entries` : 'entries';

  return (
    <section className="usage-log" aria-labelledby="usage-log-title">
      <div className="usage-log-head">
        <h3 id="usage-log-title">Usage log</h3>
        <ActionFilter />
      </div>
      <p className="usage-muted" aria-live="polite">
        {log.length === 0 ? `No ${what} yet.` : `Showing ${formatCount(log.length)} ${what}, newest first.`}
      </p>
      {log.length > 0 && (
        <table className="usage-log-table">
          <caption className="visually-hidden">Usage log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Key</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {log.map((entry) => (
              <tr key={entry.id}>
                <td>{formatDateTime(entry.createdAt)}</td>
                <td>{actionLabel(entry.action)}</td>
                <td>{(entry.apiKeyId && keyNames.get(entry.apiKeyId)) ?? '—'}</td>
                <td>{describeEntry(entry.action, entry.metadata)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore && (
        <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
