/** The Library's store against a real core: a library larger than a page is read a page at a time, filters, and follows changes. */
import { describe, expect, it } from 'vitest';
import { NO_CRITERIA, PAGE_SIZE, createMemosStore, memoAt } from '../../src-renderer/stores/memos';
import { seedLibrary, seededTitle } from '../e2e/library-seed';
import { liveCore, until } from './live-core';

const COUNT = 1_200; // three pages: 500, 500 and 200

async function library() {
  const live = await liveCore();
  await seedLibrary(live.core, COUNT);
  const memos = createMemosStore(live.client);
  const close = memos.getState().open();
  await until(memos, (s) => expect(s.total).toBe(COUNT));
  return { live, memos, close };
}

const titleAt = (memos: Awaited<ReturnType<typeof library>>['memos'], row: number) => memoAt(memos.getState().pages, row)?.title;

describe('memos store', () => {
  it('opens on the first page, newest first, and loads the page the user scrolls to', async () => {
    const { memos } = await library();
    expect(Object.keys(memos.getState().pages)).toEqual(['0']);
    expect(titleAt(memos, 0)).toBe(seededTitle(COUNT));
    expect(titleAt(memos, PAGE_SIZE)).toBeUndefined();

    memos.getState().show(1_150, 1_199);
    await until(memos, (s) => expect(memoAt(s.pages, 1_199)?.title).toBe(seededTitle(1)));
    expect(titleAt(memos, 1_150)).toBe(seededTitle(COUNT - 1_150));
    // Only the pages in view were asked for: the middle one was scrolled past.
    expect(Object.keys(memos.getState().pages).sort()).toEqual(['0', '2']);
  });

  it('filters by text, and shows everything again when the filter is cleared', async () => {
    const { memos } = await library();
    const listId = memos.getState().listId;
    memos.getState().setCriteria({ ...NO_CRITERIA, search: seededTitle(1_111) });
    const state = await until(memos, (s) => expect(s.total).toBe(1));
    expect(state.listId).toBeGreaterThan(listId); // the list starts again from its top
    expect(titleAt(memos, 0)).toBe(seededTitle(1_111));

    memos.getState().setCriteria(NO_CRITERIA);
    await until(memos, (s) => expect(s.total).toBe(COUNT));
  });

  it('shows a rename, a deletion and a new memo made elsewhere', async () => {
    const { live, memos } = await library();
    const newest = memoAt(memos.getState().pages, 0)!;
    await live.call('memos.rename', { id: newest.id, title: 'Renamed in the other window' });
    await until(memos, (s) => expect(memoAt(s.pages, 0)?.title).toBe('Renamed in the other window'));

    await memos.getState().remove(newest.id);
    await until(memos, (s) => expect(s.total).toBe(COUNT - 1));
    expect(titleAt(memos, 0)).toBe(seededTitle(COUNT - 1));

    const made = await live.call('memos.generate', { text: 'A memo made while the Library is open.', voice: 'flite:slt', title: 'Fresh' });
    await until(memos, (s) => expect(memoAt(s.pages, 0)?.id).toBe(made.id));
    expect(memos.getState().total).toBe(COUNT);
  });

  it('stops loading once the Library is left, and catches up when it opens again', async () => {
    const { live, memos, close } = await library();
    close();
    const newest = memoAt(memos.getState().pages, 0)!;
    const heard = new Promise((resolve) => live.client.on('memos.changed', resolve));
    await live.call('memos.delete', { id: newest.id });
    await heard;
    await live.client.call('profile.get'); // a round trip after the event: a load it started would have answered
    // A deletion while the Library is closed is not read: the rows are kept as they were.
    expect(memos.getState().total).toBe(COUNT);
    memos.getState().open();
    await until(memos, (s) => expect(s.total).toBe(COUNT - 1));
  });
});
