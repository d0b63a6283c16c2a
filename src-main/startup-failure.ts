/**
 * What the user is told when the profile cannot open at start, and the ways out: the reason in a sentence, and
 * whether to offer opening the profile folder or restoring a backup. Electron shows it as a dialog
 * (src-main/app/startup-dialog.ts), the browser host as one line; the decision is here, in plain Node.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './db';
import { listBackups, restoreBackup } from './db/backups';

export type StartupAction = 'open-folder' | 'restore-backup' | 'quit';

export interface StartupFailure {
  reason: string;
  /** The ways out, in the order a dialog offers them; `quit` always last. */
  actions: StartupAction[];
  /** The one line the browser host prints. */
  line: string;
}

/** Longest message of an unexpected error shown as it is. */
const MAX_DETAIL = 300;

/** The nearest existing ancestor of `path` (or itself) that is a file rather than a folder. */
function fileInTheWay(path: string): string {
  for (let p = path; p !== dirname(p); p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      // not there: look further up
    }
  }
  return path;
}

/** What refused: `path` itself, or, when it is not there (a file being created), the folder it was to go in. */
function refusing(path: string): string {
  try {
    statSync(path);
    return path;
  } catch {
    return dirname(path);
  }
}

function errnoReason(error: NodeJS.ErrnoException, profileDir: string): string | null {
  const where = error.path ?? profileDir;
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS': {
      const refused = refusing(where);
      return refused === profileDir || profileDir.startsWith(`${refused}/`)
        ? `Agent Talk may not write to ${refused}, so the profile folder ${profileDir} cannot be created or changed (${error.code}). Choose a profile folder you may write to, or change its permissions.`
        : `Agent Talk may not write to ${refused} (${error.code}). Change its permissions, or choose another profile folder.`;
    }
    case 'ENOSPC':
    case 'EDQUOT':
      return `The disk holding ${profileDir} is full (${error.code}). Free some space, then start Agent Talk again.`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `${fileInTheWay(where)} is a file where the profile needs a folder (${error.code}). Move it away, or choose another profile folder.`;
    default:
      return null;
  }
}

function reasonOf(error: unknown, profileDir: string): string {
  if (error instanceof StoreError) {
    if (error.code === 'STORE_IN_USE') {
      return `This profile is open in another Agent Talk (process ${String(error.details.pid)}). Switch to that one, or quit it first.`;
    }
    if (error.code === 'MIGRATION_ERROR' && error.details.newerSchema) {
      return `This profile was last used by a newer version of Agent Talk (schema version ${String(error.details.version)}). Install that version to open it.`;
    }
    return error.message;
  }
  if (error instanceof Error && 'code' in error) {
    const reason = errnoReason(error as NodeJS.ErrnoException, profileDir);
    if (reason) return reason;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_DETAIL ? `${message.slice(0, MAX_DETAIL)}…` : message;
}

export function describeStartupFailure(error: unknown, profileDir: string): StartupFailure {
  const reason = reasonOf(error, profileDir);
  let backups = false;
  try {
    backups = listBackups(profileDir).some((b) => b.usable);
  } catch {
    // an unreadable profile folder has no backups to offer
  }
  const storeProblem = error instanceof StoreError && ['STORE_DAMAGED', 'STORE_MISSING', 'MIGRATION_ERROR', 'SCHEMA_ERROR'].includes(error.code);
  const actions: StartupAction[] = ['open-folder', ...(storeProblem && backups ? (['restore-backup'] as const) : []), 'quit'];
  return { reason, actions, line: `Agent Talk cannot start: ${reason} (profile: ${profileDir})` };
}

/** What the edge can do for a way out (Electron's shell and app; a test's recorder). */
export interface StartupEdge {
  openFolder(path: string): Promise<unknown> | unknown;
  /** Starts the app again (after a restore) and ends this run. */
  relaunch(): void;
  quit(): void;
}

/**
 * Takes the way out the user chose. Answers 'ask-again' when a failure still stands: the same one after the folder
 * was opened, or the restore's own (`failure`) when it failed; 'done' once the app relaunches or quits.
 */
export async function takeWayOut(
  action: StartupAction,
  profileDir: string,
  edge: StartupEdge,
  now = new Date(),
): Promise<{ next: 'ask-again'; failure?: StartupFailure } | { next: 'done' }> {
  if (action === 'quit') {
    edge.quit();
    return { next: 'done' };
  }
  if (action === 'open-folder') {
    await edge.openFolder(profileDir);
    return { next: 'ask-again' };
  }
  try {
    restoreBackup(profileDir, now);
  } catch (error) {
    return { next: 'ask-again', failure: describeStartupFailure(error, profileDir) };
  }
  edge.relaunch();
  return { next: 'done' };
}
