/** The one window factory: every window the app opens is made here, with the rules of policy.ts. */
import { app, BrowserWindow, type Session } from 'electron';
import { APP_INDEX_URL } from '../serve/origin';
import { allowPermission, windowOptions } from './policy';

const logError = (what: string) => (error: unknown) => console.error(`${what} failed:`, error);

/** Session-wide: a page's permission requests and checks (camera, notifications, ...) go through allowPermission. */
function guardPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(allowPermission(permission, details.requestingUrl)),
  );
  // Some checks name only the requesting origin; an origin has no path, so `${origin}/` is its root URL.
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    allowPermission(permission, details.requestingUrl ?? `${requestingOrigin}/`),
  );
}

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 750,
    title: 'Agent Talk',
    webPreferences: windowOptions(preloadPath, { packaged: app.isPackaged }),
  });
  // Navigation, new windows and webviews are guarded for every web contents (guard.ts, set up at start).
  guardPermissions(window.webContents.session);

  window.loadURL(APP_INDEX_URL).catch(logError(`Loading ${APP_INDEX_URL}`));
  return window;
}
