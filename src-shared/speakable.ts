/**
 * What an English-only voice (the offline Flite voices) can say of a text. Flite reads Latin letters and digits; it
 * skips Chinese, Japanese, Korean, Arabic, Hebrew, Cyrillic, emoji and the like in silence. The Studio warns
 * with this before a memo is made, and the core refuses with it: both ask the same question.
 */

/** `all`: every word can be said; `some`: only part of it (the rest is skipped); `none`: nothing, the audio would be silent. */
export type Coverage = 'all' | 'some' | 'none';

const SAYABLE = /[A-Za-z0-9]/;
/** Letters of any script but Latin, and pictographs (emoji): what an English voice passes over. */
const UNSAYABLE = /[\p{L}\p{Extended_Pictographic}]/u;
const LATIN = /\p{Script=Latin}/u;

export function englishCoverage(text: string): Coverage {
  const sayable = SAYABLE.test(text);
  const skipped = [...text].some((char) => UNSAYABLE.test(char) && !LATIN.test(char));
  if (!sayable) return 'none';
  return skipped ? 'some' : 'all';
}

/** The language of the voices that speak only one (the offline ones), as the voice picker names it. */
export const ENGLISH = 'English';
