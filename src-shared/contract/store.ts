import { z } from 'zod';
import { args, method, noArgs } from './common';

export const backupView = z.object({
  name: z.string(),
  createdAt: z.string(),
  bytes: z.number(),
  /** Whether its file checks out: only a usable backup can be restored. */
  usable: z.boolean(),
});

export const STORE_STATES = ['open', 'damaged', 'missing'] as const;

export const storeStatus = z.object({
  /** `open`: the app works. Otherwise only the `store.*` methods answer until the user picks a way back. */
  state: z.enum(STORE_STATES),
  /** What is wrong, in a sentence for the user; null while open. */
  problem: z.string().nullable(),
  /** Rows intact and only indexes damaged: `store.rebuild` repairs it without losing anything. */
  indexesOnly: z.boolean(),
  profileDir: z.string(),
  /** Newest first. */
  backups: z.array(backupView),
});

export const integrityView = z.object({
  ok: z.boolean(),
  /** The first problems found (there can be thousands); `count` says how many in all. */
  problems: z.array(z.string()),
  count: z.number(),
  indexesOnly: z.boolean(),
});

const backupName = z.string().regex(/^store-\d{8}T\d{9}Z\.mdb$/, 'That is not the name of a backup.');

export const storeMethods = {
  'store.status': method(noArgs, storeStatus),
  /** Reads the whole store and checks every row, index and reference. */
  'store.check': method(noArgs, integrityView),
  /** Takes a backup now (the app also takes one a day, at start). */
  'store.backup': method(noArgs, backupView),
  /** Puts a backup (the newest usable one by default) in place of the store; the old store file is kept aside. */
  'store.restore': method(args({ name: backupName.optional() }), storeStatus),
  /** Writes every index anew from the rows, then checks the store again. */
  'store.rebuild': method(noArgs, storeStatus),
  /** Sets a damaged or missing store aside and starts an empty one (the audio and backups stay). */
  'store.startFresh': method(noArgs, storeStatus),
};

export type StoreStatus = z.infer<typeof storeStatus>;
export type BackupView = z.infer<typeof backupView>;
export type IntegrityView = z.infer<typeof integrityView>;
