import { z } from 'zod';
import { MEMO_STATUSES } from '../schema';
import { args, id, isoTimestamp, method } from './common';

export const memoView = z.object({
  id: z.string(),
  title: z.string().nullable(),
  text: z.string(),
  voice: z.string().nullable(),
  audioUrl: z.string(),
  durationSec: z.number(),
  characterCount: z.number().nullable(),
  status: z.enum(MEMO_STATUSES),
  error: z.string().nullable(),
  /** The failure's kind (an error code): memo-failure.ts tells whether another try can help. */
  errorCode: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  createdAt: z.string(),
});

/** The largest text one call carries; the plan's own limit (enterprise has none) is checked by the core. */
export const MAX_MEMO_TEXT = 1_000_000;

export const memoFilter = {
  /** Words that must all appear in the title or the text (case-insensitive). */
  search: z.string().max(200).optional(),
  voice: z.string().max(100).optional(),
  status: z.enum(MEMO_STATUSES).optional(),
  /** Created at or after `from`, before `to`. */
  from: isoTimestamp.optional(),
  to: isoTimestamp.optional(),
};

export const memosMethods = {
  /** Newest first; `total` counts every memo the filter matches. */
  'memos.list': method(
    args({ limit: z.int().min(1).max(500).optional(), offset: z.int().min(0).max(10_000_000).optional(), ...memoFilter }),
    z.object({ memos: z.array(memoView), total: z.number() }),
  ),
  'memos.get': method(args({ id }), memoView),
  'memos.rename': method(args({ id, title: z.string().trim().min(1).max(200) }), memoView),
  'memos.delete': method(args({ id }), z.object({ deleted: z.literal(true) })),
  /** Accepts (or refuses, before any work) and answers at once with the queued memo; its job makes the audio. */
  'memos.generate': method(
    args({
      text: z.string().max(MAX_MEMO_TEXT, 'That text is longer than any plan allows.'),
      voice: z.string().min(1).max(100),
      title: z.string().max(200).optional(),
      keyId: id.optional(),
    }),
    memoView,
  ),
  'memos.cancel': method(args({ id }), memoView),
  /** Queues a failed or cancelled memo again; it is not counted a second time. */
  'memos.retry': method(args({ id }), memoView),
  /**
   * Brings a completed memo's audio to this computer when it is not here (an imported memo's from the service, another
   * computer's from the synced folder), and answers the memo naming the local file; AUDIO_NOT_HERE when it cannot be
   * had now (`details.where`: 'service' offline, 'another-computer' not arrived yet; nothing changes).
   */
  'memos.fetchAudio': method(args({ id }), memoView),
  /** Saves the memo's audio to a file the user picks (where the app can show a save dialog; see `app.status`), bringing it here first as `memos.fetchAudio` does. */
  'memos.export': method(args({ id }), z.object({ path: z.string().nullable() })),
};

export type MemoView = z.infer<typeof memoView>;
export type MemoFilter = { [K in keyof typeof memoFilter]?: z.infer<(typeof memoFilter)[K]> };
