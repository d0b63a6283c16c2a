import { z } from 'zod';
import { args, fileName, method, noArgs } from './common';

export const THEMES = ['system', 'light', 'dark'] as const;

export const settingsView = z.object({
  /** The Agent Talk service the cloud voices (and sync) call; null until the user sets it. */
  cloudUrl: z.string().nullable(),
  theme: z.enum(THEMES),
});

const cloudUrl = z
  .url({ protocol: /^https?$/, error: 'The cloud URL must be an http:// or https:// address.' })
  .max(2_000)
  .transform((url) => url.replace(/\/+$/, ''));

/** The largest legacy database (with its -wal file) the app takes through a call: base64 of up to 96 MiB. */
export const MAX_IMPORT_BASE64 = 128 * 1024 * 1024;

const tableCounts = z.object({ imported: z.number(), skipped: z.number(), rejected: z.number() });

export const settingsMethods = {
  'settings.get': method(noArgs, settingsView),
  /** Changes the fields given; a null `cloudUrl` forgets it (cloud voices are then unavailable). */
  'settings.update': method(args({ cloudUrl: cloudUrl.nullable().optional(), theme: z.enum(THEMES).optional() }), settingsView),
  /**
   * Imports an agent-talk SQLite file picked by the user: its bytes, and those of its `-wal` file when there is one.
   * Rows already here are skipped; the report says what was imported, skipped and rejected (with the reason).
   */
  'legacy.import': method(
    args({ fileName, database: z.base64(), wal: z.base64().optional() }).refine(
      ({ database, wal }) => database.length + (wal?.length ?? 0) <= MAX_IMPORT_BASE64,
      'That database is too large to import here (96 MB with its -wal file); use npm run db:import.',
    ),
    z.object({
      /** The file's name as the user picked it, and the account in it whose rows became the profile's. */
      file: z.string(),
      account: z.string(),
      /** Rows of the file's other accounts, left out. */
      otherAccounts: z.number(),
      tables: z.record(z.string(), tableCounts),
      rejected: z.array(z.object({ table: z.string(), id: z.string(), reason: z.string() })),
      notes: z.array(z.object({ table: z.string(), id: z.string(), note: z.string() })),
    }),
  ),
};

export type SettingsView = z.infer<typeof settingsView>;
export type Theme = (typeof THEMES)[number];
