/**
 * The Library's memos: what the user filters by, and the pages of the list loaded so far. A library may hold
 * 100,000 memos, so only pages of rows in view are asked for, a few at a time; they are kept (up to a bound) and
 * marked outdated on `memos.changed`, shown until their new version arrives, so a refresh never blanks the list.
 */
import { create } from 'zustand';
import type { MemoFilter, MemoView } from '../../src-shared/contract';
import { errorMessage, type Client } from '../client';

/** Memos per request (the contract's largest `limit`): page `n` holds rows n × PAGE_SIZE onwards. */
export const PAGE_SIZE = 500;
/** Pages kept in memory; those farthest from the rows in view go first. */
const MAX_PAGES = 40;
/** Requests under way at once: a fast scroll asks for the pages where it stops, not for every page it passed. */
const MAX_IN_FLIGHT = 2;

export type MemoStatus = MemoView['status'];

/** The Library's filters as the user sets them (dates as the date inputs hold them, `YYYY-MM-DD`; '' for none). */
export interface MemoCriteria {
  search: string;
  voice: string;
  status: MemoStatus | '';
  from: string;
  to: string;
}

export const NO_CRITERIA: MemoCriteria = { search: '', voice: '', status: '', from: '', to: '' };

export const hasCriteria = (criteria: MemoCriteria) => Object.values(criteria).some((value) => value !== '');

interface Page {
  memos: MemoView[];
  /** The refresh it was loaded in; older than the current one, it is outdated. */
  generation: number;
}

export interface MemosState {
  criteria: MemoCriteria;
  /** How many memos match the criteria; null until the first page has answered. */
  total: number | null;
  pages: Record<number, Page>;
  /** Changes whenever the list starts again from its top (new criteria): the list scrolls back up. */
  listId: number;
  error: string | null;
  /** Filters the list: the current one stays until the first page of the new one arrives. */
  setCriteria(criteria: MemoCriteria): void;
  /** Rows `first`…`last` are in view: loads the pages they need. */
  show(first: number, last: number): void;
  /** The Library opened: outdates what is kept and loads what is in view; answers the function to call on leaving. */
  open(): () => void;
  /** Outdates every page; those in view load again (every failed one too). */
  refresh(): void;
  rename(id: string, title: string): Promise<void>;
  remove(id: string): Promise<void>;
  retry(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  /** Saves the memo's audio where the user picks (a save dialog); answers the path, or null if they cancelled. */
  exportAudio(id: string): Promise<string | null>;
}

/** The start of a local day (`YYYY-MM-DD`), `days` later, as an ISO timestamp. */
function startOfDay(date: string, days = 0): string | undefined {
  const time = new Date(`${date}T00:00:00`);
  if (Number.isNaN(time.getTime())) return undefined;
  time.setDate(time.getDate() + days);
  return time.toISOString();
}

/** The contract's filter for `criteria`: `to` includes its whole day. */
export function filterOf({ search, voice, status, from, to }: MemoCriteria): MemoFilter {
  const filter: MemoFilter = {};
  if (search.trim()) filter.search = search.trim();
  if (voice) filter.voice = voice;
  if (status) filter.status = status;
  const start = startOfDay(from);
  const end = startOfDay(to, 1);
  if (start) filter.from = start;
  if (end) filter.to = end;
  return filter;
}

export const memoAt = (pages: Record<number, Page>, index: number): MemoView | undefined =>
  pages[Math.floor(index / PAGE_SIZE)]?.memos[index % PAGE_SIZE];

const pageOf = (row: number) => Math.floor(row / PAGE_SIZE);

export function createMemosStore({ call, on, onReconnect }: Client) {
  // The loading machinery. `query` numbers the criteria (an answer for older criteria is dropped), `generation`
  // the refreshes; `inFlight` and `failed` are the current query's pages.
  let query = 0;
  let shownQuery = -1;
  let generation = 0;
  let totalGeneration = -1;
  let inFlight = new Set<number>();
  let failed = new Map<number, number>();
  let wanted = { first: 0, last: 0 };
  let openCount = 0;

  /** Keeps the MAX_PAGES pages nearest the rows in view. */
  function trim(pages: Record<number, Page>): Record<number, Page> {
    const numbers = Object.keys(pages).map(Number);
    if (numbers.length <= MAX_PAGES) return pages;
    const centre = pageOf((wanted.first + wanted.last) / 2);
    const kept = numbers.sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre)).slice(0, MAX_PAGES);
    return Object.fromEntries(kept.map((n) => [n, pages[n]!]));
  }

  const useMemos = create<MemosState>()((set, get) => {
    /** Asks for the pages in view that are missing or outdated, up to MAX_IN_FLIGHT at a time. */
    function pump() {
      if (openCount === 0) return;
      const { pages } = get();
      for (let page = pageOf(wanted.first); page <= pageOf(wanted.last) && inFlight.size < MAX_IN_FLIGHT; page++) {
        const current = shownQuery === query && pages[page]?.generation === generation;
        if (!current && !inFlight.has(page) && failed.get(page) !== generation) void load(page);
      }
    }

    async function load(page: number) {
      const asked = { query, generation, inFlight };
      inFlight.add(page);
      try {
        const { memos, total } = await call('memos.list', { ...filterOf(get().criteria), limit: PAGE_SIZE, offset: page * PAGE_SIZE });
        if (asked.query !== query) return;
        const loaded = { memos, generation: asked.generation };
        if (shownQuery !== query) {
          // The first answer for new criteria replaces the list.
          shownQuery = query;
          totalGeneration = asked.generation;
          set((state) => ({ pages: { [page]: loaded }, total, listId: state.listId + 1, error: null }));
          return;
        }
        const newer = asked.generation >= totalGeneration;
        if (newer) totalGeneration = asked.generation;
        set((state) => {
          const kept = state.pages[page];
          if (kept && kept.generation > asked.generation) return {};
          return { pages: trim({ ...state.pages, [page]: loaded }), ...(newer && { total }), error: null };
        });
      } catch (error) {
        if (asked.query !== query) return;
        failed.set(page, asked.generation);
        set({ error: errorMessage(error) });
      } finally {
        asked.inFlight.delete(page);
        if (asked.query === query) pump();
      }
    }

    return {
      criteria: NO_CRITERIA,
      total: null,
      pages: {},
      listId: 0,
      error: null,
      setCriteria(criteria) {
        query++;
        generation++;
        inFlight = new Set();
        failed = new Map();
        wanted = { first: 0, last: 0 };
        set({ criteria });
        pump();
      },
      show(first, last) {
        // A list still showing older criteria scrolls over rows that are about to go.
        if (shownQuery !== query) return;
        wanted = { first, last };
        pump();
      },
      open() {
        openCount++;
        wanted = { first: 0, last: 0 }; // the list opens at its top
        get().refresh();
        return () => void openCount--;
      },
      refresh() {
        generation++;
        failed = new Map();
        pump();
      },
      async rename(id, title) {
        await call('memos.rename', { id, title });
      },
      async remove(id) {
        await call('memos.delete', { id });
      },
      async retry(id) {
        await call('memos.retry', { id });
      },
      async cancel(id) {
        await call('memos.cancel', { id });
      },
      exportAudio: async (id) => (await call('memos.export', { id })).path,
    };
  });

  on('memos.changed', () => useMemos.getState().refresh());
  onReconnect(() => useMemos.getState().refresh());
  return useMemos;
}
