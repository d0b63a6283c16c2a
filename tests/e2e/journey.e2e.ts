/**
 * Issue 5's journey, as one user story through the UI: first run, a key, a memo made, played, found and renamed,
 * the key revoked, the daily limit reached, the usage seen, and an old agent-talk database imported (fixtures.ts:
 * the browser host on a fresh profile). Only the earlier 99 calls of the day are seeded, through the core.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { writeLegacyFile } from '../support/legacy-db';
import { coreCall, createProfile, expect, openScreen, test } from './fixtures';

const PELICAN_TEXT =
  'A brown pelican landed on the harbour wall this morning. It watched the fishing boats come in, one after another, ' +
  'and waited patiently for its share of the catch. By noon it had eaten well, and it flew off low over the water.';
/** The core's refusal, its UTC reset time told in the page's own time and how far off it is. */
const DAILY_LIMIT = /^This key has used all 100 calls for today; the count resets at \S+, \S+( [AP]M)? your time \(in (\d+ h )?(\d+ min|less than a minute)?\)\.$/;

/** The page's global scope as these tests use it inside page.evaluate (they are compiled without the DOM library). */
interface PageGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
}
/** An audio element as these tests read it. */
interface Media {
  currentTime: number;
  duration: number;
}
const media = (audio: Locator) =>
  audio.evaluate((element) => {
    const { currentTime, duration } = element as unknown as Media;
    return { currentTime, duration };
  });

/** Creates a live key on the Keys screen; answers the full key, shown once. */
async function createKey(page: Page, name: string): Promise<string> {
  await page.getByLabel('Key name').fill(name);
  await page.getByRole('radio', { name: 'Live' }).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('heading', { name: `Your new key “${name}”` }).waitFor();
  return page.getByLabel('Full API key').inputValue();
}

