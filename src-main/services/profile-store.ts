/**
 * Opening a profile's store as the app does: never a damaged or missing store silently turned into an empty
 * profile. The file is checked before LMDB maps it, a missing store is told apart from a new profile (one that has
 * audio or backups had a store), a bounded integrity check runs at every open, and a backup is taken once a day.
 */
import { readdirSync } from 'node:fs';
import { openAgentTalkStore, storePath, StoreError, type AgentTalkStore } from '../db';
import { listBackups, takeBackup } from '../db/backups';
import { inspectStoreFile } from '../db/store-file';
import { audioDirOf } from './audio-files';
import type { Clock } from './time';

/** Rows and index entries the check at open reads per table and index: a fraction of a second at most. */
export const OPEN_CHECK_LIMIT = 5_000;
const HOUR = 60 * 60 * 1000;
/** Problems a refusal lists (the full list can run to thousands). */
const LISTED_PROBLEMS = 20;

const hasFiles = (dir: string) => {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
};

/** Whether this profile once had a store: its memos' audio, or backups of it, are there. */
export const hadStore = (profileDir: string) => hasFiles(audioDirOf(profileDir)) || listBackups(profileDir).length > 0;

export interface OpenProfileStoreOptions {
  profileDir: string;
  clock?: Clock;
  /** Start an empty store even where the profile had one (the user chose to start afresh). */
  create?: boolean;
}

export async function openProfileStore({ profileDir, clock = () => new Date(), create = false }: OpenProfileStoreOptions): Promise<AgentTalkStore> {
  if (!create && inspectStoreFile(storePath(profileDir)).kind === 'missing' && hadStore(profileDir)) {
    throw new StoreError('STORE_MISSING', 'The profile’s store is missing, though the profile has memo audio or backups.', { reason: 'missing' });
  }
  const store = await openAgentTalkStore({ profileDir, clock });
  try {
    const report = store.verify({ limit: OPEN_CHECK_LIMIT });
    if (report.problems.length > 0) {
      throw new StoreError('STORE_DAMAGED', `The store is damaged: ${report.problems[0]}${report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : ''}.`, {
        reason: 'integrity',
        problems: report.problems.slice(0, LISTED_PROBLEMS),
        indexesOnly: report.indexesOnly,
      });
    }
    await backupIfDue(store, profileDir, clock, 24 * HOUR);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Takes a backup when the newest usable one is older than `everyMs` (a day at open, an hour at a clean close),
 * and only of a store whose bounded check finds nothing: a damaged store never replaces a good backup. A backup
 * that cannot be written (a full disk) is reported and skipped; the next start or close tries again.
 */
export async function backupIfDue(store: AgentTalkStore, profileDir: string, clock: Clock, everyMs: number): Promise<void> {
  const newest = listBackups(profileDir).find((b) => b.usable);
  if (newest && clock().getTime() - Date.parse(newest.createdAt) < everyMs) return;
  if (store.verify({ limit: OPEN_CHECK_LIMIT }).problems.length > 0) return;
  await takeBackup(store, profileDir, clock()).catch((error: unknown) => console.warn('A backup of the store failed:', (error as Error).message));
}

/** How often a clean close takes a backup. */
export const CLOSE_BACKUP_EVERY_MS = HOUR;
