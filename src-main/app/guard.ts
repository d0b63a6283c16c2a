/**
 * Every web contents the app ever gets (its window, and any a bug or a page might make) is held to the rules of
 * policy.ts: it stays on the app's own pages, opens no window and attaches no <webview>; a link out opens in the
 * user's browser only after they confirm it.
 */
import { app, BrowserWindow, dialog, shell, type WebContents } from 'electron';
import { allowNavigation, windowOpenAction } from './policy';

async function confirmAndOpen(url: string): Promise<void> {
  const window = BrowserWindow.getFocusedWindow();
  const options: Electron.MessageBoxOptions = {
    type: 'question',
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: 'Open this link in your browser?',
    detail: url,
  };
  const { response } = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  if (response === 0) await shell.openExternal(url);
}

function guardContents(contents: WebContents): void {
  const stayInApp = (event: { url: string; preventDefault(): void }) => {
    if (!allowNavigation(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const action = windowOpenAction(url);
    if (action.kind === 'open-external') confirmAndOpen(action.url).catch((error: unknown) => console.error(`Opening ${action.url} failed:`, error));
    return { action: 'deny' };
  });
}

/** Call once, before any window: applies to every web contents created from then on. */
export function guardAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
}
