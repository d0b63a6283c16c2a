/** The app:// responses: the built renderer's files, with the security headers. Plain Node, no electron. */
import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy, resolveAppFile } from './origin';
import { isAudioUrl, serveAudioRequest } from './serve-audio';
import { plainResponse } from './plain-response';

export interface AppDirs {
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** The profile's memo audio (`audioDirOf(profileDir)` in services/audio-files). */
  audioDir: string;
}

/**
 * Every request to the app's origin, from Electron's app:// handler and from the browser host alike: memo audio
 * under /audio/, the built renderer otherwise.
 */
export function routeAppRequest({ rendererDir, audioDir }: AppDirs, request: Request): Promise<Response> {
  return isAudioUrl(request.url) ? serveAudioRequest(audioDir, request) : serveAppRequest(rendererDir, request);
}


export async function serveAppRequest(rendererDir: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plainResponse(405, 'Method Not Allowed');
  const file = resolveAppFile(rendererDir, request.url);
  if (!file) return plainResponse(404, 'Not Found');
  let body: Uint8Array;
  try {
    body = new Uint8Array(await readFile(file.path));
  } catch {
    return plainResponse(404, 'Not Found'); // missing, a directory, unreadable: the page learns nothing more
  }
  return new Response(request.method === 'HEAD' ? null : body, {
    headers: {
      'Content-Type': file.mimeType,
      'Content-Security-Policy': contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  });
}
