/**
 * Splits long text into chunks an engine can synthesize one at a time: whole sentences packed up to a maximum
 * length; a sentence longer than that is cut at a clause break, else at a space, so a word is never cut (only a
 * single "word" longer than the maximum, such as a very long URL, has to be cut inside).
 *
 * Lazy: chunks are produced on demand as slices of the input, so a million characters are never copied at once.
 */

export const DEFAULT_MAX_CHUNK_CHARS = 1000;

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
/** Sentence-ending punctuation, possibly followed by closing quotes or brackets. */
const SENTENCE_END = /[.!?…。！？][)"'’”\]»]*$/u;
const CLAUSE_END = /[,;:–—)][)"'’”\]»]*$/u;
/** A blank line from here on: a paragraph break, which ends a heading or a list item without a full stop. */
const PARAGRAPH_BREAK = /[^\S\n]*\n[^\S\n]*\n/y;
/** How far back from a candidate cut the punctuation tests look. */
const LOOKBEHIND = 8;

/**
 * The best end (exclusive) for a chunk starting at `start`: at most `max` characters on, and at whitespace or the
 * end of the text. Prefers a sentence end, then a clause end, then any space; answers -1 if there is no space.
 */
function findCut(text: string, start: number, max: number): number {
  const limit = start + max;
  const endsWith = (p: number, pattern: RegExp) => pattern.test(text.slice(Math.max(start, p - LOOKBEHIND), p));
  const paragraphAt = (p: number) => {
    PARAGRAPH_BREAK.lastIndex = p;
    return PARAGRAPH_BREAK.test(text);
  };
  let clause = -1;
  let space = -1;
  for (let p = limit; p > start; p--) {
    if (!isSpace(text[p]) || isSpace(text[p - 1])) continue;
    if (endsWith(p, SENTENCE_END) || paragraphAt(p)) return p;
    if (clause < 0 && endsWith(p, CLAUSE_END)) clause = p;
    if (space < 0) space = p;
  }
  return clause >= 0 ? clause : space;
}

/** Never cut between the two halves of a surrogate pair. */
function safeHardCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/** The chunks of `text`, in order, each at most `maxChars` long, trimmed and non-empty. */
export function* splitText(text: string, maxChars = DEFAULT_MAX_CHUNK_CHARS): Generator<string, void, undefined> {
  if (!(maxChars >= 2)) throw new RangeError('maxChars must be at least 2');
  let start = 0;
  for (;;) {
    while (start < text.length && isSpace(text[start])) start++;
    if (start >= text.length) return;
    let end: number;
    if (text.length - start <= maxChars) {
      end = text.length;
    } else {
      const cut = findCut(text, start, maxChars);
      end = cut > start ? cut : safeHardCut(text, start + maxChars);
    }
    const chunk = text.slice(start, end).trimEnd();
    if (chunk) yield chunk;
    start = end;
  }
}
