/** A short plain-text answer (404, 405, ...): what every app:// and browser-host route refuses with. */
export const plainResponse = (status: number, text: string) =>
  new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
