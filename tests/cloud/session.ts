/**
 * The contract server's session routes: the account, its keys, subscription and usage, with the exact shapes the
 * service's code answers (AGENT-TALK-CLOUD.md, "What the hosted service serves today"), and a switch that answers
 * as today's hosted service does: `/api/v1/auth/*` 404 (the routes are gone) and every session route 501.
 *
 * Users own keys; a key's account (server.ts) is counted by the memo route, and this module's key rows follow it
 * (usage count, last used, the user's daily usage).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';
import type { Tier } from './server';

/** The service's plans as its billing route lists them (an unlimited limit is the string "unlimited"). */
export const SERVICE_PLANS: Readonly<Record<Tier, { displayName: string; price: number; callsPerDay: number | 'unlimited'; charsPerMemo: number | 'unlimited'; maxApiKeys: number; maxConcurrent: number }>> = {
  hobby: { displayName: 'Hobby', price: 0, callsPerDay: 100, charsPerMemo: 5_000, maxApiKeys: 2, maxConcurrent: 1 },
  pro: { displayName: 'Pro', price: 19, callsPerDay: 1_000, charsPerMemo: 20_000, maxApiKeys: 10, maxConcurrent: 5 },
  enterprise: { displayName: 'Enterprise', price: 199, callsPerDay: 'unlimited', charsPerMemo: 'unlimited', maxApiKeys: 100, maxConcurrent: 50 },
};

/** The message the hosted service's session routes answer with while its sign-in is not configured. */
export const NOT_CONFIGURED = 'Authentication not configured. The platform sign-in is being set up; try again later.';

export interface CloudUser {
  id: string;
  email: string;
  password: string;
  role: 'user' | 'admin';
  tier: Tier;
  createdAt: string;
  updatedAt: string;
  subscription: { status: string; currentPeriodStart: string | null; currentPeriodEnd: string | null; cancelAtPeriodEnd: boolean };
  /** Calls and characters per UTC day (`YYYY-MM-DD`). */
  daily: Map<string, { calls: number; characters: number }>;
}

export interface CloudKey {
  id: string;
  userId: string;
  key: string;
  prefix: 'at_live_' | 'at_test_';
  name: string;
  usageCount: number;
  lastUsedAt: string | null;
  isActive: boolean;
  createdAt: string;
}

export interface SessionDeps {
  clock: () => Date;
  /** Makes the key known to the memo route (an account counted per tier); answers nothing. */
  registerKey(key: string, tier: Tier): void;
  /** Whether the memo route's account of the key is active (revoked there or here: both stop it). */
  setKeyActive(key: string, active: boolean): void;
}

type Answer = { status: number; body: unknown };

const SESSION_HOURS = 24;
const KEY_PATH = /^\/api\/keys\/([^/]+)(\/revoke)?$/;

