/**
 * The bench's data, generated once from a fixed seed and handed to every contender, so all three store the same
 * rows (same ids, same timestamps, same column order) and answer the same questions.
 */
import { createHash } from 'node:crypto';
import type { ApiKey, Memo, UsageLog, User } from '../../src-shared/schema';

export interface Sizes {
  /** Line 1: memos inserted one committed write at a time. */
  singleInserts: number;
  /** Line 2: memos inserted in bulk, and their batch size (one transaction per batch). */
  bulkMemos: number;
  batchSize: number;
  /** Line 4: the users the bulk memos are spread over. */
  libraryUsers: number;
  /** Line 3: random gets by id. */
  gets: number;
  /** Line 4: newest-50 queries. */
  newestQueries: number;
  newestLimit: number;
  /** Line 5: API keys, and lookups by hash. */
  apiKeys: number;
  keyLookups: number;
  /** Line 6: rate-limit calls one at a time, and with many in flight. */
  rateCalls: number;
  rateConcurrentCalls: number;
  rateInFlight: number;
  rateKeys: number;
  /** Line 7: users deleted, each with this many dependent rows (memos + usage logs + api keys). */
  deleteUsers: number;
  dependents: number;
  /** Read lines: the rounds the work is cut into (the median round is reported), after an untimed warm-up round. */
  readRounds: number;
}

export const FULL: Sizes = {
  singleInserts: 2_000,
  bulkMemos: 100_000,
  batchSize: 1_000,
  libraryUsers: 10,
  gets: 200_000,
  newestQueries: 10_000,
  newestLimit: 50,
  apiKeys: 1_000,
  keyLookups: 200_000,
  rateCalls: 1_000,
  rateConcurrentCalls: 5_000,
  rateInFlight: 100,
  rateKeys: 20,
  deleteUsers: 3,
  dependents: 10_000,
  readRounds: 5,
};

/** A tenth of everything (at least a little of each): to check the bench itself quickly. */
export function scaled(sizes: Sizes, factor: number): Sizes {
  const s = (n: number, min: number) => Math.max(min, Math.round(n * factor));
  return {
    ...sizes,
    singleInserts: s(sizes.singleInserts, 20),
    bulkMemos: s(sizes.bulkMemos, sizes.batchSize * 2),
    gets: s(sizes.gets, 100),
    newestQueries: s(sizes.newestQueries, 10),
    apiKeys: s(sizes.apiKeys, 50),
    keyLookups: s(sizes.keyLookups, 100),
    rateCalls: s(sizes.rateCalls, 50),
    rateConcurrentCalls: s(sizes.rateConcurrentCalls, 200),
    dependents: s(sizes.dependents, 100),
  };
}

/** mulberry32: small, fast, and the same sequence on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOICES = ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer', 'kal', 'slt'];
const WORDS = 'the quick brown fox jumps over a lazy dog while seven voices read memos aloud to the listener'.split(' ');
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

export interface RateCall {
  apiKeyId: string;
  userId: string;
  date: string;
  limit: number;
  /** The id a new counter row gets when this call is the first of its key and date. */
  newId: string;
}

export interface Victim {
  user: User;
  keys: ApiKey[];
  memos: Memo[];
  logs: UsageLog[];
}

export interface Dataset {
  sizes: Sizes;
  /** The library users (line 4), then the user line 1 writes for. */
  users: User[];
  libraryUsers: User[];
  writer: User;
  keys: ApiKey[];
  /** Per user id: that user's keys (memos are billed to one of them). */
  keysOf: Map<string, ApiKey[]>;
  singleMemos: Memo[];
  bulkMemos: Memo[];
  /** Line 3: ids to get, drawn from the bulk memos. */
  getIds: string[];
  /** Line 4: which user each query asks for. */
  newestUsers: string[];
  /** Line 5: hashes to look up. */
  lookupHashes: string[];
  /** Line 6w: single-commit calls right after the bulk load (a date of their own, never refused). */
  rateAfterBulk: RateCall[];
  rateSequential: RateCall[];
  rateConcurrent: RateCall[];
  victims: Victim[];
}

