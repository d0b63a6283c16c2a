/** The save dialog memo export asks through: the user picks where the file goes (the renderer never names a path). */
import { BrowserWindow, dialog } from 'electron';
import { extname } from 'node:path';

const FILTERS: Record<string, Electron.FileFilter> = {
  '.wav': { name: 'WAV audio', extensions: ['wav'] },
  '.mp3': { name: 'MP3 audio', extensions: ['mp3'] },
};

export async function askSavePath(suggestedName: string): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow();
  const filter = FILTERS[extname(suggestedName)];
  const options: Electron.SaveDialogOptions = { defaultPath: suggestedName, ...(filter && { filters: [filter] }) };
  const { canceled, filePath } = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return canceled || !filePath ? null : filePath;
}
