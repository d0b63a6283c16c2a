import { useState } from 'react';
import { THEMES, type Theme } from '../../../src-shared/contract';
import { errorMessage } from '../../api';
import { useSettings } from '../../stores';

const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Light, dark, or as the system says; applied as soon as it is saved. */
export function ThemePicker({ theme }: { theme: Theme }) {
  const update = useSettings((state) => state.update);
  const [error, setError] = useState<string | null>(null);
  // The choice being saved, shown checked meanwhile (the saved theme comes back from the core).
  const [saving, setSaving] = useState<Theme | null>(null);
  const checked = saving ?? theme;

  async function choose(next: Theme) {
    setError(null);
    setSaving(next);
    try {
      await update({ theme: next });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setSaving(null);
    }
  }

  return (
    <section className="card" aria-labelledby="theme-title">
      <h3 id="theme-title">Appearance</h3>
      <fieldset>
        <legend>Theme</legend>
        {THEMES.map((option) => (
          <label key={option}>
            <input type="radio" name="theme" checked={checked === option} onChange={() => void choose(option)} /> {THEME_LABELS[option]}
          </label>
        ))}
      </fieldset>
      <p className="settings-help">System follows your computer’s light or dark setting.</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