export function generate(sizes: Sizes, seed = 20251121): Dataset {
  const random = seeded(seed);
  const int = (n: number) => Math.floor(random() * n);
  const hex = (bytes: number) => {
    let s = '';
    for (let i = 0; i < bytes; i++) s += int(256).toString(16).padStart(2, '0');
    return s;
  };
  const uuid = () => {
    const h = hex(16);
    const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  let tick = 0;
  /** Every row gets its own time, one second after the one before: orders are total and equal everywhere. */
  const nextTime = () => new Date(T0 + tick++ * 1000).toISOString();
  const sentence = (n: number) => Array.from({ length: n }, () => WORDS[int(WORDS.length)]).join(' ');

  const user = (n: number): User => {
    const at = nextTime();
    return {
      id: uuid(),
      email: `user${n}@bench.example`,
      password_hash: `$2b$10$${hex(22)}`,
      tier: 'pro',
      role: 'user',
      verification_token: null,
      reset_token: null,
      reset_token_expires: null,
      created_at: at,
      updated_at: at,
    };
  };
  const apiKey = (owner: User, n: number): ApiKey => {
    const at = nextTime();
    const secret = `at_live_${hex(24)}`;
    return {
      id: uuid(),
      user_id: owner.id,
      prefix: secret.slice(0, 12),
      key_hash: createHash('sha256').update(secret).digest('hex'),
      name: `Key ${n}`,
      usage_count: 0,
      last_used_at: null,
      is_active: true,
      created_at: at,
      updated_at: at,
      key_suffix: secret.slice(-6),
      origin: 'local',
      service_url: null,
      cloud_id: null,
      cloud_day: null,
    };
  };
  const memo = (owner: User, key: ApiKey | undefined): Memo => {
    const at = nextTime();
    const id = uuid();
    const text = sentence(12 + int(12));
    return {
      id,
      user_id: owner.id,
      audio_url: `app://audio/${id}.wav`,
      duration_sec: Math.round((1 + random() * 60) * 100) / 100,
      voice: VOICES[int(VOICES.length)]!,
      character_count: text.length,
      title: sentence(3),
      created_at: at,
      text,
      api_key_id: key?.id ?? null,
      status: 'completed',
      error: null,
      error_code: null,
      updated_at: at,
    };
  };
  const usageLog = (owner: User, key: ApiKey): UsageLog => ({
    id: uuid(),
    user_id: owner.id,
    api_key_id: key.id,
    action: 'memo_created',
    metadata: { characters: 20 + int(200), voice: VOICES[int(VOICES.length)] },
    created_at: nextTime(),
  });

  const libraryUsers = Array.from({ length: sizes.libraryUsers }, (_, i) => user(i));
  const writer = user(sizes.libraryUsers);
  const users = [...libraryUsers, writer];
  const keys = Array.from({ length: sizes.apiKeys }, (_, i) => apiKey(users[i % users.length]!, i));
  const keysOf = new Map<string, ApiKey[]>(users.map((u) => [u.id, keys.filter((k) => k.user_id === u.id)]));
  const billTo = (owner: User) => {
    const own = keysOf.get(owner.id)!;
    return own[int(own.length)];
  };

  const singleMemos = Array.from({ length: sizes.singleInserts }, () => memo(writer, billTo(writer)));
  const bulkMemos = Array.from({ length: sizes.bulkMemos }, (_, i) => {
    const owner = libraryUsers[i % libraryUsers.length]!;
    return memo(owner, billTo(owner));
  });
  const getIds = Array.from({ length: sizes.gets }, () => bulkMemos[int(bulkMemos.length)]!.id);
  const newestUsers = Array.from({ length: sizes.newestQueries }, (_, i) => libraryUsers[i % libraryUsers.length]!.id);
  const lookupHashes = Array.from({ length: sizes.keyLookups }, () => keys[int(keys.length)]!.key_hash);

  // Rate limits: calls spread round-robin over a few keys; the limit is set so that about a fifth are refused.
  const rateKeys = keys.slice(0, sizes.rateKeys);
  const rateCalls = (n: number, date: string, share = 0.8): RateCall[] => {
    const perKey = Math.ceil(n / rateKeys.length);
    const limit = Math.max(1, Math.floor(perKey * share));
    return Array.from({ length: n }, (_, i) => {
      const key = rateKeys[i % rateKeys.length]!;
      return { apiKeyId: key.id, userId: key.user_id, date, limit, newId: uuid() };
    });
  };
  const rateAfterBulk = rateCalls(sizes.rateCalls, '2025-05-31', 1);
  const rateSequential = rateCalls(sizes.rateCalls, '2025-06-01');
  const rateConcurrent = rateCalls(sizes.rateConcurrentCalls, '2025-06-02');

  // Users to delete: their dependents are keys, memos and usage logs (the logs and memos billed to the keys).
  const victims = Array.from({ length: sizes.deleteUsers }, (_, v): Victim => {
    const owner = user(1000 + v);
    const keyCount = Math.max(1, Math.round(sizes.dependents / 500));
    const own = Array.from({ length: keyCount }, (_, i) => apiKey(owner, i));
    const memoCount = Math.floor((sizes.dependents - keyCount) / 2);
    const logCount = sizes.dependents - keyCount - memoCount;
    return {
      user: owner,
      keys: own,
      memos: Array.from({ length: memoCount }, (_, i) => memo(owner, own[i % own.length])),
      logs: Array.from({ length: logCount }, (_, i) => usageLog(owner, own[i % own.length]!)),
    };
  });

  return {
    sizes,
    users,
    libraryUsers,
    writer,
    keys,
    keysOf,
    singleMemos,
    bulkMemos,
    getIds,
    newestUsers,
    lookupHashes,
    rateAfterBulk,
    rateSequential,
    rateConcurrent,
    victims,
  };
}

/** Expected outcome of a list of rate-limit calls: how many are allowed and how many refused. */
export function expectedRate(calls: readonly RateCall[]): { allowed: number; refused: number } {
  const used = new Map<string, number>();
  let allowed = 0;
  for (const call of calls) {
    const k = `${call.apiKeyId}|${call.date}`;
    const n = used.get(k) ?? 0;
    if (n < call.limit) {
      used.set(k, n + 1);
      allowed++;
    }
  }
  return { allowed, refused: calls.length - allowed };
}
