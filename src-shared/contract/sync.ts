/**
 * The cloud account and sync: linking the profile to an account on the service (sign in, or paste a session
 * token), what sync did and is waiting to do, and running it now. `sync.status` is also an event, pushed whenever
 * it changes: the always-visible indicator and the Settings panel show it.
 */
import { z } from 'zod';
import { args, method, noArgs } from './common';

export const accountView = z.object({
  /** Whether a session token for the service is held (in the keychain). */
  signedIn: z.boolean(),
  /** The service the link is with (the cloud URL when it was made); null while not linked. */
  serviceUrl: z.string().nullable(),
  /** The account on the service, once it told us (null when its account route is not offered yet). */
  accountId: z.string().nullable(),
  email: z.string().nullable(),
  /** The service refused the session (expired or revoked): sync waits until the user signs in again. */
  signInNeeded: z.boolean(),
});

/** Signing in when the account's email differs from the profile's asks first: `confirm` answers that question. */
export const linkResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('linked'), account: accountView }),
  z.object({ status: z.literal('confirm'), accountEmail: z.string(), profileEmail: z.string() }),
]);

export const CAPABILITIES = ['account', 'subscription', 'keys', 'usage', 'voices', 'tiers'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const capabilityView = z.object({
  id: z.enum(CAPABILITIES),
  label: z.string(),
  /** ok: pulled (or pushed) last time; not-offered: the service answered 404/501; failed: refused or unreachable. */
  state: z.enum(['unknown', 'ok', 'not-offered', 'failed']),
  reason: z.string().nullable(),
  checkedAt: z.string().nullable(),
});

export const SYNC_STATES = ['unlinked', 'synced', 'syncing', 'waiting', 'offline', 'sign-in', 'not-offered'] as const;

export const sourceStatus = z.object({
  id: z.string(),
  label: z.string(),
  /** What the indicator shows for this source (the worst of all sources wins). */
  state: z.enum(SYNC_STATES),
  lastSyncedAt: z.string().nullable(),
  /** Changes made here and not yet accepted by the other side. */
  waiting: z.number(),
  /** A sentence for the user when the state needs one (why offline, what is not offered). */
  message: z.string().nullable(),
  /** Sync between computers only: how many other computers write into the folder. */
  devices: z.number().optional(),
});

export const syncStatus = z.object({
  state: z.enum(SYNC_STATES),
  lastSyncedAt: z.string().nullable(),
  waiting: z.number(),
  message: z.string().nullable(),
  running: z.boolean(),
  /** When the next automatic run is due (after a failure, the backoff's), or null when none is planned. */
  nextRunAt: z.string().nullable(),
  intervalMinutes: z.number(),
  sources: z.array(sourceStatus),
  /** The cloud account's capabilities: the last result of each. */
  capabilities: z.array(capabilityView),
  /** The changes waiting to be pushed, oldest first. */
  outbox: z.array(z.object({ op: z.enum(['create', 'rename', 'revoke']), keyName: z.string(), since: z.string(), attempts: z.number(), error: z.string().nullable() })),
  /** What sync has to tell the user (a change refused, a key revoked elsewhere), newest first. */
  notices: z.array(z.object({ id: z.string(), message: z.string(), at: z.string() })),
});

const token = z.string().trim().min(10, 'That is not a session token.').max(8_000, 'That is not a session token.');

export const syncMethods = {
  'account.get': method(noArgs, accountView),
  /** `POST /api/v1/auth/login` on the cloud URL; the token goes to the keychain. */
  'account.signIn': method(args({ email: z.email().max(254), password: z.string().min(1, 'Type your password.').max(1_000), confirm: z.boolean().optional() }), linkResult),
  /** A session token from the service's own sign-in, pasted. */
  'account.useToken': method(args({ token, confirm: z.boolean().optional() }), linkResult),
  /** Forgets the session token (the keychain's copy too); what waits to be pushed stays. */
  'account.signOut': method(noArgs, accountView),
  'sync.status': method(noArgs, syncStatus),
  /** Runs a sync now (rechecking what the service did not offer); answers the status once it is done. */
  'sync.now': method(noArgs, syncStatus),
  'sync.setInterval': method(args({ minutes: z.int().min(1, 'At least every minute.').max(24 * 60, 'At most once a day.') }), syncStatus),
  /** The cloud account's calls per UTC day (as the service counts them), oldest first, for the last `days` days. */
  'usage.cloudDaily': method(args({ days: z.int().min(1).max(366) }), z.array(z.object({ date: z.string(), calls: z.number(), characters: z.number() }))),
};

export type AccountView = z.infer<typeof accountView>;
export type LinkResult = z.infer<typeof linkResult>;
export type SyncStatus = z.infer<typeof syncStatus>;
export type SourceStatus = z.infer<typeof sourceStatus>;
export type SyncState = (typeof SYNC_STATES)[number];
export type CapabilityView = z.infer<typeof capabilityView>;
