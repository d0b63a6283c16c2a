import type { ApiKeyView } from '../../../src-shared/contract';
import { useNav } from '../../stores/nav';

interface Props {
  keys: ApiKeyView[];
  /** The key chosen now. */
  value: ApiKeyView | undefined;
  onChange(keyId: string): void;
}

/**
 * The key a memo is counted against: the active keys, and the chosen one if it has been revoked since (so it is
 * never swapped for another behind the user's back: generating with it is refused, saying why).
 */
export function BillingKey({ keys, value, onChange }: Props) {
  const options = keys.filter((k) => k.isActive || k.id === value?.id);
  const hasActive = keys.some((k) => k.isActive);
  return (
    <div className="billing-key">
      {options.length > 0 && (
        <>
          <label htmlFor="memo-key">Billed to</label>
          <select id="memo-key" value={value?.id} onChange={(event) => onChange(event.target.value)}>
            {options.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.maskedKey}){k.isActive ? '' : ' — revoked'}
              </option>
            ))}
          </select>
        </>
      )}
      {!hasActive && (
        <div className="notice">
          <p>You have no active API key. Every memo is counted against one: create a key first.</p>
          <button type="button" onClick={() => useNav.getState().go('keys')}>
            Go to Keys
          </button>
        </div>
      )}
    </div>
  );
}
