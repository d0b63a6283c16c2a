import { z } from 'zod';
import { MEMO_STATUSES } from '../schema';
import { args, id, method } from './common';

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
  apiKeyId: z.string().nullable(),
  createdAt: z.string(),
});

export const memosMethods = {
  'memos.list': method(
    args({ limit: z.int().min(1).max(500).optional(), offset: z.int().min(0).max(10_000_000).optional() }),
    z.object({ memos: z.array(memoView), total: z.number() }),
  ),
  'memos.get': method(args({ id }), memoView),
  'memos.rename': method(args({ id, title: z.string().trim().min(1).max(200) }), memoView),
  'memos.delete': method(args({ id }), z.object({ deleted: z.literal(true) })),
};

export type MemoView = z.infer<typeof memoView>;
