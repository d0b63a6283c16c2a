/** The Electron IPC transport: calls in on one channel, events out on another. */
import { ipcMain, type BrowserWindow, type WebFrameMain } from 'electron';
import {
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  type EventSink,
  type IpcHandler,
} from '../../src-shared/contract/result';
import { dispatchCall } from './call';
import { isAppUrl } from '../serve/origin';

/** Only a top frame speaks for the app: a subframe (none is expected; CSP blocks them) never does. */
const topFrameUrl = (frame: WebFrameMain | null): string | undefined =>
  frame && frame.parent === null ? frame.url : undefined;

/** Answers every call on IPC_CALL_CHANNEL with `handler`, once the sender frame is checked. Call once. */
export function serveCalls(handler: IpcHandler): void {
  ipcMain.handle(IPC_CALL_CHANNEL, (event, method: unknown, args: unknown) =>
    dispatchCall(handler, topFrameUrl(event.senderFrame), method, args),
  );
}

/** Pushes events to `window`'s page, as long as it shows the app (events meanwhile are dropped). */
export function forwardEvents(window: BrowserWindow): EventSink {
  return (event, payload) => {
    if (window.isDestroyed()) return;
    const contents = window.webContents;
    if (contents.isDestroyed() || !isAppUrl(contents.getURL())) return;
    contents.send(IPC_EVENT_CHANNEL, event, payload);
  };
}
