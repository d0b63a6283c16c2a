import { formatDateTime } from '../../format';
import type { ListedKey } from '../../stores/keys';
import { KeySecretNote } from './KeySecretNote';
import { RenameKey } from './RenameKey';
import { RevokeKey } from './RevokeKey';

export function KeyTable({ keys }: { keys: ListedKey[] }) {
  return (
    <table className="keys">
      <caption className="visually-hidden">Your API keys</caption>
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
              {key.isActive && <KeySecretNote secret={key.secret} />}
            </td>
            <td className="key-actions">
              <RenameKey apiKey={key} />
              {key.isActive && <RevokeKey apiKey={key} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
