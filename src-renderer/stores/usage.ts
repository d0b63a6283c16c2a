/**
 * The usage screen's data: today's and this month's counts against the plan, the calls per day of the last 30
 * days (this computer's, and the cloud account's as last pulled by sync), and the usage log (newest first, optionally of one action), loaded a page at a time.
 */
import { create } from 'zustand';
import type { ResultOf, UsageLogView } from '../../src-shared/contract';
import type { USAGE_ACTIONS } from '../../src-shared/schema';
import { errorMessage, type Client } from '../client';
import { loadCounter } from './loads';

export type UsageAction = (typeof USAGE_ACTIONS)[number];

export const CHART_DAYS = 30;
const PAGE = 50;

export interface UsageState {
  summary: ResultOf<'usage.summary'> | null;
  daily: ResultOf<'usage.daily'>;
  /** The cloud account's calls per day over the same days, as sync last pulled them (zeros before any pull). */
  cloudDaily: ResultOf<'usage.cloudDaily'>;
  log: UsageLogView[];
  /** The action the log shows, or null for all of them. */
  action: UsageAction | null;
  /** Whether older log entries remain to load. */
  hasMore: boolean;
  loadingMore: boolean;
  error: string | null;
  /** Loads everything again, keeping as many log entries as are shown (at least a page). */
  load(): Promise<void>;
  /** Shows the log of one action (null: all), from its newest entry. */
  filter(action: UsageAction | null): Promise<void>;
  loadMore(): Promise<void>;
  /** Loads the cloud account's days again (sync pulled them). */
  loadCloud(): Promise<void>;
  /** Loads now, and again on every `usage.changed` (the cloud's days on every `sync.status`) until the returned function is called (while the screen shows). */
  watch(): () => void;
}

/** The most entries one `usage.list` call answers (the contract's limit). */
const MAX_PER_CALL = 500;

export function createUsageStore({ call, on, onReconnect }: Client) {
  const loads = loadCounter();

  /** `limit` entries from `offset`, in as many calls as it takes, and one more: whether it came tells if more remain. */
  async function logPage(action: UsageAction | null, offset: number, limit: number) {
    const entries: UsageLogView[] = [];
    const wanted = limit + 1;
    while (entries.length < wanted) {
      const asked = Math.min(MAX_PER_CALL, wanted - entries.length);
      const batch = await call('usage.list', { ...(action && { action }), offset: offset + entries.length, limit: asked });
      entries.push(...batch);
      if (batch.length < asked) break;
    }
    return { entries: entries.slice(0, limit), hasMore: entries.length > limit };
  }

  return create<UsageState>()((set, get) => ({
    summary: null,
    daily: [],
    cloudDaily: [],
    log: [],
    action: null,
    hasMore: false,
    loadingMore: false,
    error: null,
    async load() {
      const isNewest = loads.start();
      const { action, log } = get();
      try {
        const [summary, daily, cloudDaily, page] = await Promise.all([
          call('usage.summary'),
          call('usage.daily', { days: CHART_DAYS }),
          call('usage.cloudDaily', { days: CHART_DAYS }),
          logPage(action, 0, Math.max(PAGE, log.length)),
        ]);
        if (isNewest()) set({ summary, daily, cloudDaily, log: page.entries, hasMore: page.hasMore, error: null });
      } catch (error) {
        if (isNewest()) set({ error: errorMessage(error) });
      }
    },
    async filter(action) {
      const isNewest = loads.start();
      set({ action });
      try {
        const page = await logPage(action, 0, PAGE);
        if (isNewest()) set({ log: page.entries, hasMore: page.hasMore, error: null });
      } catch (error) {
        if (isNewest()) set({ error: errorMessage(error) });
      }
    },
    async loadMore() {
      const isNewest = loads.current();
      const { action, log } = get();
      set({ loadingMore: true });
      try {
        const page = await logPage(action, log.length, PAGE);
        if (!isNewest()) return;
        // Entries logged since the last load shift the offsets: an entry may come twice, and is kept once.
        const shown = new Set(log.map((entry) => entry.id));
        set({ log: [...log, ...page.entries.filter((entry) => !shown.has(entry.id))], hasMore: page.hasMore, error: null });
      } catch (error) {
        if (isNewest()) set({ error: errorMessage(error) });
      } finally {
        set({ loadingMore: false });
      }
    },
    async loadCloud() {
      try {
        set({ cloudDaily: await call('usage.cloudDaily', { days: CHART_DAYS }) });
      } catch (error) {
        set({ error: errorMessage(error) });
      }
    },
    watch() {
      // Events come in bursts (a memo's call, then its completion): one load at a time, and one more after it.
      let loading = false;
      let again = false;
      async function refresh() {
        if (loading) {
          again = true;
          return;
        }
        loading = true;
        do {
          again = false;
          await get().load();
        } while (again);
        loading = false;
      }
      void refresh();
      const stops = [on('usage.changed', () => void refresh()), on('sync.status', () => void get().loadCloud()), onReconnect(() => void refresh())];
      return () => stops.forEach((stop) => stop());
    },
  }));
}
