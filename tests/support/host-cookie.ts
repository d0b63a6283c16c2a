/** The browser host's audio cookie, as the page's first load (its address carries the token) sets it. */
export async function audioCookieOf(pageUrl: string | URL): Promise<string> {
  const response = await fetch(pageUrl);
  await response.arrayBuffer();
  const cookie = response.headers.get('set-cookie');
  if (!cookie) throw new Error(`${String(pageUrl)} set no cookie`);
  return cookie.split(';')[0]!;
}
