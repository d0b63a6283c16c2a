/**
 * Pushing the outbox to the service, oldest change first, each step safe to repeat:
 * - create: sent with a name no one else can choose (`sentNameOf`: made of its outbox entry's id), marked sent
 *   before the request goes out; the full key from the answer goes to the keychain before the row records it, then
 *   a rename gives the key the user's name. A create found marked sent (its answer lost: a dropped connection, a
 *   timeout, a crash) has its key looked up by the name sent: whatever live key carries it is that request's, and is
 *   revoked, and the key created again, so one request never leaves two live keys, and a key another computer made
 *   meanwhile, whatever its name, is never taken for it.
 * - rename: PATCH; the answer says whether the key is still active: a key revoked on the service stays revoked.
 * - revoke: repeatable on the service; a key already gone there is done too.
 * A finished create stays a while (`done`), so a copy of its request applied late is found and revoked (pull.ts).
 * A change the service refuses is marked failed and told to the user; sync goes on with the next. No answer, a
 * refused session or a route not offered stops the push: everything after it waits, in order.
 */
import type { ApiKey, CloudOutboxEntry } from '../../../src-shared/schema';
import type { AgentTalkStore } from '../../db';
import { hashKey, secretAccount } from '../keys';
import type { SecretStore } from '../secrets';
import { Done, KeyAnswer, KeyCreated, KeyList, type CloudKeyRow } from './answers';
import { CloudCallError, type CloudCaller } from './cloud-call';
import { pendingEntries, type CreatePayload } from './outbox';
import { addNotice } from './state';

export interface PushDeps {
  store: AgentTalkStore;
  secrets: SecretStore;
  caller: CloudCaller;
  clock: () => Date;
}

/** A create made lately: the name it was sent with and its key (and, from older versions, the ids of keys of that name before it), for the duplicate sweep. */
export interface CreatedKey {
  name: string;
  cloudId: string;
  before: string[];
}

const SENT_NAME_PREFIX = 'Agent Talk Desktop, being created ';
/** The name a create is sent with: unique to its outbox entry, so a key with it can only be that request's. */
export const sentNameOf = (entryId: string) => `${SENT_NAME_PREFIX}${entryId}`;
/** Whether a key's name on the service is a create's while it is being named (this computer's or another's). */
export const isSentName = (name: string) => name.startsWith(SENT_NAME_PREFIX);

export interface PushResult {
  pushed: number;
}

/** How long a finished create is kept to catch a late or second copy of its request. */
export const SWEEP_WINDOW_MS = 15 * 60_000;

/** The creates finished within the sweep window (older ones are removed). */
export async function recentCreates(store: AgentTalkStore, now: Date): Promise<CreatedKey[]> {
  const since = new Date(now.getTime() - SWEEP_WINDOW_MS).toISOString();
  const done = store.query('cloud_outbox', { status: 'done' });
  const old = done.filter((e) => (e.updated_at ?? '') < since);
  if (old.length > 0) await store.transaction((tx) => old.forEach((e) => tx.delete('cloud_outbox', e.id)));
  return done
    .filter((e) => (e.updated_at ?? '') >= since)
    .map((e) => {
      const payload = e.payload as CreatePayload & { createdId: string };
      return { name: payload.sentName ?? payload.name, cloudId: payload.createdId, before: payload.before ?? [] };
    });
}

/** How many pending entries are read at a time. */
const BATCH = 200;

const keyPath = (cloudId: string) => `/api/keys/${encodeURIComponent(cloudId)}`;

