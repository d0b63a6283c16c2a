/**
 * Pulling what the service owns, server wins: the account's tier and role, the subscription, the key list, daily
 * usage, the voices and the plans. Each step is one capability: a step the service does not offer (404/501) is
 * recorded as such and the others go on; no answer or a refused session stops the run. What an answer brings is
 * written in transactions of at most `CHUNK` rows, with a turn of the event loop between them, so a long key list or
 * a year of usage never holds the main thread (server wins: a pull cut short between them is completed by the next).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Capability } from '../../../src-shared/contract/sync';
import type { ApiKey, tables } from '../../../src-shared/schema';
import type { AgentTalkStore, Transaction } from '../../db';
import { secretAccount } from '../keys';
import type { SecretStore } from '../secrets';
import { writeSetting } from '../settings';
import { applySubscription } from '../subscriptions';
import { utcDate } from '../time';
import { Account, Done, KeyList, SubscriptionAnswer, TiersAnswer, UsageAnswer, VoicesAnswer, type CloudKeyRow } from './answers';
import type { CloudCaller } from './cloud-call';
import { hasPending } from './outbox';
import { isSentName, type CreatedKey } from './push';
import { addNotice, CLOUD_TIERS, CLOUD_VOICES } from './state';

type Tx = Transaction<typeof tables>;

export interface PullDeps {
  store: AgentTalkStore;
  secrets: SecretStore;
  caller: CloudCaller;
  clock: () => Date;
}

export interface PullContext {
  userId: string;
  serviceUrl: string;
  token: string;
  /** Keys created lately: a key of the same name that appeared with them is a copy of that request (applied late or twice), revoked. */
  created: readonly CreatedKey[];
}

/** The most rows one transaction of a pull writes. */
const CHUNK = 25;

/** `fn` on each slice of at most CHUNK items, each in its own transaction, a turn of the event loop between them. */
async function inChunks<T, R>(store: AgentTalkStore, items: readonly T[], fn: (tx: Tx, chunk: readonly T[]) => R[]): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    if (i > 0) await nextTurn();
    results.push(...(await store.transaction((tx) => fn(tx, items.slice(i, i + CHUNK)))));
  }
  return results;
}

/** How far back daily usage is pulled: a year, as the Usage screen can show. */
const USAGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** The pull steps in the order they run; each names the capability it is. */
export function pullSteps({ store, secrets, caller, clock }: PullDeps): { capability: Capability; session: boolean; run(context: PullContext): Promise<void> }[] {
  const at = () => clock().toISOString();
  return [
    {
      capability: 'account',
      session: true,
      async run({ userId, token }) {
        const { account } = await caller.call({ method: 'GET', path: '/api/v1/dashboard/account', token }, Account);
        await store.transaction((tx) => {
          if (tx.get('users', userId)?.role !== account.role) tx.update('users', userId, { role: account.role });
          // The tier follows the subscription (one function decides it: accounts.tier); the account's tier is the service's word on it.
          const subscription = tx.query('subscriptions', { user_id: userId })[0];
          if (subscription?.tier !== account.tier) applySubscription(tx, userId, { tier: account.tier, status: 'active' }, clock());
        });
      },
    },
    {
      capability: 'subscription',
      session: true,
      async run({ userId, token }) {
        const { subscription: s } = await caller.call({ method: 'GET', path: '/api/v1/billing/subscription', token }, SubscriptionAnswer);
        await store.transaction((tx) =>
          applySubscription(
            tx,
            userId,
            {
              tier: s.tier,
              status: s.status ?? 'active',
              current_period_start: s.currentPeriodStart ?? null,
              current_period_end: s.currentPeriodEnd ?? null,
              cancel_at_period_end: s.cancelAtPeriodEnd ?? false,
            },
            clock(),
          ),
        );
      },
    },
    {
      capability: 'keys',
      session: true,
      async run(context) {
        const { keys } = await caller.call({ method: 'GET', path: '/api/keys', token: context.token }, KeyList);
        const orphans = keys.filter((k) => k.isActive && isDuplicate(k, context.created, store));
        for (const orphan of orphans) {
          await caller.call({ method: 'POST', path: `/api/keys/${encodeURIComponent(orphan.id)}/revoke`, token: context.token, resource: true }, Done);
          orphan.isActive = false;
        }
        const revokedHere = await inChunks(store, keys, (tx, chunk) => mergeKeys(tx, chunk, context, at()));
        revokedHere.push(...(await store.transaction((tx) => revokeMissing(tx, keys, context, at()))));
        for (const id of revokedHere) await secrets.delete(secretAccount(id));
      },
    },
    {
      capability: 'usage',
      session: true,
      async run({ token }) {
        // The range is wide on both sides: this computer's clock may be hours off the service's.
        const now = clock().getTime();
        const query = { startDate: utcDate(new Date(now - USAGE_DAYS * DAY_MS)), endDate: utcDate(new Date(now + DAY_MS)) };
        const { data } = await caller.call({ method: 'GET', path: '/api/v1/analytics/usage', token, query }, UsageAnswer);
        await inChunks(store, data.daily, (tx, days) => {
          for (const day of days) {
            const row = tx.get('cloud_usage', day.date);
            if (!row) tx.insert('cloud_usage', { date: day.date, calls: day.calls, characters: day.characters });
            else if (row.calls !== day.calls || row.characters !== day.characters) tx.update('cloud_usage', day.date, { calls: day.calls, characters: day.characters });
          }
          return [];
        });
      },
    },
    {
      capability: 'voices',
      session: false,
      async run() {
        const { voices } = await caller.call({ method: 'GET', path: '/api/v1/voices' }, VoicesAnswer);
        await store.transaction((tx) => writeSetting(tx, CLOUD_VOICES, voices));
      },
    },
    {
      capability: 'tiers',
      session: false,
      async run() {
        const { tiers } = await caller.call({ method: 'GET', path: '/api/v1/billing/tiers' }, TiersAnswer);
        await store.transaction((tx) => writeSetting(tx, CLOUD_TIERS, tiers));
      },
    },
  ];
}