export function createSessionRoutes({ clock, registerKey, setKeyActive }: SessionDeps) {
  const users = new Map<string, CloudUser>();
  const keys = new Map<string, CloudKey>(); // by id
  const sessions = new Map<string, { userId: string; expiresAt: Date }>();
  let served = true;

  const iso = () => clock().toISOString();
  const userView = (u: CloudUser) => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt });
  const keyView = (k: CloudKey) => ({
    id: k.id,
    prefix: k.prefix,
    maskedKey: `${k.prefix}***...${k.key.slice(-6)}`,
    name: k.name,
    usageCount: k.usageCount,
    lastUsedAt: k.lastUsedAt,
    isActive: k.isActive,
    createdAt: k.createdAt,
  });
  const keysOf = (userId: string) => [...keys.values()].filter((k) => k.userId === userId);
  const limitsOf = (tier: Tier) => {
    const { callsPerDay, charsPerMemo, maxApiKeys, maxConcurrent } = SERVICE_PLANS[tier];
    return { callsPerDay, charsPerMemo, maxApiKeys, maxConcurrent };
  };
  const tiersCatalog = () =>
    (Object.keys(SERVICE_PLANS) as Tier[]).map((name) => {
      const plan = SERVICE_PLANS[name];
      return { name, displayName: plan.displayName, description: `${plan.displayName} plan`, price: plan.price, highlighted: name === 'pro', limits: { callsPerDay: plan.callsPerDay, charsPerMemo: plan.charsPerMemo, maxApiKeys: plan.maxApiKeys }, features: [] };
    });

  function newKey(user: CloudUser, name: string, test = false): CloudKey {
    const prefix = test ? 'at_test_' : 'at_live_';
    const key: CloudKey = { id: randomUUID(), userId: user.id, key: prefix + randomBytes(32).toString('base64url'), prefix, name, usageCount: 0, lastUsedAt: null, isActive: true, createdAt: iso() };
    keys.set(key.id, key);
    registerKey(key.key, user.tier);
    return key;
  }

  function session(req: IncomingMessage): CloudUser {
    const header = req.headers.authorization ?? '';
    const token = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : '';
    if (!token) throw new HttpError(401, 'UNAUTHORIZED', 'Authentication required');
    const found = sessions.get(token);
    if (!found) throw new HttpError(401, 'UNAUTHORIZED', 'Invalid token');
    if (found.expiresAt <= clock()) throw new HttpError(401, 'EXPIRED_TOKEN', 'Token has expired');
    return users.get(found.userId)!;
  }

  function ownKey(user: CloudUser, id: string): CloudKey {
    const key = keys.get(id);
    if (!key || key.userId !== user.id) throw new HttpError(404, 'NOT_FOUND', 'API key not found');
    return key;
  }

  const parse = (raw: Buffer): Record<string, unknown> => {
    try {
      const body = JSON.parse(raw.length ? raw.toString('utf8') : '{}') as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid JSON body');
  };

  function usage(user: CloudUser, query: URLSearchParams): Answer {
    const end = query.get('endDate')?.slice(0, 10) ?? iso().slice(0, 10);
    const start = query.get('startDate')?.slice(0, 10) ?? new Date(Date.parse(end) - 29 * 86_400_000).toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end)) throw new HttpError(400, 'VALIDATION_ERROR', 'Invalid date range');
    const daily = [...user.daily.entries()]
      .filter(([date]) => date >= start && date <= end)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, d]) => ({ date, calls: d.calls, characters: d.characters }));
    const total = daily.reduce((sum, d) => ({ calls: sum.calls + d.calls, characters: sum.characters + d.characters }), { calls: 0, characters: 0 });
    return { status: 200, body: { success: true, data: { total, daily, weekly: [], monthly: [] } } };
  }

  /** Answers a session or account route, or null when the path is none of them. */
  function route(req: IncomingMessage, raw: Buffer, path: string, query: URLSearchParams): Answer | null {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/api/v1/billing/tiers') return { status: 200, body: { success: true, tiers: tiersCatalog() } };
    const isAuth = path.startsWith('/api/v1/auth/');
    const isSession = path === '/api/keys' || KEY_PATH.test(path) || path.startsWith('/api/v1/dashboard/') || path === '/api/v1/billing/subscription' || path.startsWith('/api/v1/analytics/');
    if (!isAuth && !isSession) return null;
    if (!served) {
      if (isAuth) return { status: 404, body: '404 Not Found' };
      throw new HttpError(501, 'NOT_IMPLEMENTED', NOT_CONFIGURED);
    }

    if (method === 'POST' && path === '/api/v1/auth/login') {
      const body = parse(raw);
      const user = [...users.values()].find((u) => u.email === String(body.email ?? '').toLowerCase());
      if (!user || user.password !== body.password) throw new HttpError(401, 'UNAUTHORIZED', 'Invalid email or password');
      const token = randomBytes(24).toString('base64url');
      const expiresAt = new Date(clock().getTime() + SESSION_HOURS * 3_600_000);
      sessions.set(token, { userId: user.id, expiresAt });
      return { status: 200, body: { success: true, user: userView(user), token, expiresAt: expiresAt.toISOString() } };
    }
    if (isAuth && !['/api/v1/auth/me', '/api/v1/auth/logout'].includes(path)) throw new HttpError(404, 'NOT_FOUND');

    const user = session(req);
    if (method === 'GET' && path === '/api/v1/auth/me') return { status: 200, body: { success: true, user: userView(user) } };
    if (method === 'POST' && path === '/api/v1/auth/logout') {
      for (const [token, s] of sessions) if (s.userId === user.id && req.headers.authorization?.endsWith(token)) sessions.delete(token);
      return { status: 200, body: { success: true, message: 'Logged out' } };
    }
    if (method === 'GET' && (path === '/api/keys' || path === '/api/v1/dashboard/keys')) {
      const list = keysOf(user.id).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(keyView);
      return { status: 200, body: { success: true, keys: list } };
    }
    if (method === 'POST' && (path === '/api/keys' || path === '/api/v1/dashboard/keys')) {
      const body = parse(raw);
      if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length > 100)) throw new HttpError(400, 'VALIDATION_ERROR', 'Name must be at most 100 characters');
      const limit = SERVICE_PLANS[user.tier].maxApiKeys;
      if (keysOf(user.id).filter((k) => k.isActive).length >= limit) {
        throw new HttpError(400, 'VALIDATION_ERROR', `Maximum API keys (${limit}) reached for your tier`, { limit });
      }
      const key = newKey(user, (body.name as string | undefined) ?? 'Default Key', body.test === true);
      return { status: 201, body: { success: true, key: { id: key.id, key: key.key, prefix: key.prefix, name: key.name, createdAt: key.createdAt }, warning: 'Save this key now. It will not be shown again.' } };
    }
    const keyPath = KEY_PATH.exec(path);
    if (keyPath) {
      const key = ownKey(user, decodeURIComponent(keyPath[1]!));
      if (method === 'GET' && !keyPath[2]) return { status: 200, body: { success: true, key: keyView(key) } };
      if (method === 'PATCH' && !keyPath[2]) {
        const body = parse(raw);
        if (typeof body.name !== 'string' || body.name.trim() === '') throw new HttpError(400, 'MISSING_FIELD', 'Missing required field: name', { field: 'name' });
        key.name = body.name.slice(0, 100);
        return { status: 200, body: { success: true, key: keyView(key) } };
      }
      if ((method === 'POST' && keyPath[2]) || (method === 'DELETE' && !keyPath[2])) {
        key.isActive = false;
        setKeyActive(key.key, false);
        return { status: 200, body: { success: true, message: 'API key revoked' } };
      }
    }
    if (method === 'GET' && path === '/api/v1/dashboard/account') {
      const plan = SERVICE_PLANS[user.tier];
      return {
        status: 200,
        body: {
          success: true,
          account: { id: user.id, email: user.email, tier: user.tier, tierName: plan.displayName, role: user.role, createdAt: user.createdAt, updatedAt: user.updatedAt },
          tierInfo: { limits: limitsOf(user.tier), features: [] },
          availableTiers: Object.keys(SERVICE_PLANS),
          upgradeUrl: '/pricing',
        },
      };
    }
    if (method === 'GET' && path === '/api/v1/dashboard/stats') {
      const mine = keysOf(user.id);
      const today = user.daily.get(iso().slice(0, 10))?.calls ?? 0;
      const limit = SERVICE_PLANS[user.tier].callsPerDay;
      return {
        status: 200,
        body: {
          success: true,
          stats: {
            usage: { today, thisMonth: today, total: mine.reduce((n, k) => n + k.usageCount, 0) },
            apiKeys: { total: mine.length, active: mine.filter((k) => k.isActive).length, maxAllowed: SERVICE_PLANS[user.tier].maxApiKeys },
            memos: { total: 0, totalCharacters: 0 },
            rateLimit: { limit, used: today, remaining: limit === 'unlimited' ? 'unlimited' : Math.max(0, limit - today), resetAt: null },
          },
          tier: user.tier,
        },
      };
    }
    if (method === 'GET' && path === '/api/v1/billing/subscription') {
      const plan = SERVICE_PLANS[user.tier];
      return {
        status: 200,
        body: {
          success: true,
          subscription: { tier: user.tier, tierName: plan.displayName, price: plan.price, limits: limitsOf(user.tier), features: [], stripeCustomerId: null, stripeSubscriptionId: null, ...user.subscription },
          user: { id: user.id, email: user.email, createdAt: user.createdAt },
          billing: null,
        },
      };
    }
    if (method === 'GET' && path === '/api/v1/analytics/usage') return usage(user, query);
    throw new HttpError(404, 'NOT_FOUND');
  }

  return {
    route,
    /** A user with a password, on a tier, with the default key the service makes with every account. */
    addUser(email: string, password: string, tier: Tier = 'hobby'): { user: CloudUser; defaultKey: CloudKey } {
      const now = iso();
      const user: CloudUser = {
        id: `user_${randomBytes(8).toString('hex')}`,
        email: email.toLowerCase(),
        password,
        role: 'user',
        tier,
        createdAt: now,
        updatedAt: now,
        subscription: { status: 'active', currentPeriodStart: null, currentPeriodEnd: null, cancelAtPeriodEnd: false },
        daily: new Map(),
      };
      users.set(user.id, user);
      return { user, defaultKey: newKey(user, 'Default Key') };
    },
    /** A key made for the user as if on the service's own dashboard (not by the app). */
    addKey: (userId: string, name: string) => newKey(users.get(userId)!, name),
    user: (id: string) => users.get(id),
    keysOf,
    key: (id: string) => keys.get(id),
    /** Counts a memo made with the key (usage count, last used, the user's day), as the memo route does. */
    countMemo(fullKey: string, characters: number): void {
      const key = [...keys.values()].find((k) => k.key === fullKey);
      if (!key) return;
      key.usageCount++;
      key.lastUsedAt = iso();
      const user = users.get(key.userId)!;
      const day = iso().slice(0, 10);
      const today = user.daily.get(day) ?? { calls: 0, characters: 0 };
      user.daily.set(day, { calls: today.calls + 1, characters: today.characters + characters });
    },
    setSessionRoutes(mode: 'served' | 'not-implemented') {
      served = mode === 'served';
    },
    /** Every session now answers 401 EXPIRED_TOKEN. */
    expireSessions() {
      for (const s of sessions.values()) s.expiresAt = new Date(0);
    },
  };
}

export type SessionRoutes = ReturnType<typeof createSessionRoutes>;
