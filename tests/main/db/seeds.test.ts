/**
 * The job-queue and session schemas of the seeds (shared/seeds/002, 003, 004) declared on the engine, and the
 * queries they are written for: ordering by several columns each with its direction, `in`, case-insensitive
 * uniques, a JSON default per row.
 */
import { describe, expect, it } from 'vitest';
import { index, type TableDef } from '../../../src-shared/schema';
import { failure, openTempStore } from './helpers';

const id = { type: 'text', notNull: true, generate: 'uuid' } as const;
const now = { type: 'timestamp', default: 'now' } as const;

// 002: spaces and their processing queue; the worker picks by priority, highest first, then the oldest.
const spaces = {
  name: 'spaces',
  primaryKey: 'id',
  columns: { id, space_id: { type: 'text', notNull: true }, title: { type: 'text', notNull: true } },
  unique: [{ name: 'spaces_space_id', columns: ['space_id'] }],
} as const satisfies TableDef;

const processingQueue = {
  name: 'processing_queue',
  primaryKey: 'id',
  columns: {
    id,
    space_id: { type: 'text', notNull: true },
    status: { type: 'text', notNull: true, default: 'queued', oneOf: ['queued', 'processing', 'completed', 'failed'] },
    priority: { type: 'integer', default: 0 },
    retry_count: { type: 'integer', default: 0 },
    max_retries: { type: 'integer', default: 3 },
    error_message: { type: 'text' },
    queued_at: now,
    started_at: { type: 'timestamp' },
    completed_at: { type: 'timestamp' },
  },
  foreignKeys: [{ column: 'space_id', references: 'spaces', onDelete: 'cascade' }],
  indexes: [
    index('idx_status', 'status'),
    index('idx_priority_queued', 'priority desc', 'queued_at asc'),
    index('idx_status_priority_queued', 'status', 'priority desc', 'queued_at asc'),
  ],
} as const satisfies TableDef;

// 003: users with unique emails and usernames, and their sessions.
const users = {
  name: 'users',
  primaryKey: 'id',
  columns: {
    id,
    email: { type: 'text', notNull: true, caseInsensitive: true },
    username: { type: 'text', caseInsensitive: true },
    is_active: { type: 'boolean', default: true },
    created_at: now,
  },
  unique: [
    { name: 'users_email', columns: ['email'] },
    { name: 'users_username', columns: ['username'] },
  ],
} as const satisfies TableDef;

const sessions = {
  name: 'sessions',
  primaryKey: 'id',
  columns: {
    id,
    user_id: { type: 'text', notNull: true },
    token: { type: 'text', notNull: true },
    expires_at: { type: 'timestamp', notNull: true },
    created_at: now,
  },
  unique: [{ name: 'sessions_token', columns: ['token'] }],
  foreignKeys: [{ column: 'user_id', references: 'users', onDelete: 'cascade' }],
  indexes: [index('idx_sessions_user_expires', 'user_id', 'expires_at desc'), index('idx_sessions_expires', 'expires_at')],
} as const satisfies TableDef;

// 004: jobs with a lease, options as JSON defaulting to {}.
const jobs = {
  name: 'jobs',
  primaryKey: 'id',
  columns: {
    id,
    tenant_id: { type: 'text', notNull: true },
    status: { type: 'text', notNull: true, default: 'queued', oneOf: ['queued', 'processing', 'completed', 'failed', 'cancelled'] },
    options: { type: 'json', notNull: true, default: {} },
    created_at: now,
    worker_id: { type: 'text' },
    locked_until: { type: 'timestamp' },
  },
  indexes: [index('idx_jobs_status_created', 'status', 'created_at'), index('idx_jobs_locked', 'status', 'locked_until')],
} as const satisfies TableDef;

const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

async function queue() {
  const store = await openTempStore([spaces, processingQueue]);
  const space = await store.insert('spaces', { space_id: '1RDxlAoOeQRKL', title: 'Town hall' });
  // [status, priority, minute queued, retries]: the top priority (5) has three jobs queued at 30, 10 and 20.
  const jobs = [
    ['queued', 1, 1, 0],
    ['queued', 5, 30, 0],
    ['queued', 5, 10, 3],
    ['queued', 5, 20, 0],
    ['processing', 9, 0, 0],
    ['queued', 5, 25, 0],
    ['failed', 5, 2, 3],
    ['queued', 0, 0, 0],
    ['queued', 3, 5, 1],
  ] as const;
  const rows = await store.transaction((tx) =>
    jobs.map(([status, priority, minute, retry_count]) =>
      tx.insert('processing_queue', { space_id: space.id, status, priority, retry_count, queued_at: t(minute) }),
    ),
  );
  return { store, rows };
}