/** A live key the service holds that no local row knows, with the name a create made lately was sent with: a copy of that request. */
function isDuplicate(key: CloudKeyRow, created: readonly CreatedKey[], store: AgentTalkStore): boolean {
  if (store.query('api_keys', { cloud_id: key.id }).length > 0) return false;
  return created.some((c) => c.name === key.name && c.cloudId !== key.id && !c.before.includes(key.id));
}

const maskedOf = (key: Pick<ApiKey, 'prefix' | 'key_suffix'>) => `${key.prefix}***...${key.key_suffix ?? ''}`;

const cloudKeysOf = (tx: Tx, { userId, serviceUrl }: PullContext) => tx.query('api_keys', { user_id: userId }).filter((k) => k.origin === 'cloud' && k.service_url === serviceUrl);

/**
 * Some of the service's key list into the local rows, server wins: name (unless a rename waits here), active, usage
 * count, last used. A pasted key is matched by its masked form; a key revoked there is revoked here and the user told.
 * Answers the ids of keys revoked here by it (their keychain copies go).
 */
function mergeKeys(tx: Tx, keys: readonly CloudKeyRow[], context: PullContext, at: string): string[] {
  const { userId, serviceUrl } = context;
  const revoked: string[] = [];
  const local = cloudKeysOf(tx, context);
  for (const remote of keys) {
    let row = local.find((k) => k.cloud_id === remote.id);
    // A pasted key, not yet matched: the same masked form (prefix and last 6 characters).
    row ??= local.find((k) => k.cloud_id === null && !k.key_hash.startsWith('pending:') && maskedOf(k) === remote.maskedKey);
    const fields = {
      usage_count: remote.usageCount ?? 0,
      last_used_at: remote.lastUsedAt ?? null,
      ...(remote.createdAt && { created_at: remote.createdAt }),
    };
    if (!row) {
      tx.insert('api_keys', {
        user_id: userId,
        origin: 'cloud',
        service_url: serviceUrl,
        cloud_id: remote.id,
        prefix: remote.prefix,
        key_hash: `cloud:${remote.id}`,
        key_suffix: remote.maskedKey.slice(-6),
        name: remote.name ?? 'Default Key',
        is_active: remote.isActive,
        ...fields,
      });
      continue;
    }
    const patch: Partial<ApiKey> = { ...fields, cloud_id: remote.id };
    // A create's name while it is being named is not the user's: the name here stays.
    if (remote.name && !hasPending(tx, row.id, 'rename') && !isSentName(remote.name)) patch.name = remote.name;
    if (!remote.isActive && row.is_active !== false) {
      patch.is_active = false;
      revoked.push(row.id);
      addNotice(tx, `The cloud key “${patch.name ?? row.name ?? ''}” was revoked on the service (or on another computer): it is revoked here too.`, at);
    }
    // Revoked is for good on either side: a key revoked here (pushed or still waiting) is never made active again.
    const changed = Object.entries(patch).some(([column, value]) => row[column as keyof ApiKey] !== value);
    if (changed) tx.update('api_keys', row.id, patch);
  }
  return revoked;
}

/** A key known here that is not in the service's whole list is gone there: revoked here, the user told. */
function revokeMissing(tx: Tx, keys: readonly CloudKeyRow[], context: PullContext, at: string): string[] {
  const revoked: string[] = [];
  const seen = new Set(keys.map((k) => k.id));
  for (const row of cloudKeysOf(tx, context)) {
    if (row.cloud_id && !seen.has(row.cloud_id) && row.is_active !== false) {
      tx.update('api_keys', row.id, { is_active: false });
      revoked.push(row.id);
      addNotice(tx, `The cloud key “${row.name ?? ''}” no longer exists on the service: it is revoked here.`, at);
    }
  }
  return revoked;
}
