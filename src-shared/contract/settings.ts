import { z } from 'zod';
import { CLOUD_URL_RULE, cloudUrlProblem } from '../cloud-url';
import { args, fileName, method, noArgs } from './common';
import { MAX_MEMO_TEXT } from './memos';

export const THEMES = ['system', 'light', 'dark'] as const;

export const settingsView = z.object({
  /** The Agent Talk service the cloud voices (and sync) call; null until the user sets it. */
  cloudUrl: z.string().nullable(),
  theme: z.enum(THEMES),
});

/** https, or http to this computer only (src-shared/cloud-url.ts): the URL is where API keys are sent. */
const cloudUrl = z
  .url({ protocol: /^https?$/, error: CLOUD_URL_RULE })
  .max(2_000)
  .refine((url) => cloudUrlProblem(url) === null, CLOUD_URL_RULE)
  .transform((url) => url.replace(/\/+$/, ''));

/** The largest file the page may hand to the app (`POST /upload`, a legacy database or its -wal file). */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/** A file the page handed to the app: the id `POST /upload` answered. */
export const uploadId = z.uuid({ error: 'That is not an uploaded file.' });

/** The Studio's draft as the user left it: kept in the profile, so a reload or a restart loses nothing. */
export const studioDraft = z.strictObject({
  text: z.string().max(MAX_MEMO_TEXT),
  title: z.string().max(200),
  /** The voice and key picked; empty while none is. */
  voice: z.string().max(100),
  keyId: z.string().max(100),
});

const tableCounts = z.object({ imported: z.number(), skipped: z.number(), rejected: z.number() });

/** The changes an import makes to a row on the way: a memo with no length recorded, usage details that were not JSON. */
export const IMPORT_NOTE_KINDS = ['no-duration', 'unreadable-metadata'] as const;
export type ImportNoteKind = (typeof IMPORT_NOTE_KINDS)[number];

export const settingsMethods = {
  'settings.get': method(noArgs, settingsView),
  /** Changes the fields given; a null `cloudUrl` forgets it (cloud voices are then unavailable). */
  'settings.update': method(args({ cloudUrl: cloudUrl.nullable().optional(), theme: z.enum(THEMES).optional() }), settingsView),
  'settings.draft': method(noArgs, studioDraft),
  'settings.saveDraft': method(studioDraft, studioDraft),
  /**
   * Imports an agent-talk SQLite file picked by the user, uploaded first (`POST /upload`), with its `-wal` file when
   * there is one; the uploads are removed after.
   * Rows already here are skipped; the report says what was imported, skipped and rejected (with the reason).
   */
  'legacy.import': method(
    args({ fileName, database: uploadId, wal: uploadId.optional() }),
    z.object({
      /** The file's name as the user picked it, and the account in it whose rows became the profile's. */
      file: z.string(),
      account: z.string(),
      /** Rows of the file's other accounts, left out. */
      otherAccounts: z.number(),
      tables: z.record(z.string(), tableCounts),
      rejected: z.array(z.object({ table: z.string(), id: z.string(), reason: z.string() })),
      notes: z.array(z.object({ table: z.string(), id: z.string(), kind: z.enum(IMPORT_NOTE_KINDS), note: z.string() })),
    }),
  ),
};

export type SettingsView = z.infer<typeof settingsView>;
export type StudioDraft = z.infer<typeof studioDraft>;
export type Theme = (typeof THEMES)[number];
