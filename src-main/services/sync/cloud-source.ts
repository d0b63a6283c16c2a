/**
 * The cloud account as a sync source: one run pushes the outbox, then pulls each capability. A capability the
 * service does not offer (404/501) is skipped until "Sync now" or a day later; no answer stops the run for the
 * scheduler's backoff; a refused session pauses sync until the user signs in again. Public capabilities (voices,
 * plans) are pulled even when not signed in.
 */
import type { Capability, SourceStatus } from '../../../src-shared/contract/sync';
import { CloudCallError } from './cloud-call';
import type { AccountLink } from './account-link';
import { pendingCount } from './outbox';
import { pullSteps, type PullDeps } from './pull';
import { pushOutbox, recentCreates } from './push';
import type { SourceOutcome, SyncSource } from './scheduler';
import { CAPABILITY_LABELS, type CapabilityResult, type SyncStateStore } from './state';

/** A capability found not offered is asked again after this long (or on "Sync now"). */
const RECHECK_MS = 24 * 3_600_000;

export interface CloudSourceDeps extends PullDeps {
  link: AccountLink;
  state: SyncStateStore;
  userId: () => string | null;
  cloudUrl: () => string | null;
}

export function createCloudSource(deps: CloudSourceDeps): SyncSource {
  const { store, clock, link, state, userId, cloudUrl } = deps;
  const steps = pullSteps(deps);
  /** The reason the last run stopped with no answer, while it lasts. */
  let offline: string | null = null;

  const skip = (result: CapabilityResult, force: boolean) =>
    !force && result.state === 'not-offered' && result.checkedAt !== null && clock().getTime() - Date.parse(result.checkedAt) < RECHECK_MS;

  async function run({ force }: { force: boolean }): Promise<SourceOutcome> {
    const user = userId();
    const serviceUrl = cloudUrl();
    if (!user || !serviceUrl) return { ok: true };
    const token = await link.token();
    const known = state.capabilities();
    const results: Partial<Record<Capability, Omit<CapabilityResult, 'checkedAt'>>> = {};

    /** Records what this run learnt, and turns a stop into the scheduler's outcome. */
    const stop = async (error: CloudCallError, capability: Capability): Promise<SourceOutcome> => {
      if (error.kind === 'sign-in') {
        await link.refused();
        results[capability] = { state: 'failed', reason: error.message };
        await state.recordCapabilities(results);
        return { ok: false, retry: 'wait' };
      }
      offline = error.message;
      results[capability] = { state: 'failed', reason: error.message };
      await state.recordCapabilities(results);
      return { ok: false, retry: 'backoff', retryAfterMs: error.retryAfterMs };
    };

    if (token && !skip(known.keys, force)) {
      try {
        await pushOutbox(deps, token);
      } catch (error) {
        if (!(error instanceof CloudCallError)) throw error;
        if (error.kind === 'not-offered') results.keys = { state: 'not-offered', reason: error.message };
        else return stop(error, 'keys');
      }
    }

    for (const step of steps) {
      if ((step.session && !token) || results[step.capability] || skip(known[step.capability], force)) continue;
      try {
        await step.run({ userId: user, serviceUrl, token: token ?? '', created: await recentCreates(store, clock()) });
        results[step.capability] = { state: 'ok', reason: null };
      } catch (error) {
        if (!(error instanceof CloudCallError)) throw error;
        if (error.kind === 'not-offered') results[step.capability] = { state: 'not-offered', reason: error.message };
        else if (error.kind === 'refused' || error.kind === 'gone') results[step.capability] = { state: 'failed', reason: error.message };
        else return stop(error, step.capability);
      }
    }
    offline = null;
    await state.recordCapabilities(results);
    if (token) await state.setLastSyncedAt(clock().toISOString());
    return { ok: true };
  }

  function status(): SourceStatus {
    const base = { id: 'cloud', label: 'Cloud account', lastSyncedAt: state.lastSyncedAt(), waiting: pendingCount(store) };
    const linkNow = state.link();
    if (!cloudUrl() || !linkNow) return { ...base, state: 'unlinked', message: cloudUrl() ? 'Not signed in to the cloud account.' : 'No cloud URL set.' };
    if (linkNow.signInNeeded) return { ...base, state: 'sign-in', message: 'The service refused the session: sign in again to sync.' };
    if (linkNow.serviceUrl !== cloudUrl()) return { ...base, state: 'sign-in', message: 'The cloud URL changed: sign in to its account to sync.' };
    if (offline) return { ...base, state: 'offline', message: offline };
    const capabilities = state.capabilities();
    const notOffered = (['account', 'keys'] as const).filter((c) => capabilities[c].state === 'not-offered');
    if (base.waiting > 0) {
      const why = notOffered.includes('keys') ? ' (the service does not offer key changes yet)' : '';
      return { ...base, state: 'waiting', message: `${base.waiting} change${base.waiting === 1 ? '' : 's'} waiting${why}.` };
    }
    if (notOffered.length > 0) {
      return { ...base, state: 'not-offered', message: `Account sync is not offered by this service yet: ${notOffered.map((c) => CAPABILITY_LABELS[c].toLowerCase()).join(', ')}.` };
    }
    return { ...base, state: 'synced', message: null };
  }

  return { id: 'cloud', label: 'Cloud account', run, status };
}