test('the whole journey: profile, key, memo, library, revoke, daily limit, usage and import', async ({ page, app, shoot }, testInfo) => {
  const player = page.getByRole('region', { name: 'Player' });
  const audio = player.locator('audio');
  const memoList = page.getByRole('list', { name: 'Memos, newest first' });
  const keyRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  const billedTo = page.getByLabel('Billed to');
  const generate = page.getByRole('button', { name: 'Generate' });

  // 1. First run: the profile.
  await createProfile(page, app, 'ada@example.com');
  await expect(page.getByText('ada@example.com')).toBeVisible();

  // 2. A key, copied as shown.
  await openScreen(page, 'Keys');
  const laptop = await createKey(page, 'Laptop');
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied.' })).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).toBe(laptop);
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(keyRow('Laptop').getByText('Active')).toBeVisible();

  // 3. A memo in the Studio, with an offline voice: it completes, plays, and seeks.
  await openScreen(page, 'Studio');
  await page.getByLabel('Text', { exact: true }).fill(PELICAN_TEXT);
  await page.getByRole('group', { name: 'Offline voices' }).getByRole('radio', { name: /^Robert/ }).check();
  await page.getByLabel('Title (optional)').fill('Pelican notes');
  await expect(billedTo).toContainText('Laptop');
  await generate.click();
  await expect(page.getByRole('region', { name: 'Pelican notes' }).getByRole('status')).toHaveText(/^Ready \(0:\d\d\), in the player below\.$/);
  await expect(player.getByText('Pelican notes')).toBeVisible();
  const startedAt = (await media(audio)).currentTime;
  await expect.poll(async () => (await media(audio)).currentTime).toBeGreaterThan(startedAt + 0.5);
  const seekBar = player.getByRole('slider', { name: 'Seek' });
  const { duration } = await media(audio);
  const box = (await seekBar.boundingBox())!;
  await seekBar.click({ position: { x: box.width * 0.8, y: box.height / 2 } });
  await expect.poll(async () => (await media(audio)).currentTime).toBeGreaterThan(duration * 0.7);

  // 4. The Library lists it, its search finds it, and a rename shows there and in the player.
  await openScreen(page, 'Library');
  await expect(memoList.getByRole('listitem')).toHaveText([/^Pelican notes.*Robert.*Completed/]);
  const search = page.getByLabel('Search memos');
  await search.fill('albatross');
  await expect(page.getByText('No memos match these filters.')).toBeVisible();
  await search.fill('pelican');
  await expect(page.getByText('1 memo match', { exact: true })).toBeVisible();
  await expect(memoList.getByRole('listitem')).toHaveText([/^Pelican notes/]);
  await page.getByRole('button', { name: 'Rename Pelican notes' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename “Pelican notes”' });
  await rename.getByLabel('New title').fill('Harbour visitor');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(rename).toBeHidden();
  await expect(memoList.getByRole('listitem')).toHaveText([/^Harbour visitor/]);
  await expect(player.getByText('Harbour visitor')).toBeVisible();
  await search.fill('');

  // 5. The key revoked (confirmed first): the Studio keeps it chosen, and generating with it is refused, saying why.
  await openScreen(page, 'Keys');
  await page.getByRole('button', { name: 'Revoke Laptop' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke “Laptop”?' });
  await confirm.getByRole('button', { name: 'Revoke key' }).click();
  await expect(confirm).toBeHidden();
  await expect(keyRow('Laptop').getByText('Revoked')).toBeVisible();
  await openScreen(page, 'Studio');
  await expect(billedTo).toContainText('— revoked');
  await generate.click();
  await expect(page.getByRole('alert').filter({ hasText: 'That API key has been revoked.' })).toBeVisible();
  await expect(page.locator('body')).not.toContainText('REVOKED_KEY');

  // 6. A new key, used 99 times earlier today (seeded): the 100th call is made, the 101st refused until the reset.
  await openScreen(page, 'Keys');
  await createKey(page, 'Desk');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(keyRow('Desk').getByText('Active')).toBeVisible();
  const { keys } = await coreCall(app, 'keys.list');
  const desk = keys.find((key) => key.name === 'Desk')!;
  await app.host.core.services.store.insert('rate_limits', {
    user_id: app.host.core.services.accounts.require().id,
    api_key_id: desk.id,
    date: new Date().toISOString().slice(0, 10),
    count: 99,
  });
  await openScreen(page, 'Studio');
  await billedTo.selectOption({ label: (await billedTo.locator('option', { hasText: 'Desk' }).textContent())! });
  await page.getByLabel('Title (optional)').fill('The hundredth call');
  await page.getByLabel('Text', { exact: true }).fill('Pelicans again. This is the last memo this key may make today.');
  await generate.click();
  await expect(page.getByRole('region', { name: 'The hundredth call' }).getByRole('status')).toHaveText(/^Ready/);
  await page.getByLabel('Title (optional)').fill('One too many');
  await generate.click();
  await expect(page.getByRole('alert')).toHaveText(DAILY_LIMIT);
  await expect(page.locator('body')).not.toContainText('DAILY_LIMIT_EXCEEDED');

  // Usage: today's calls over both keys (Laptop's 1 and Desk's 100) against the limit per key, and the reset.
  await openScreen(page, 'Usage');
  await expect(page.getByText('101 calls today')).toBeVisible();
  await expect(page.getByText(/^Up to 100 per key · resets in .+ \((today|tomorrow) at .+ your time\)$/)).toBeVisible();

  // 7. Settings: an agent-talk database imported; its memos are then in the Library.
  await openScreen(page, 'Settings');
  mkdirSync(testInfo.outputPath(), { recursive: true });
  const [legacyFile] = writeLegacyFile(join(testInfo.outputPath(), 'agent-talk.db'), { email: 'ada@example.com', memos: 2 });
  await page.getByLabel('Database file').setInputFiles(legacyFile!);
  const report = page.getByRole('region', { name: 'Import from Agent Talk' });
  await expect(report.getByRole('heading', { name: 'Imported from agent-talk.db' })).toBeVisible();
  await expect(report).toContainText('The rows of the account ada@example.com are now this profile’s.');
  await expect(page.getByRole('table', { name: 'Rows by kind' }).getByRole('row', { name: /^Memos/ }).getByRole('cell')).toHaveText(['2', '0', '0']);
  await openScreen(page, 'Library');
  await expect(search).toHaveValue(''); // as it was left, emptied just before leaving
  await expect(page.getByText('4 memos', { exact: true })).toBeVisible();
  await expect(memoList.getByRole('listitem')).toHaveText([/^The hundredth call/, /^Harbour visitor/, /Legacy memo number 2/, /Legacy memo number 1/]);

  await shoot('00-journey-end');
});
