/** A memo the service made (as it did before the export a user imports): its audio URL, and the audio it served. */
import type { CloudServer } from '../cloud/server';

export async function serviceMemo(server: CloudServer, text = 'Aus dem Archiv.') {
  const answer = await fetch(`${server.url}/api/v1/memo`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.keys.hobby}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, voice: 'rachel' }),
  });
  const url = ((await answer.json()) as { audio: { url: string } }).audio.url;
  return { url, served: server.memos.at(-1)! };
}
