/**
 * Pure conversion of legacy rows to rows of the current tables. Values are converted where the legacy form is
 * known (timestamps, 0/1 booleans, JSON text) and otherwise passed through: the store checks every value, and
 * a row it refuses is reported with the store's reason.
 */
import type { SqlValue } from 'sql.js';
import type { ImportNoteKind } from '../../../src-shared/contract';
import type { Row } from '../rows';
import type { LegacyRow, LegacyTable } from './read-legacy';

/**
 * A value changed on the way: `kind` says which change (the app words it for its user, by kind), `note` says it in
 * the legacy columns' terms (for the command line's report).
 */
export type ImportNote = { kind: ImportNoteKind; note: string };
export type Conversion = { ok: true; row: Row; notes: ImportNote[] } | { ok: false; reason: string };

const DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?$/;

/** SQLite's `datetime('now')` (`YYYY-MM-DD HH:MM:SS`, UTC without a zone) or ISO 8601 → ISO 8601 UTC. */
export function toIsoTimestamp(value: SqlValue): SqlValue {
  const match = typeof value === 'string' ? DATETIME.exec(value.trim()) : null;
  if (!match) return value;
  const [, date, time, zone = 'Z'] = match;
  const ms = Date.parse(`${date}T${time}${zone}`);
  return Number.isNaN(ms) || !isCalendarDate(date!) ? value : new Date(ms).toISOString();
}

/** Date.parse rolls 2024-02-30 over to March 1st: such a date is left as it is, for the store to refuse. */
function isCalendarDate(date: string): boolean {
  const midnight = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(midnight.getTime()) && midnight.toISOString().startsWith(date);
}

export function toBoolean(value: SqlValue): SqlValue | boolean {
  return value === 0 ? false : value === 1 ? true : value;
}

const convertTable: { [T in LegacyTable]: (r: LegacyRow<T>, notes: ImportNote[]) => Row } = {
  users: (r) => ({
    id: r.id,
    email: r.email,
    password_hash: r.password_hash,
    tier: r.tier,
    role: r.role,
    created_at: toIsoTimestamp(r.created_at),
    updated_at: toIsoTimestamp(r.updated_at),
  }),
  // Legacy keys and memos had no updated_at: their creation time is the last change known.
  api_keys: (r) => ({
    id: r.id,
    user_id: r.user_id,
    key_hash: r.key_hash,
    prefix: r.prefix,
    name: r.name,
    usage_count: r.usage_count,
    last_used_at: toIsoTimestamp(r.last_used_at),
    is_active: toBoolean(r.is_active),
    created_at: toIsoTimestamp(r.created_at),
    updated_at: toIsoTimestamp(r.created_at),
  }),
  memos: (r, notes) => {
    // duration_sec is NOT NULL now. A memo of unknown duration keeps its text and audio, with 0 and a note,
    // rather than being lost: the app measures the audio's duration again when it plays it.
    if (r.duration_seconds === null) notes.push({ kind: 'no-duration', note: 'duration_seconds was NULL: imported as 0' });
    return {
      id: r.id,
      user_id: r.user_id,
      api_key_id: r.api_key_id,
      text: r.text,
      voice: r.voice,
      audio_url: r.audio_url,
      duration_sec: r.duration_seconds ?? 0,
      character_count: r.character_count,
      created_at: toIsoTimestamp(r.created_at),
      updated_at: toIsoTimestamp(r.created_at),
    };
  },
  usage_logs: (r, notes) => ({
    id: r.id,
    user_id: r.user_id,
    api_key_id: r.api_key_id,
    action: r.action,
    metadata: parseMetadata(r.metadata, notes),
    created_at: toIsoTimestamp(r.created_at),
  }),
  // The legacy stripe_price_id and canceled_at have no column now and are left behind: the subscription is the
  // server's alone, and sync brings it back whole.
  subscriptions: (r) => ({
    id: r.id,
    user_id: r.user_id,
    stripe_customer_id: r.stripe_customer_id,
    stripe_subscription_id: r.stripe_subscription_id,
    status: r.status,
    tier: r.tier,
    current_period_start: toIsoTimestamp(r.current_period_start),
    current_period_end: toIsoTimestamp(r.current_period_end),
    cancel_at_period_end: toBoolean(r.cancel_at_period_end),
    created_at: toIsoTimestamp(r.created_at),
    updated_at: toIsoTimestamp(r.updated_at),
  }),
};

/** Metadata was stored as JSON text. Text that does not parse is kept, as `{ raw }`, with a note: a log is not refused for it. */
function parseMetadata(value: SqlValue, notes: ImportNote[]): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    notes.push({ kind: 'unreadable-metadata', note: 'metadata was not valid JSON: kept as { raw: "<the text>" }' });
    return { raw: value };
  }
}

export function convertRow<T extends LegacyTable>(table: T, legacy: LegacyRow<T>): Conversion {
  // Rows keep their ids (that is what makes a second import add nothing): a row without one cannot be imported.
  if (typeof legacy.id !== 'string' || legacy.id === '') return { ok: false, reason: 'the row has no text id' };
  const notes: ImportNote[] = [];
  return { ok: true, row: (convertTable[table] as (r: LegacyRow<T>, notes: ImportNote[]) => Row)(legacy, notes), notes };
}
