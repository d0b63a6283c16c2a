import { useEffect, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useKeys, useStudio, useVoices } from '../../stores';
import { BillingKey } from './BillingKey';
import { GenerationStatus } from './GenerationStatus';
import { MemoText, charactersOver } from './MemoText';
import { SpeakableWarning, coverageOf } from './SpeakableWarning';
import { VoicePicker } from './VoicePicker';
import './studio.css';

/** The memo studio: text, voice, title and key in; Generate; the new memo followed until it plays. */
export function StudioScreen() {
  const { draft, charLimit, busy, error, edit, loadLimits, generate, restoreDraft } = useStudio(
    useShallow((s) => ({ draft: s.draft, charLimit: s.charLimit, busy: s.busy, error: s.error, edit: s.edit, loadLimits: s.loadLimits, generate: s.generate, restoreDraft: s.restoreDraft })),
  );
  const voices = useVoices();
  const keys = useKeys();
  useEffect(() => {
    void loadLimits();
    void restoreDraft();
    void useVoices.getState().load();
    void useKeys.getState().load();
  }, [loadLimits, restoreDraft]);

  // The user's choices while they can be used; until then the first offline voice and the newest active key.
  const voice = voices.voices.find((v) => v.id === draft.voice && v.available) ?? voices.voices.find((v) => v.available);
  const key = keys.keys.find((k) => k.id === draft.keyId) ?? keys.keys.find((k) => k.isActive);
  const coverage = coverageOf(draft.text, voice);
  const ready = voice !== undefined && key !== undefined && draft.text.trim() !== '' && charactersOver(draft.text, charLimit) === 0 && coverage !== 'none';

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!voice || !key || !ready || busy) return;
    // Kept as chosen: a key revoked later stays selected, and generating with it says why it is refused.
    edit({ voice: voice.id, keyId: key.id });
    void generate({ voice: voice.id, keyId: key.id });
  }

  return (
    <section className="studio" aria-labelledby="studio-title">
      <h2 id="studio-title">Memo studio</h2>
      <form onSubmit={submit} noValidate>
        <label htmlFor="memo-title">Title (optional)</label>
        <input id="memo-title" value={draft.title} maxLength={200} onChange={(event) => edit({ title: event.target.value })} aria-describedby="memo-title-hint" />
        <p id="memo-title-hint" className="field-hint">
          Without one, the memo is named after its first words.
        </p>
        <MemoText text={draft.text} onChange={(text) => edit({ text })} limit={charLimit} />
        {voices.error && (
          <p className="error" role="alert">
            {voices.error}
          </p>
        )}
        {voices.loaded && <VoicePicker voices={voices.voices} value={voice?.id} onChange={(id) => edit({ voice: id })} />}
        <SpeakableWarning voice={voice} coverage={coverage} />
        {keys.error && (
          <p className="error" role="alert">
            {keys.error}
          </p>
        )}
        {keys.loaded && <BillingKey keys={keys.keys} value={key} onChange={(keyId) => edit({ keyId })} />}
        <div className="studio-actions">
          <button type="submit" disabled={!ready || busy} aria-keyshortcuts="Control+Enter">
            Generate
          </button>
          <span className="field-hint">or Ctrl+Enter in the text</span>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <GenerationStatus />
    </section>
  );
}
