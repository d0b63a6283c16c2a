/** The usage log's actions and their details, in plain words. */
import { USAGE_ACTIONS } from '../../../src-shared/schema';
import { formatCount, formatDuration } from '../../format';
import type { UsageAction } from '../../stores/usage';

export const ACTION_LABELS: Record<UsageAction, string> = {
  memo_created: 'Memo created',
  memo_failed: 'Memo failed',
  key_created: 'Key created',
  key_revoked: 'Key revoked',
  key_used: 'Key used',
  user_login: 'Signed in',
  user_signup: 'Profile created',
  error_api: 'Service error',
  error_tts: 'Speech engine error',
  error_rate_limit: 'Limit reached',
};

export const isUsageAction = (action: string): action is UsageAction => (USAGE_ACTIONS as readonly string[]).includes(action);

export const actionLabel = (action: string) => (isUsageAction(action) ? ACTION_LABELS[action] : action);

const LIMIT_NAMES: Record<string, string> = {
  DAILY_LIMIT_EXCEEDED: 'Daily limit',
  MONTHLY_LIMIT_EXCEEDED: 'Monthly limit',
  TEXT_TOO_LONG: 'Characters per memo',
  RATE_LIMIT_EXCEEDED: 'Generations at a time',
};

/** A log entry's metadata, as far as the app's own entries carry it (imported ones may carry anything). */
interface Metadata {
  voice?: unknown;
  characters?: unknown;
  durationSec?: unknown;
  prefix?: unknown;
  error?: unknown;
  code?: unknown;
  limit?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function limitReached(m: Metadata): string | null {
  const code = text(m.code);
  if (!code) return null;
  const limit = number(m.limit);
  return `${LIMIT_NAMES[code] ?? 'A limit'} reached${limit !== null ? ` (${formatCount(limit)})` : ''}`;
}

/** A short line on what the entry is about: `120 characters · flite:slt · 0:04`, `at_live_…`, an error… */
export function describeEntry(action: string, metadata: unknown): string {
  const m: Metadata = typeof metadata === 'object' && metadata !== null ? metadata : {};
  const characters = number(m.characters);
  const duration = number(m.durationSec);
  const parts = [
    characters !== null && `${formatCount(characters)} characters`,
    text(m.voice),
    duration !== null && formatDuration(duration),
    // A key's entries: which kind of key (its name is in the log's Key column).
    text(m.prefix) && `${text(m.prefix)}…`,
    text(m.error),
    action === 'error_rate_limit' && limitReached(m),
  ];
  return parts.filter((part) => typeof part === 'string').join(' · ');
}
