import type { ApiKeyView } from '../../../src-shared/contract';
import { formatDateTime } from '../../format';
import { RevokeKey } from './RevokeKey';

/** A cloud key's state besides active or revoked: a change waiting for sync, or a key this computer does not hold. */
function note(key: ApiKeyView): string | null {
  if (key.waiting) return 'Waiting to sync';
  if (key.kind === 'cloud' && key.isActive && !key.usable) return 'Not on this computer';
  return null;
}

export function KeyTable({ keys, caption }: { keys: ApiKeyView[]; caption: string }) {
  return (
    <table className="keys">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Key</th>
          <th scope="col">Uses</th>
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id}>
            <th scope="row">{key.name}</th>
            <td>
              <code>{key.maskedKey}</code>
            </td>
            <td>{key.usageCount}</td>
            <td>{formatDateTime(key.lastUsedAt)}</td>
            <td>
              <span className={key.isActive ? 'status active' : 'status revoked'}>
                {key.isActive ? 'Active' : 'Revoked'}
              </span>
              {note(key) && <span className="key-note"> · {note(key)}</span>}
            </td>
            <td>{key.isActive && <RevokeKey apiKey={key} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
