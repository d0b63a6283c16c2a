/** Electron's face of a start-up failure: a dialog with the reason and the ways out (decided in src-main/startup-failure.ts). */
import { app, dialog, shell } from 'electron';
import { describeStartupFailure, takeWayOut, type StartupAction, type StartupEdge } from '../startup-failure';

const LABELS: Record<StartupAction, string> = {
  'open-folder': 'Open the profile folder',
  'restore-backup': 'Restore the newest backup',
  quit: 'Quit',
};

const edge: StartupEdge = {
  openFolder: (path) => shell.openPath(path),
  relaunch: () => {
    app.relaunch();
    app.exit(0);
  },
  quit: () => app.exit(1),
};

export async function showStartupFailure(error: unknown, profileDir: string): Promise<void> {
  let failure = describeStartupFailure(error, profileDir);
  for (;;) {
    const { response } = await dialog.showMessageBox({
      type: 'error',
      title: 'Agent Talk',
      message: 'Agent Talk cannot open your profile',
      detail: failure.reason,
      buttons: failure.actions.map((action) => LABELS[action]),
      cancelId: failure.actions.indexOf('quit'),
      noLink: true,
    });
    const outcome = await takeWayOut(failure.actions[response] ?? 'quit', profileDir, edge);
    if (outcome.next === 'done') return;
    failure = outcome.failure ?? failure;
  }
}
