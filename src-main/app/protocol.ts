/** The app:// scheme the renderer is served from, so the page has a real origin (not file://). */
import { protocol } from 'electron';
import { APP_SCHEME } from '../serve/origin';
import { routeAppRequest, type AppDirs } from '../serve/serve';

/**
 * Before the app is ready: Chromium learns a scheme's privileges only at startup. Every custom scheme must be in
 * this one call, since a later call replaces the earlier list.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: an origin and relative URLs like https; secure: a secure context; supportFetchAPI: fetch() works;
    // stream: <audio> and <video> take the responses as streams and ask for byte ranges, so memo audio can seek
    // (Electron's protocol docs: "Protocols that use streams (http and stream protocols) should set stream: true").
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/**
 * After ready: serves the built renderer, memo audio (/audio/..., with Range) and the page's uploads (/upload);
 * anything else answers 404.
 */
export function handleAppProtocol(dirs: AppDirs): void {
  protocol.handle(APP_SCHEME, (request) => routeAppRequest(dirs, request));
}
