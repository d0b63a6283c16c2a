/** Rows as the renderer sees them: camelCase views, never a hash, a token or a full key. */
import type { Memo, Subscription, UsageLog, User } from '../../src-shared/schema';
import type { MemoView, ProfileView, UsageLogView } from '../../src-shared/contract';
import type { Tier } from '../../src-shared/tiers';

/** `tier` is the effective one (accounts.tier), which the row's own column can lag behind. */
export const profileView = (user: User, tier: Tier): ProfileView => ({
  id: user.id,
  email: user.email,
  tier,
  role: user.role ?? 'user',
  createdAt: user.created_at ?? '',
});

export const subscriptionView = (s: Subscription) => ({
  tier: (s.tier ?? 'hobby') as Tier,
  status: s.status ?? 'active',
  currentPeriodStart: s.current_period_start,
  currentPeriodEnd: s.current_period_end,
  cancelAtPeriodEnd: s.cancel_at_period_end ?? false,
});

export const usageLogView = (log: UsageLog): UsageLogView => ({
  id: log.id,
  action: log.action,
  apiKeyId: log.api_key_id,
  metadata: log.metadata,
  createdAt: log.created_at ?? '',
});

export const memoView = (memo: Memo): MemoView => ({
  id: memo.id,
  title: memo.title,
  text: memo.text,
  voice: memo.voice,
  audioUrl: memo.audio_url,
  durationSec: memo.duration_sec,
  characterCount: memo.character_count,
  status: memo.status,
  error: memo.error,
  errorCode: memo.error_code ?? null,
  apiKeyId: memo.api_key_id,
  createdAt: memo.created_at ?? '',
});