export async function pushOutbox({ store, secrets, caller, clock }: PushDeps, token: string): Promise<PushResult> {
  const result: PushResult = { pushed: 0 };
  // The service's key list, read at most once per run (and kept up to date by this run's own creates).
  let listing: CloudKeyRow[] | null = null;
  const list = async (): Promise<CloudKeyRow[]> => (listing ??= (await caller.call({ method: 'GET', path: '/api/keys', token }, KeyList)).keys);

  const finish = (entry: CloudOutboxEntry, apply?: Parameters<AgentTalkStore['transaction']>[0]) =>
    store.transaction((tx) => {
      apply?.(tx);
      if (tx.get('cloud_outbox', entry.id)) tx.delete('cloud_outbox', entry.id);
    });

  async function refuse(entry: CloudOutboxEntry, key: ApiKey | undefined, error: CloudCallError): Promise<void> {
    const at = clock().toISOString();
    const name = key?.name ?? 'a key';
    await store.transaction((tx) => {
      if (entry.op === 'create' && key) {
        // The key never existed on the service: it goes here too (with its later changes), and the user is told.
        tx.delete('api_keys', key.id);
        addNotice(tx, `The service refused to create the cloud key “${name}”: ${error.message}`, at);
        return;
      }
      tx.update('cloud_outbox', entry.id, { status: 'failed', error: error.message, attempts: entry.attempts + 1 });
      addNotice(tx, `The service refused to ${entry.op} the cloud key “${name}”: ${error.message}`, at);
    });
  }

  const tell = (message: string) => store.transaction((tx) => addNotice(tx, message, clock().toISOString()));

  async function create(entry: CloudOutboxEntry, key: ApiKey): Promise<void> {
    let payload = entry.payload as CreatePayload;
    // An entry sent by an older version, with the user's name, keeps it (and its snapshot of that name's keys, `before`).
    const sentName = payload.sentName ?? (entry.sent_at ? payload.name : sentNameOf(entry.id));
    if (!payload.createdId) {
      if (entry.sent_at) {
        // The answer to an earlier try was lost: a live key with the name sent, unknown here, is that request's.
        const known = new Set(store.query('api_keys', { service_url: key.service_url }).map((k) => k.cloud_id));
        for (const orphan of (await list()).filter((k) => k.isActive && k.name === sentName && !payload.before?.includes(k.id) && !known.has(k.id))) {
          await caller.call({ method: 'POST', path: `${keyPath(orphan.id)}/revoke`, token, resource: true }, Done).catch((error: unknown) => {
            if (!(error instanceof CloudCallError && error.kind === 'gone')) throw error;
          });
          orphan.isActive = false;
        }
      }
      payload = { ...payload, sentName };
      await store.update('cloud_outbox', entry.id, { sent_at: clock().toISOString(), payload, attempts: entry.attempts + 1 });
      const { key: made } = await caller.call({ method: 'POST', path: '/api/keys', token, body: { name: sentName, ...(payload.test && { test: true }) } }, KeyCreated);
      // The keychain first: a crash after it is a lost answer (the key is found and revoked), never a live key nobody holds.
      await secrets.set(secretAccount(key.id), made.key);
      payload = { ...payload, createdId: made.id };
      await store.transaction((tx) => {
        tx.update('cloud_outbox', entry.id, { payload });
        tx.update('api_keys', key.id, {
          cloud_id: made.id,
          prefix: made.prefix,
          key_hash: hashKey(made.key),
          key_suffix: made.key.slice(-6),
          ...(made.createdAt && { created_at: made.createdAt }),
        });
      });
      listing?.push({ id: made.id, prefix: made.prefix, maskedKey: `${made.prefix}***...${made.key.slice(-6)}`, name: sentName, isActive: true });
    }
    if (sentName !== payload.name) {
      // Made: now its name. Later renames are later entries, so this is the name the key was created with.
      try {
        await caller.call({ method: 'PATCH', path: keyPath(payload.createdId!), token, body: { name: payload.name }, resource: true }, KeyAnswer);
      } catch (error) {
        if (!(error instanceof CloudCallError && error.kind === 'refused')) throw error;
        await tell(`The service made the cloud key “${payload.name}” but refused its name: ${error.message}`);
      }
    }
    // Kept a while as done: a copy of this request applied late (a timeout, a second delivery) is found by it and revoked.
    await store.transaction((tx) => {
      tx.update('cloud_outbox', entry.id, { status: 'done' });
      // The key no longer waits: its row's update tells the Keys screen (keys.changed).
      if (tx.get('api_keys', key.id)) tx.update('api_keys', key.id, {});
    });
  }

  async function rename(entry: CloudOutboxEntry, key: ApiKey): Promise<void> {
    const name = (entry.payload as { name: string }).name;
    const { key: answer } = await caller.call({ method: 'PATCH', path: keyPath(key.cloud_id!), token, body: { name }, resource: true }, KeyAnswer);
    await finish(entry, (tx) => {
      const current = tx.get('api_keys', key.id);
      if (!answer.isActive && current?.is_active !== false) {
        tx.update('api_keys', key.id, { is_active: false });
        addNotice(tx, `The cloud key “${name}” was revoked on the service (or on another computer): it stays revoked, with its new name.`, clock().toISOString());
      }
    });
  }

  async function revoke(entry: CloudOutboxEntry, key: ApiKey): Promise<void> {
    await caller.call({ method: 'POST', path: `${keyPath(key.cloud_id!)}/revoke`, token, resource: true }, Done);
    await finish(entry);
  }

  for (;;) {
    const batch = pendingEntries(store, BATCH);
    if (batch.length === 0) return result;
    for (const entry of batch) {
      const key = store.get('api_keys', entry.key_id);
      // A change to a key the service never got (its create refused) has nothing left to do.
      if (!key || (entry.op !== 'create' && !key.cloud_id)) {
        await finish(entry);
        continue;
      }
      try {
        if (entry.op === 'create') await create(entry, key);
        else if (entry.op === 'rename') await rename(entry, key);
        else await revoke(entry, key);
        result.pushed++;
      } catch (error) {
        if (!(error instanceof CloudCallError)) throw error;
        if (error.kind === 'gone') {
          // Deleted on the service: nothing to rename or revoke there; it is not active here either.
          await finish(entry, (tx) => {
            if (tx.get('api_keys', key.id)?.is_active !== false) tx.update('api_keys', key.id, { is_active: false });
            addNotice(tx, `The cloud key “${key.name ?? ''}” no longer exists on the service.`, clock().toISOString());
          });
        } else if (error.kind === 'refused') await refuse(entry, key, error);
        else {
          if (entry.op !== 'create') await store.update('cloud_outbox', entry.id, { attempts: entry.attempts + 1, error: error.message });
          throw error;
        }
      }
    }
  }
}
