/** The app:// responses: the built renderer's files, with the security headers. Plain Node, no electron. */
import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy, resolveAppFile } from './origin';
import { isAudioUrl, serveAudioRequest } from './serve-audio';
import { plainResponse } from './plain-response';
import { isUploadUrl, receiveUpload } from './upload';

export interface AppDirs {
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** The profile's memo audio (`audioDirOf(profileDir)` in services/audio-files). */
  audioDir: string;
  /** Where files the page uploads land (`uploadDirOf(profileDir)` in services/legacy-import). */
  uploadDir: string;
}

/**
 * Every request to the app's origin, from Electron's app:// handler and from the browser host alike: memo audio
 * under /audio/, a file the page uploads at /upload, the built renderer otherwise.
 */
export function routeAppRequest({ rendererDir, audioDir, uploadDir }: AppDirs, request: Request): Promise<Response> {
  if (isAudioUrl(request.url)) return serveAudioRequest(audioDir, request);
  if (isUploadUrl(request.url)) return receiveUpload(uploadDir, request);
  return serveAppRequest(rendererDir, request);
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
