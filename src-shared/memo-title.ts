/** The text's first words: a memo's title when none is given (the core stores it; screens show it for memos without one). */
export function defaultTitle(text: string): string {
  const words = text.trim().split(/\s+/).slice(0, 8).join(' ');
  return words.length > 60 ? `${words.slice(0, 59)}…` : words;
}
