/** The app:// responses: the built renderer's files, with the security headers. Plain Node, no electron. */
import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy, resolveAppFile } from './origin';
import type { Services } from '../services';
import { ServiceError } from '../services/errors';
import { isAudioUrl, serveAudioRequest, type EnsureAudio } from './serve-audio';
import { plainResponse } from './plain-response';
import { isUploadUrl, receiveUpload } from './upload';

export interface AppDirs {
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** The profile's memo audio (`audioDirOf(profileDir)` in services/audio-files). */
  audioDir: string;
  /** Where files the page uploads land (`uploadDirOf(profileDir)` in services/legacy-import). */
  uploadDir: string;
  /** Brings a memo's audio here when its file is not (`memoAudio.ensure`); without it such audio answers 404. */
  ensureAudio?: EnsureAudio;
}

/** `ensureAudio` over the services of the profile open now (none while its store is damaged: 404 then). */
export function ensureAudioWith(services: () => Pick<Services, 'memoAudio'> | null | undefined): EnsureAudio {
  return async (memoId) => {
    const open = services();
    if (!open) throw new ServiceError('NOT_FOUND', 'The profile’s store is not open.');
    return (await open.memoAudio.ensure(memoId)).file;
  };
}

/** The status a refusal to bring audio here answers with; its message (written for the user) is the body. */
const REFUSAL_STATUS: Partial<Record<ServiceError['code'], number>> = { NOT_FOUND: 404, CONFLICT: 409, AUDIO_NOT_HERE: 503 };

/** Memo audio, brought here first when need be; a refusal answers its status with its sentence as plain text. */
async function serveAudio({ audioDir, ensureAudio }: AppDirs, request: Request): Promise<Response> {
  try {
    return await serveAudioRequest(audioDir, request, ensureAudio);
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return plainResponse(REFUSAL_STATUS[error.code] ?? 502, error.message);
  }
}

/**
 * Every request to the app's origin, from Electron's app:// handler and from the browser host alike: memo audio
 * under /audio/, a file the page uploads at /upload, the built renderer otherwise.
 */
export function routeAppRequest(dirs: AppDirs, request: Request): Promise<Response> {
  if (isAudioUrl(request.url)) return serveAudio(dirs, request);
  if (isUploadUrl(request.url)) return receiveUpload(dirs.uploadDir, request);
  return serveAppRequest(dirs.rendererDir, request);
}


export async function serveAppRequest(rendererDir: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plainResponse(405, 'Method Not Allowed');
  const file = resolveAppFile(rendererDir, request.url);
  if (!file) return plainResponse(404, 'Not Found');
  let body: Uint8Array<ArrayBuffer>;
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
