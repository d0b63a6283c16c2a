import { useId } from 'react';
import type { VoiceView } from '../../../src-shared/contract';
import { useNav } from '../../stores/nav';
import { useVoicePreview, type VoicePreview } from './useVoicePreview';

interface PickerProps {
  voices: VoiceView[];
  /** The voice chosen now. */
  value: string | undefined;
  onChange(voice: string): void;
}

function PreviewButton({ voice, preview }: { voice: VoiceView; preview: VoicePreview }) {
  const active = preview.voice === voice.id;
  const playing = active && !preview.loading;
  return (
    <button
      type="button"
      className="voice-preview-button"
      aria-label={playing ? `Stop preview of ${voice.name}` : `Preview ${voice.name}`}
      aria-busy={active && preview.loading}
      onClick={() => void preview.toggle(voice.id)}
    >
      {active ? (preview.loading ? 'Loading…' : 'Stop') : 'Preview'}
    </button>
  );
}

function VoiceOption({ voice, checked, onChange, preview }: { voice: VoiceView; checked: boolean; onChange(): void; preview: VoicePreview }) {
  const gender = voice.gender === 'female' ? 'Female' : 'Male';
  return (
    <li className="voice-option">
      <label>
        <input type="radio" name="voice" value={voice.id} checked={checked} disabled={!voice.available} onChange={onChange} />
        <span className="voice-name">{voice.name}</span>
        <span className="voice-about">
          {gender} · {voice.description}
        </span>
      </label>
      {voice.engine === 'offline' && <PreviewButton voice={voice} preview={preview} />}
    </li>
  );
}

interface GroupProps extends PickerProps {
  title: string;
  hint: string;
  preview: VoicePreview;
}

/** One engine's voices; when some can't be used now, why (in the core's words), with a way to Settings. */
function VoiceGroup({ title, hint, voices, value, onChange, preview }: GroupProps) {
  const id = useId();
  const reasons = [...new Set(voices.flatMap((v) => (v.available ? [] : [v.unavailableReason ?? `${v.name} can’t be used now.`])))];
  return (
    <fieldset className="voice-group" aria-describedby={`${id}-hint`}>
      <legend>{title}</legend>
      <p id={`${id}-hint`} className="voice-hint">
        {hint}
      </p>
      {reasons.length > 0 && (
        <div className="notice voice-unavailable">
          {reasons.map((reason) => (
            <p key={reason}>{reason}</p>
          ))}
          <button type="button" className="link-button" onClick={() => useNav.getState().go('settings')}>
            Open Settings
          </button>
        </div>
      )}
      <ul className="voice-list">
        {voices.map((voice) => (
          <VoiceOption key={voice.id} voice={voice} checked={voice.id === value} onChange={() => onChange(voice.id)} preview={preview} />
        ))}
      </ul>
    </fieldset>
  );
}

/** The offline voices speak one language (English): said where they are chosen, before a memo is made. */
function offlineHint(offline: VoiceView[]): string {
  const languages = [...new Set(offline.map((v) => v.language).filter((language) => language !== null))];
  const spoken = languages.length > 0 ? ` They speak ${languages.join(' and ')} only: words in other languages are skipped.` : '';
  return `Made on this computer; they work without a connection.${spoken}`;
}

/** The voices, grouped as offline (made on this computer) and cloud; offline ones can be heard first. */
export function VoicePicker({ voices, value, onChange }: PickerProps) {
  const preview = useVoicePreview();
  const offline = voices.filter((v) => v.engine === 'offline');
  const cloud = voices.filter((v) => v.engine === 'cloud');
  return (
    <fieldset className="voice-picker">
      <legend>Voice</legend>
      <VoiceGroup title="Offline voices" hint={offlineHint(offline)} voices={offline} value={value} onChange={onChange} preview={preview} />
      {cloud.length > 0 && (
        <VoiceGroup title="Cloud voices" hint="Made by the Agent Talk service with your API key." voices={cloud} value={value} onChange={onChange} preview={preview} />
      )}
      <audio ref={preview.audio} className="voice-preview" onEnded={preview.ended} />
      {preview.error && (
        <p className="error" role="alert">
          {preview.error}
        </p>
      )}
    </fieldset>
  );
}
