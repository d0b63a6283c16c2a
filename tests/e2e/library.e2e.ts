/** The Library, as a person uses it: a few real memos, then 100,000 (fixtures.ts: the browser host, a fresh profile). */
import type { Page } from '@playwright/test';
import type { MemoView } from '../../src-shared/contract';
import { createProfile, expect, openScreen, test, type App } from './fixtures';
import { RARE_WORD, coreCall, rareCount, seedLibrary, seededTitle } from './library-seed';

const memoList = (page: Page) => page.getByRole('list', { name: 'Memos, newest first' });
/** The row of the memo titled `title` (exactly). */
const row = (page: Page, title: string) => memoList(page).getByRole('listitem').filter({ has: page.getByText(title, { exact: true }) });

/** Generates a memo offline through the core, as the Studio would, and waits until it is completed. */
async function generate(app: App, keyId: string, title: string, text: string): Promise<MemoView> {
  const memo = await coreCall(app.host.core, 'memos.generate', { text, voice: 'flite:slt', title, keyId });
  await expect.poll(async () => (await coreCall(app.host.core, 'memos.get', { id: memo.id })).status, { timeout: 60_000 }).toBe('completed');
  return memo;
}

test('a small library: newest first, search, filters, rename, play, download, delete and retry', async ({ page, app, shoot, checkA11y }) => {
  await createProfile(page, app);
  await openScreen(page, 'Library');
  await expect(page.getByText('No memos yet — make one in the Studio')).toBeVisible();
  await checkA11y('empty library');
  await page.getByRole('button', { name: 'Go to the Studio' }).click();
  await expect(page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Studio' })).toHaveAttribute('aria-current', 'page');

  const { key } = await coreCall(app.host.core, 'keys.create', { name: 'Laptop' });
  await generate(app, key.id, 'Grocery list', 'Buy apples, oranges and bread for the weekend.');
  await generate(app, key.id, 'Meeting notes', 'The quarterly review moved to Thursday afternoon.');
  await generate(app, key.id, 'Birthday wishes', 'Happy birthday to my dear friend Marguerite.');

  await openScreen(page, 'Library');
  await expect(memoList(page).getByRole('listitem')).toHaveText([/^Birthday wishes/, /^Meeting notes/, /^Grocery list/]);
  await expect(page.getByText('3 memos', { exact: true })).toBeVisible();
  await expect(row(page, 'Meeting notes')).toContainText('Sally');
  await expect(row(page, 'Meeting notes')).toContainText('Completed');

  // A memo made while the Library is open appears on its own (memos.changed); cancelled, it can be retried.
  const story = await coreCall(app.host.core, 'memos.generate', {
    text: 'Once upon a time, a lighthouse keeper counted the ships that passed his island every night. '.repeat(30),
    voice: 'flite:slt',
    title: 'Long story',
    keyId: key.id,
  });
  const status = async () => (await coreCall(app.host.core, 'memos.get', { id: story.id })).status;
  // Cancelled once it runs: the cancel then stops the synthesis under way (a long text: it cannot finish first).
  await expect.poll(status).toBe('processing');
  await coreCall(app.host.core, 'memos.cancel', { id: story.id });
  await expect.poll(status).toBe('cancelled');
  await expect(memoList(page).getByRole('listitem')).toHaveText([/^Long story.*Cancelled/, /^Birthday wishes/, /^Meeting notes/, /^Grocery list/]);
  await expect(page.getByText('4 memos', { exact: true })).toBeVisible();
  await checkA11y('library');
  await shoot('20-library');

  // Search: any word of the title or the text.
  await page.getByLabel('Search memos').fill('marguerite');
  await expect(memoList(page).getByRole('listitem')).toHaveText([/^Birthday wishes/]);
  await expect(page.getByText('1 memo match', { exact: true })).toBeVisible();
  await page.getByLabel('Search memos').fill('');
  await expect(memoList(page).getByRole('listitem')).toHaveCount(4);

  await page.getByLabel('Status').selectOption('Cancelled');
  await expect(memoList(page).getByRole('listitem')).toHaveText([/^Long story/]);
  await page.getByLabel('Status').selectOption('Completed');
  await expect(memoList(page).getByRole('listitem')).toHaveText([/^Birthday wishes/, /^Meeting notes/, /^Grocery list/]);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(memoList(page).getByRole('listitem')).toHaveCount(4);

  await page.getByLabel('Voice').selectOption('Robert');
  await expect(page.getByText('No memos match these filters.')).toBeVisible();
  await page.getByLabel('Voice').selectOption('Sally');
  await expect(memoList(page).getByRole('listitem')).toHaveCount(4);
  // Dates are the user's days: everything was made today, nothing up to yesterday.
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA');
  await page.getByLabel('To', { exact: true }).fill(day(-1));
  await expect(page.getByText('No memos match these filters.')).toBeVisible();
  await page.getByLabel('To', { exact: true }).fill(day(0));
  await page.getByLabel('From', { exact: true }).fill(day(0));
  await expect(memoList(page).getByRole('listitem')).toHaveCount(4);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.getByLabel('Voice')).toHaveValue('');

  await page.getByRole('button', { name: 'Rename Grocery list' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename “Grocery list”' });
  await rename.getByLabel('New title').fill('Shopping list');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(rename).toBeHidden();
  await expect(row(page, 'Shopping list')).toBeVisible();
  await expect(row(page, 'Grocery list')).toHaveCount(0);

  // Delete asks first; Cancel keeps the memo.
  await page.getByRole('button', { name: 'Delete Shopping list' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete “Shopping list”?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(row(page, 'Shopping list')).toBeVisible();
  await page.getByRole('button', { name: 'Delete Shopping list' }).click();
  await confirm.getByRole('button', { name: 'Delete memo' }).click();
  await expect(row(page, 'Shopping list')).toHaveCount(0);
  await expect(page.getByText('“Shopping list” was deleted.')).toBeVisible();
  await expect(page.getByText('3 memos', { exact: true })).toBeVisible();

  // Play: the player, outside the screen, shows what plays.
  await page.getByRole('button', { name: 'Play Meeting notes' }).click();
  await expect(page.locator('.app > :not(main)').getByText('Meeting notes').first()).toBeVisible();

  // The browser host has no save dialog: the audio is a download of the memo's own file.
  const download = page.getByRole('link', { name: 'Download audio of Meeting notes' });
  await expect(download).toHaveAttribute('href', /^\/audio\/[0-9a-f-]{36}\.wav$/);
  const [saved] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(saved.suggestedFilename()).toBe('Meeting notes.wav');

  await page.getByRole('button', { name: 'Retry Long story' }).click();
  await expect(page.getByText('“Long story” is queued again.')).toBeVisible();
  await expect(row(page, 'Long story')).toContainText('Completed', { timeout: 60_000 });
  await expect(row(page, 'Long story').getByRole('button', { name: 'Play Long story' })).toBeVisible();

  // The keyboard: the list is one tab stop; arrows move between rows, Tab goes on into the row's buttons.
  await row(page, 'Long story').focus();
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 'Birthday wishes')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Play Birthday wishes' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.app > :not(main)').getByText('Birthday wishes').first()).toBeVisible();
});

test('a library of 100,000 memos opens, scrolls to its end and searches', async ({ page, app, shoot, checkA11y }) => {
  test.setTimeout(180_000);
  const COUNT = 100_000;
  await createProfile(page, app);
  await seedLibrary(app.host.core, COUNT);

  await openScreen(page, 'Library');
  await expect(page.getByText('100,000 memos', { exact: true })).toBeVisible();
  await expect(row(page, seededTitle(COUNT))).toBeVisible();
  await expect(row(page, seededTitle(COUNT))).toHaveAttribute('aria-posinset', '1');
  await expect(row(page, seededTitle(COUNT))).toHaveAttribute('aria-setsize', String(COUNT));
  // Only what is in view is in the page.
  expect(await memoList(page).getByRole('listitem').count()).toBeLessThan(50);
  await checkA11y('library of 100,000 memos');
  await shoot('21-library-100k');

  // End, from a row, goes to the last one: the oldest memo.
  await row(page, seededTitle(COUNT)).focus();
  await page.keyboard.press('End');
  await expect(row(page, seededTitle(1))).toBeVisible();
  await expect(row(page, seededTitle(1))).toBeFocused();
  await expect(row(page, seededTitle(1))).toHaveAttribute('aria-posinset', String(COUNT));

  await page.getByLabel('Search memos').fill(RARE_WORD);
  const found = rareCount(COUNT);
  await expect(page.getByText(`${found} memos match`, { exact: true })).toBeVisible();
  await expect(memoList(page).getByRole('listitem')).toHaveCount(found);
  await expect(memoList(page).getByRole('listitem').first()).toContainText(seededTitle(94_321));
  await expect(memoList(page).getByRole('listitem').last()).toContainText(seededTitle(4_321));
});
