import { formatCount } from '../../format';

interface Props {
  text: string;
  onChange(text: string): void;
  /** Characters a memo may have on the plan; null: unlimited; undefined while not known. */
  limit: number | null | undefined;
}

/** What the core counts: the text without its surrounding whitespace. */
const countedCharacters = (text: string) => text.trim().length;

/** How many characters the text has past the plan's limit (0 when within it, or while the limit is not known). */
export const charactersOver = (text: string, limit: number | null | undefined) =>
  typeof limit === 'number' ? Math.max(0, countedCharacters(text) - limit) : 0;

/** The memo's text, with a live count against the plan's limit and a warning past it. */
export function MemoText({ text, onChange, limit }: Props) {
  const count = countedCharacters(text);
  const over = charactersOver(text, limit);
  return (
    <div className="memo-text">
      <label htmlFor="memo-text">Text</label>
      <textarea
        id="memo-text"
        rows={8}
        value={text}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
          event.preventDefault();
          event.currentTarget.form?.requestSubmit();
        }}
        aria-describedby="memo-text-count memo-text-warning"
        aria-invalid={over > 0}
        spellCheck
      />
      <p id="memo-text-count" className={over > 0 ? 'char-count over' : 'char-count'}>
        {limit === null ? `${formatCount(count)} characters (no limit on your plan)` : `${formatCount(count)} / ${limit === undefined ? '…' : formatCount(limit)} characters`}
      </p>
      <div id="memo-text-warning" aria-live="polite">
        {typeof limit === 'number' && over > 0 && (
          <p className="warning">
            That’s {formatCount(over)} characters over your plan’s limit of {formatCount(limit)} per memo. Shorten the text to generate it.
          </p>
        )}
      </div>
    </div>
  );
}