/** SELECT * FROM processing_queue WHERE status = 'queued' AND retry_count < max_retries ORDER BY priority DESC, queued_at ASC LIMIT 1 */
const NEXT_JOB = [{ status: 'queued' }, { orderBy: ['priority desc', 'queued_at asc'] }] as const;

describe('the seeds’ job queue on the engine', () => {
  it('gives the next job by priority, then the oldest, through the index declared for it', async () => {
    const { store } = await queue();
    const order = store.query('processing_queue', ...NEXT_JOB).map((j) => [j.priority, j.queued_at]);
    expect(order).toEqual([
      [5, t(10)],
      [5, t(20)],
      [5, t(25)],
      [5, t(30)],
      [3, t(5)],
      [1, t(1)],
      [0, t(0)],
    ]);
    const next = store.query('processing_queue', ...NEXT_JOB).find((j) => j.retry_count! < j.max_retries!);
    expect([next!.priority, next!.queued_at]).toEqual([5, t(20)]);
    expect(store.query('processing_queue', NEXT_JOB[0], { ...NEXT_JOB[1], limit: 1 })[0]!.queued_at).toBe(t(10));
    expect(store.explain('processing_queue', ...NEXT_JOB)).toMatchObject({
      access: 'index',
      index: 'idx_status_priority_queued',
      equality: ['status'],
      ordered: true,
      seeks: ['priority'],
    });
  });

  it('serves every combination of directions, offsets and limits as a full sort would', async () => {
    const { store, rows } = await queue();
    const sign = (d: string) => (d === 'desc' ? -1 : 1);
    for (const [p, q] of [['desc', 'asc'], ['asc', 'desc'], ['desc', 'desc'], ['asc', 'asc']]) {
      for (const window of [{}, { limit: 2 }, { offset: 3, limit: 3 }, { offset: 6 }]) {
        const want = rows
          .filter((r) => r.status === 'queued')
          .sort((a, b) => sign(p!) * (a.priority! - b.priority!) || sign(q!) * a.queued_at!.localeCompare(b.queued_at!))
          .slice(window.offset ?? 0, window.limit === undefined ? undefined : (window.offset ?? 0) + window.limit);
        const got = store.query('processing_queue', { status: 'queued' }, { orderBy: [`priority ${p!}`, `queued_at ${q!}`], ...window } as never);
        expect(got.map((r) => r.id), `${p} ${q} ${JSON.stringify(window)}`).toEqual(want.map((r) => r.id));
      }
    }
    // Without the status condition, the (priority desc, queued_at asc) index serves the order over every row.
    const all = store.query('processing_queue', {}, { orderBy: ['priority desc', 'queued_at asc'] });
    expect(all.map((r) => r.priority)).toEqual([9, 5, 5, 5, 5, 5, 3, 1, 0]);
    expect(all.slice(1, 6).map((r) => r.queued_at)).toEqual([t(2), t(10), t(20), t(25), t(30)]);
    expect(store.explain('processing_queue', {}, { orderBy: ['priority desc', 'queued_at asc'] })).toMatchObject({ index: 'idx_priority_queued', ordered: true });
  });

  it('refuses an order of several columns that no index serves, naming it', async () => {
    const { store } = await queue();
    const error = await failure(() => store.query('processing_queue', { status: 'queued' }, { orderBy: ['queued_at', 'priority desc'] }));
    expect(error).toMatchObject({ code: 'INVALID_QUERY', details: { table: 'processing_queue' } });
    expect(error.message).toContain('queued_at asc, priority desc');
    expect(await failure(() => store.query('processing_queue', {}, { orderBy: ['priority sideways'] as never }))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(await failure(() => store.query('processing_queue', {}, { orderBy: ['nope desc'] as never }))).toMatchObject({ code: 'UNKNOWN_COLUMN', details: { column: 'nope' } });
    expect(await failure(() => store.query('processing_queue', {}, { orderBy: ['priority', 'queued_at'], order: 'desc' }))).toMatchObject({ code: 'INVALID_QUERY' });
  });

  it('takes a list of values with in, on one column or several of one index, with a range after them', async () => {
    const { store, rows } = await queue();
    const open = store.query('processing_queue', { status: { in: ['queued', 'processing'] } }, { orderBy: ['priority desc', 'queued_at asc'] });
    expect(open.map((r) => r.priority)).toEqual([9, 5, 5, 5, 5, 3, 1, 0]);
    expect(store.explain('processing_queue', { status: { in: ['queued', 'processing'] } }, { orderBy: ['priority desc', 'queued_at asc'] })).toMatchObject({
      index: 'idx_status_priority_queued',
      in: ['status'],
      ordered: true,
    });
    const where = { status: { in: ['queued', 'failed', 'failed'] }, priority: { in: [5, 3] }, queued_at: { gte: t(5), lt: t(30) } } as const;
    const want = rows.filter((r) => ['queued', 'failed'].includes(r.status) && [5, 3].includes(r.priority!) && r.queued_at! >= t(5) && r.queued_at! < t(30));
    expect(store.query('processing_queue', where, { orderBy: 'queued_at' }).map((r) => r.queued_at)).toEqual(want.map((r) => r.queued_at).sort());
    expect(store.count('processing_queue', where)).toBe(want.length);
    expect(store.explain('processing_queue', where)).toMatchObject({ equality: ['status', 'priority'], in: ['status', 'priority'], range: 'queued_at', covered: true });
    expect(store.query('processing_queue', { status: { in: [] } })).toEqual([]);
    expect(store.query('processing_queue', { id: { in: [rows[0]!.id, 'nope', rows[1]!.id] } }).map((r) => r.id).sort()).toEqual([rows[0]!.id, rows[1]!.id].sort());
    expect(await failure(() => store.query('processing_queue', { priority: { in: ['high'] } } as never))).toMatchObject({ code: 'INVALID_TYPE' });
    expect(await failure(() => store.query('processing_queue', { priority: { in: 5 } } as never))).toMatchObject({ code: 'INVALID_QUERY' });
  });
});

describe('the seeds’ sessions on the engine', () => {
  it('treats emails and usernames that differ only in case as one, everywhere, keeping the text as written', async () => {
    const store = await openTempStore([users, sessions]);
    const alice = await store.insert('users', { email: 'Alice@Example.com', username: 'Ålice' });
    expect(await failure(store.insert('users', { email: 'alice@example.com' }))).toMatchObject({ code: 'UNIQUE_VIOLATION', details: { constraint: 'users_email' } });
    expect(await failure(store.insert('users', { email: 'bob@example.com', username: 'åLICE' }))).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    const bob = await store.insert('users', { email: 'bob@example.com' });
    expect(await failure(store.update('users', bob.id, { email: 'ALICE@EXAMPLE.COM' }))).toMatchObject({ code: 'UNIQUE_VIOLATION' });
    expect(store.query('users', { email: 'ALICE@example.COM' }).map((u) => u.id)).toEqual([alice.id]);
    expect(store.query('users', { email: { in: ['BOB@example.com', 'alice@EXAMPLE.com'] } }).map((u) => u.email).sort()).toEqual(['Alice@Example.com', 'bob@example.com']);
    expect(store.get('users', alice.id)!.email).toBe('Alice@Example.com');
    expect(store.query('users', {}, { orderBy: 'email', order: 'desc' }).map((u) => u.email)).toEqual(['bob@example.com', 'Alice@Example.com']);
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('lists a user’s sessions newest first, and the expired ones across users', async () => {
    const store = await openTempStore([users, sessions]);
    const [a, b] = await store.transaction((tx) => [tx.insert('users', { email: 'a@example.com' }), tx.insert('users', { email: 'b@example.com' })]);
    await store.transaction((tx) => {
      for (let i = 0; i < 6; i++) tx.insert('sessions', { user_id: (i % 2 ? a : b)!.id, token: `tok${i}`, expires_at: t(i * 10) });
    });
    expect(store.query('sessions', { user_id: a!.id }, { orderBy: 'expires_at', order: 'desc' }).map((s) => s.token)).toEqual(['tok5', 'tok3', 'tok1']);
    expect(store.query('sessions', { expires_at: { lt: t(25) } }, { orderBy: ['expires_at asc', 'id'] }).map((s) => s.token)).toEqual(['tok0', 'tok1', 'tok2']);
  });
});

describe('the seeds’ leased jobs on the engine', () => {
  it('gives every row its own copy of a JSON default', async () => {
    const store = await openTempStore([jobs]);
    const first = await store.insert('jobs', { tenant_id: 't' });
    (first.options as Record<string, unknown>).story = 'changed in memory';
    const second = await store.insert('jobs', { tenant_id: 't' });
    expect(second.options).toEqual({});
    expect(store.get('jobs', first.id)!.options).toEqual({});
  });

  it('finds expired leases among processing jobs, and queued jobs oldest first', async () => {
    const store = await openTempStore([jobs]);
    await store.transaction((tx) => {
      tx.insert('jobs', { tenant_id: 't', status: 'processing', worker_id: 'w1', locked_until: t(5) });
      tx.insert('jobs', { tenant_id: 't', status: 'processing', worker_id: 'w2', locked_until: t(50) });
      tx.insert('jobs', { tenant_id: 't', status: 'queued', created_at: t(3) });
      tx.insert('jobs', { tenant_id: 't', status: 'queued', created_at: t(1) });
    });
    const expired = store.query('jobs', { status: 'processing', locked_until: { lt: t(10) } });
    expect(expired.map((j) => j.worker_id)).toEqual(['w1']);
    expect(store.explain('jobs', { status: 'processing', locked_until: { lt: t(10) } })).toMatchObject({ index: 'idx_jobs_locked', range: 'locked_until', covered: true });
    const next = store.query('jobs', { status: { in: ['queued'] } }, { orderBy: ['status', 'created_at asc'], limit: 1 });
    expect(next[0]!.created_at).toBe(t(1));
  });
});

describe('in lists and orders of several columns', () => {
  it('return what a brute-force filter and sort returns', async () => {
    const store = await openTempStore([spaces, processingQueue]);
    const space = await store.insert('spaces', { space_id: 's', title: 'S' });
    const STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
    let seed = 11;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const rows = await store.transaction((tx) =>
      Array.from({ length: 300 }, () =>
        tx.insert('processing_queue', { space_id: space.id, status: STATUSES[random(4)]!, priority: random(5), queued_at: t(random(60)) }),
      ),
    );
    const cases: [Record<string, unknown>, string[], number?][] = [
      [{ status: { in: ['queued', 'failed'] } }, ['priority desc', 'queued_at asc']],
      [{ status: { in: ['queued', 'failed'] } }, ['priority desc', 'status', 'queued_at desc'], 40],
      [{ status: { in: ['failed', 'processing'] }, priority: { in: [4, 0, 2] } }, ['queued_at desc', 'status', 'priority desc']],
      [{ status: 'completed', priority: { gte: 2 } }, ['priority asc', 'queued_at desc'], 25],
      [{}, ['priority asc', 'queued_at desc']],
      [{ priority: { in: [1, 3] } }, ['priority desc', 'queued_at asc'], 7],
    ];
    for (const [where, orderBy, limit] of cases) {
      const terms = orderBy.map((spec) => spec.split(' ') as [keyof (typeof rows)[number], string?]);
      const ok = (r: (typeof rows)[number]) =>
        Object.entries(where).every(([column, cond]) => {
          const v = r[column as keyof typeof r];
          if (cond && typeof cond === 'object' && 'in' in cond) return (cond.in as unknown[]).includes(v);
          if (cond && typeof cond === 'object' && 'gte' in cond) return (v as number) >= (cond.gte as number);
          return v === cond;
        });
      const want = rows.filter(ok).sort((a, b) => {
        for (const [column, direction] of terms) {
          const order = a[column]! < b[column]! ? -1 : a[column]! > b[column]! ? 1 : 0;
          if (order !== 0) return direction === 'desc' ? -order : order;
        }
        return 0;
      });
      const got = store.query('processing_queue', where as never, { orderBy: orderBy as never, ...(limit !== undefined && { limit }) });
      const key = (r: (typeof rows)[number]) => terms.map(([column]) => r[column]).join('|');
      const context = JSON.stringify({ where, orderBy, limit });
      expect(got.map(key), context).toEqual(want.slice(0, limit).map(key));
      expect(store.explain('processing_queue', where as never, { orderBy: orderBy as never }).ordered, context).toBe(true);
    }
  });
});
