import { useEffect, useId, useRef, useState } from 'react';
import type { VoiceView } from '../../../src-shared/contract';
import { formatCount } from '../../format';
import { NO_CRITERIA, hasCriteria, type MemoCriteria, type MemoStatus } from '../../stores/memos';
import { useMemos } from '../../stores';
import { STATUS_LABELS } from './MemoRow';

/** How long typing pauses before the search runs: one query per word, not per key. */
const SEARCH_DELAY_MS = 250;

const VOICE_GROUPS = [
  { engine: 'offline', label: 'Offline voices' },
  { engine: 'cloud', label: 'Cloud voices' },
] as const;

/** How many memos there are, or match the filters. */
function countText(total: number | null, filtered: boolean): string {
  if (total === null) return 'Loading memos…';
  if (total === 0 && !filtered) return ''; // the empty Library says so itself
  return `${formatCount(total)} ${total === 1 ? 'memo' : 'memos'}${filtered ? ' match' : ''}`;
}

/**
 * The search box (it searches as the user types, once they pause), the voice, status and date filters, and below
 * them how many memos match, with a button that clears the filters.
 */
export function LibraryFilters({ voices }: { voices: VoiceView[] }) {
  const criteria = useMemos((state) => state.criteria);
  const total = useMemos((state) => state.total);
  const setCriteria = useMemos((state) => state.setCriteria);
  const [search, setSearch] = useState(criteria.search);
  const id = useId();

  const typed = useRef(search);
  useEffect(() => {
    typed.current = search;
    if (search === criteria.search) return;
    const timer = setTimeout(() => setCriteria({ ...criteria, search }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, criteria, setCriteria]);
  // Words typed just before the Library closes are searched then (their timer goes with it), so the box shows
  // them on return, not the search before.
  useEffect(
    () => () => {
      const memos = useMemos.getState();
      if (typed.current !== memos.criteria.search) memos.setCriteria({ ...memos.criteria, search: typed.current });
    },
    [],
  );

  const change = (changes: Partial<MemoCriteria>) => setCriteria({ ...criteria, search, ...changes });
  const filtered = search !== '' || hasCriteria(criteria);

  return (
    <>
      <search className="library-filters" aria-label="Find memos">
        <div className="field search-field">
          <label htmlFor={`${id}-search`}>Search memos</label>
          <input id={`${id}-search`} type="search" value={search} maxLength={200} placeholder="Words in the title or text" onChange={(event) => setSearch(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-voice`}>Voice</label>
          <select id={`${id}-voice`} value={criteria.voice} onChange={(event) => change({ voice: event.target.value })}>
            <option value="">All voices</option>
            {VOICE_GROUPS.map(({ engine, label }) => {
              const group = voices.filter((voice) => voice.engine === engine);
              return (
                group.length > 0 && (
                  <optgroup key={engine} label={label}>
                    {group.map((voice) => (
                      <option key={voice.id} value={voice.id}>
                        {voice.name}
                      </option>
                    ))}
                  </optgroup>
                )
              );
            })}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} value={criteria.status} onChange={(event) => change({ status: event.target.value as MemoStatus | '' })}>
            <option value="">All statuses</option>
            {Object.entries(STATUS_LABELS).map(([status, label]) => (
              <option key={status} value={status}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input id={`${id}-from`} type="date" value={criteria.from} max={criteria.to || undefined} onChange={(event) => change({ from: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} type="date" value={criteria.to} min={criteria.from || undefined} onChange={(event) => change({ to: event.target.value })} />
        </div>
      </search>
      <div className="library-summary">
        <p className="library-count" role="status">
          {countText(total, hasCriteria(criteria))}
        </p>
        {filtered && (
          <button
            type="button"
            className="quiet"
            onClick={() => {
              setSearch('');
              setCriteria(NO_CRITERIA);
            }}
          >
            Clear filters
          </button>
        )}
      </div>
    </>
  );
}
