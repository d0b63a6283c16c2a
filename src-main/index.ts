/**
 * Electron bootstrap only: one instance, the app:// scheme, one secure window, the IPC transport. A profile that
 * cannot open gets a dialog with the reason and the ways out instead of no window at all.
 */
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import { guardAllWebContents } from './app/guard';
import { forwardEvents, serveCalls } from './app/ipc';
import { handleAppProtocol, registerAppScheme } from './app/protocol';
import { askSavePath } from './app/save-dialog';
import { audioDirOf } from './services/audio-files';
import { uploadDirOf } from './services/legacy-import';
import { showStartupFailure } from './app/startup-dialog';
import { createMainWindow } from './app/window';
import { safeStorageCipher } from './app/safe-storage';
import { openSecretStore } from './services/secrets';
import { ensureAudioWith } from './serve/serve';
import { openSession, type Session } from './session';

const rendererDir = join(import.meta.dirname, '../renderer');
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');

/** Run before the app quits, last registered first (so the store, opened first, closes last). */
const shutdownTasks: (() => Promise<void>)[] = [];

async function shutDown(): Promise<void> {
  for (const task of shutdownTasks.toReversed()) {
    await task().catch((error: unknown) => console.error('Shutdown task failed:', error));
  }
}

let mainWindow: BrowserWindow | null = null;

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createMainWindow(preloadPath);
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit(); // the first instance gets 'second-instance' and shows its window
} else {
  app.enableSandbox();
  registerAppScheme();
  guardAllWebContents();

  app.on('second-instance', () => {
    if (app.isReady()) showWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quitting waits for the shutdown tasks: the first 'before-quit' is held until they end, then quits again.
  let quitting: 'no' | 'shutting-down' | 'done' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'done') return;
    event.preventDefault();
    if (quitting === 'shutting-down') return;
    quitting = 'shutting-down';
    void shutDown().then(() => {
      quitting = 'done';
      app.quit();
    });
  });

  void app.whenReady().then(async () => {
    const profileDir = join(app.getPath('userData'), 'profile');
    let session: Session | undefined;
    try {
      // Memo audio not on this computer yet is brought on its first request (from the synced folder or the service).
      const ensureAudio = ensureAudioWith(() => session?.core?.services);
      handleAppProtocol({ rendererDir, audioDir: audioDirOf(profileDir), uploadDir: uploadDirOf(profileDir), ensureAudio });
      const cipher = safeStorageCipher();
      const secrets = await openSecretStore(cipher ? { fallback: { cipher, file: join(profileDir, 'secrets.enc') } } : {});
      // A damaged or missing store still opens a session: the window shows it with the ways back.
      const opened = await openSession({ profileDir, secrets, saveFile: askSavePath, agentApi: {} });
      session = opened;
      shutdownTasks.push(() => opened.close());
      serveCalls(opened.handle);
      opened.subscribe((event, payload) => mainWindow && forwardEvents(mainWindow)(event, payload));
      showWindow();
      // macOS keeps the app running without windows; clicking the dock icon opens one again.
      app.on('activate', showWindow);
    } catch (error) {
      console.error('Agent Talk could not start:', error);
      await showStartupFailure(error, profileDir);
    }
  });
}
