import { useEffect, useRef, useState } from 'react';

interface Props {
  name: string;
  fullKey: string;
  onDone(): void;
}

/** A new key's full value, shown this once: the app keeps only its hash (and the keychain copy it uses itself). */
export function NewKey({ name, fullKey, onDone }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [copyStatus, setCopyStatus] = useState('');
  useEffect(() => heading.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(fullKey);
      setCopyStatus('Copied.');
    } catch {
      setCopyStatus('Copying failed: select the key and copy it by hand.');
    }
  }

  return (
    <section className="card new-key" aria-labelledby="new-key-title">
      <h3 id="new-key-title" ref={heading} tabIndex={-1}>
        Your new key “{name}”
      </h3>
      <p className="warning">
        <strong>Copy this key now.</strong> This is the only time it is shown in full; it can’t be shown again.
      </p>
      <div className="key-value">
        <input
          readOnly
          value={fullKey}
          aria-label="Full API key"
          spellCheck={false}
          onFocus={(event) => event.target.select()}
        />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status">{copyStatus}</p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}
