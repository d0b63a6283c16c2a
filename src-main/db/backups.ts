/**
 * Rotating backups of a profile's store: `<profile>/backups/store-<UTC time>.mdb`, consistent snapshots LMDB copies
 * from the live store (a read transaction: writers go on meanwhile), the newest few kept. Restoring one moves the
 * current store file aside into `<profile>/damaged/` (nothing is deleted) and puts a copy of the backup in place.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { storePath } from './agent-talk';
import { StoreError } from './errors';
import { inspectStoreFile } from './store-file';
import type { Store } from './store';

export const backupDirOf = (profileDir: string) => join(profileDir, 'backups');
const damagedDirOf = (profileDir: string) => join(profileDir, 'damaged');

/** How many backups a profile keeps. */
export const KEPT_BACKUPS = 3;

export interface BackupInfo {
  /** The file's name in the backups folder. */
  name: string;
  createdAt: string;
  bytes: number;
  /** Whether its file checks out (it can be restored). */
  usable: boolean;
}

const NAME = /^store-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z\.mdb$/;
const stampOf = (date: Date) => date.toISOString().replace(/[-:.]/g, '');

/** The profile's backups, newest first. */
export function listBackups(profileDir: string): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(backupDirOf(profileDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .flatMap((name) => {
      const m = NAME.exec(name);
      if (!m) return [];
      const path = join(backupDirOf(profileDir), name);
      const createdAt = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
      return [{ name, createdAt, bytes: statSync(path).size, usable: inspectStoreFile(path).kind === 'ok' }];
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Copies the open store into a new backup, then drops the oldest beyond KEPT_BACKUPS. */
export async function takeBackup(store: Store, profileDir: string, now: Date): Promise<BackupInfo> {
  const dir = backupDirOf(profileDir);
  mkdirSync(dir, { recursive: true });
  const name = `store-${stampOf(now)}.mdb`;
  const partial = join(dir, `.${name}.partial`);
  rmSync(partial, { force: true });
  await store.backup(partial);
  renameSync(partial, join(dir, name));
  for (const old of listBackups(profileDir).slice(KEPT_BACKUPS)) rmSync(join(dir, old.name), { force: true });
  return listBackups(profileDir).find((b) => b.name === name)!;
}

/** Moves the store file (if any) into the damaged folder; answers where it went. The store must be closed. */
export function setStoreAside(profileDir: string, now: Date): string | null {
  const path = storePath(profileDir);
  if (inspectStoreFile(path).kind === 'missing') return null;
  mkdirSync(damagedDirOf(profileDir), { recursive: true });
  const aside = join(damagedDirOf(profileDir), `store-${stampOf(now)}.mdb`);
  renameSync(path, aside);
  rmSync(`${path}-lock`, { force: true });
  return aside;
}

/** Backup `name`, or the newest usable one; throws when there is none to restore. */
export function pickBackup(profileDir: string, name?: string): BackupInfo {
  const backups = listBackups(profileDir);
  const backup = name === undefined ? backups.find((b) => b.usable) : backups.find((b) => b.name === name);
  if (!backup) throw new StoreError('NOT_FOUND', name === undefined ? 'There is no usable backup to restore.' : `There is no backup ${name}.`, {});
  if (!backup.usable) throw new StoreError('STORE_DAMAGED', `The backup ${backup.name} is damaged too.`, { reason: 'damaged backup' });
  return backup;
}

/**
 * Puts backup `name` (by default the newest usable one) in place of the store, which must be closed; the store
 * file it replaces is set aside. Answers the backup restored.
 */
export function restoreBackup(profileDir: string, now: Date, name?: string): BackupInfo {
  const backup = pickBackup(profileDir, name);
  const path = storePath(profileDir);
  const partial = `${path}.restoring`;
  copyFileSync(join(backupDirOf(profileDir), backup.name), partial);
  setStoreAside(profileDir, now);
  // LMDB's lock file keeps state of the store it served; the restored file gets a fresh one.
  rmSync(`${path}-lock`, { force: true });
  renameSync(partial, path);
  return backup;
}
