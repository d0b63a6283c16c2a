import { formatCount, formatDateTime } from '../../format';
import type { ListedKey } from '../../stores/keys';
import { KeySecretNote } from './KeySecretNote';
import { RenameKey } from './RenameKey';
import { RevokeKey } from './RevokeKey';

/**
 * A cloud key's day as the service last told it: `42 of 100 left today, resets 00:00 UTC`. A reading from before the
 * last reset says only the plan's daily calls (the service's count started again since).
 */
export function cloudDayText(day: ListedKey['cloudDay'], now = Date.now()): string | null {
  if (!day) return null;
  if (day.limit === null) return 'No daily limit on the service';
  if (day.resetAt === null || day.remaining === null) return `${formatCount(day.limit)} calls a day on the service`;
  if (now >= Date.parse(day.resetAt)) return `${formatCount(day.limit)} calls a day; the service’s count has started again since the last memo`;
  return `${formatCount(day.remaining)} of ${formatCount(day.limit)} left today, resets ${day.resetAt.slice(11, 16)} UTC`;
}

/** A cloud key's state besides active or revoked: a change waiting for sync, or a key this computer does not hold. */
function note(key: ListedKey): string | null {
  if (key.waiting) return 'Waiting to sync';
  if (key.kind === 'cloud' && key.isActive && !key.usable) return 'Not on this computer';
  return null;
}

export function KeyTable({ keys, caption }: { keys: ListedKey[]; caption: string }) {
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
              {key.isActive && key.kind === 'cloud' && cloudDayText(key.cloudDay) && <span className="key-note"> · {cloudDayText(key.cloudDay)}</span>}
              {/* A cloud key's full key is the account's, said by note(); a key made here says where its full key is. */}
              {key.isActive && key.kind === 'local' && <KeySecretNote secret={key.secret} />}
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
