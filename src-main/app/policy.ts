/**
 * The security decisions of the Electron edge, as pure functions: where the window may go, which permissions a
 * page gets, which sender speaks for the app. Nothing here imports electron at run time (`import type` is erased),
 * so every rule is tested in plain Node with hostile inputs.
 */
import { isAbsolute } from 'node:path';
import type { WebPreferences } from 'electron';
import { isAppUrl, NOT_CANONICAL } from '../serve/origin';

/**
 * The window's web preferences: the page is untrusted web content with no Node.js and no Electron in reach, and
 * the developer tools only in a development build (`packaged` false).
 */
export function windowOptions(preloadPath: string, { packaged }: { packaged: boolean }): WebPreferences {
  if (!isAbsolute(preloadPath)) throw new Error(`The preload path must be absolute: ${preloadPath}`);
  return {
    preload: preloadPath,
    devTools: !packaged,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

/** The window stays on the app's own pages; links out go through `windowOpenAction`. */
export function allowNavigation(url: unknown): boolean {
  return isAppUrl(url);
}

export type WindowOpenAction = { kind: 'deny' } | { kind: 'open-external'; url: string };

/** No window ever opens in the app; a plain http(s) link (no credentials in it) goes to the OS browser. */
export function windowOpenAction(url: unknown): WindowOpenAction {
  if (typeof url !== 'string' || NOT_CANONICAL.test(url)) return { kind: 'deny' };
  const parsed = URL.parse(url);
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return { kind: 'deny' };
  if (parsed.username !== '' || parsed.password !== '' || parsed.hostname === '') return { kind: 'deny' };
  return { kind: 'open-external', url: parsed.href };
}

/** Permissions the app's own pages may have: writing plain text to the clipboard (the copy-key button). */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function allowPermission(permission: unknown, requestingUrl: unknown): boolean {
  return typeof permission === 'string' && ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

/** Identifies the app's window as an IPC sender: its frame shows one of the app's own pages. */
export function isTrustedSender(frameUrl: unknown): boolean {
  return isAppUrl(frameUrl);
}
