/** The plans and their limits (AGENT-TALK-CLOUD.md, "Tiers and limits"). `null` means unlimited. */
import type { TIERS } from './schema';

export type Tier = (typeof TIERS)[number];

export interface TierLimits {
  callsPerDay: number | null;
  callsPerMonth: number | null;
  charsPerMemo: number | null;
  apiKeys: number;
  concurrent: number;
}

export const TIER_LIMITS: Readonly<Record<Tier, TierLimits>> = {
  hobby: { callsPerDay: 100, callsPerMonth: 3_000, charsPerMemo: 5_000, apiKeys: 2, concurrent: 1 },
  pro: { callsPerDay: 1_000, callsPerMonth: 30_000, charsPerMemo: 20_000, apiKeys: 10, concurrent: 5 },
  enterprise: { callsPerDay: null, callsPerMonth: null, charsPerMemo: null, apiKeys: 100, concurrent: 50 },
};
