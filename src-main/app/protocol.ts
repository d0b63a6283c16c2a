/** The app:// scheme the renderer is served from, so the page has a real origin (not file://). */
import { protocol } from 'electron';
import { APP_SCHEME } from './policy';
import { serveAppRequest } from './serve';

/**
 * Before the app is ready: Chromium learns a scheme's privileges only at startup. Every custom scheme must be in
 * this one call, since a later call replaces the earlier list.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: an origin and relative URLs like https; secure: a secure context; supportFetchAPI: fetch() works.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** After ready: serves the built renderer from `rendererDir`; anything else answers 404. */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));
}
