/** The Usage and Settings screens, as a person uses them (fixtures.ts: the browser host on a fresh profile). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeLegacyFile } from '../support/legacy-db';
import { KEYCHAIN_REASON, coreCall, createProfile, expect, openScreen, test, type App } from './fixtures';

/** The page's global scope as these tests use it inside page.evaluate (they are compiled without the DOM library). */
interface PageGlobals {
  document: { body: object };
  getComputedStyle(element: object): { backgroundColor: string };
}

/** A call straight to the profile's core, to seed what the test needs; a refusal fails the test. */
/** Generates a memo with an offline voice and waits until its audio is made. */
async function generateMemo(app: App, text: string): Promise<void> {
  const memo = await coreCall(app, 'memos.generate', { text, voice: 'flite:slt' });
  await expect.poll(async () => (await coreCall(app, 'memos.get', { id: memo.id })).status, { timeout: 60_000 }).toBe('completed');
}

test('usage shows today’s calls against the limit, the last 30 days and the log, live', async ({ page, app, shoot, checkA11y }) => {
  await createProfile(page, app);
  await coreCall(app, 'keys.create', { name: 'Laptop' });
  await generateMemo(app, 'The first memo of the day.');
  await generateMemo(app, 'And a second one.');

  await openScreen(page, 'Usage');
  await expect(page.getByRole('heading', { name: 'Usage', level: 2 })).toBeVisible();
  await expect(page.getByText('2 calls today')).toBeVisible();
  await expect(page.getByText(/^Up to 100 per key · resets in (less than a minute|\d+ (h|min)[\w ]*) \((today|tomorrow) at .+ your time\)$/)).toBeVisible();
  const month = page.getByRole('meter', { name: '2 of 3,000 calls' });
  await expect(month).toBeVisible();
  await expect(month).toHaveAttribute('value', '2');

  // Today's bar is the last, and the tallest; its tooltip and the chart's table say 2.
  const chart = page.getByRole('figure', { name: 'Calls per day, last 30 days' });
  const todayBar = chart.locator('rect').last();
  await expect(todayBar.locator('title')).toHaveText('Today: 2 calls');
  expect((await todayBar.boundingBox())?.height).toBeGreaterThan(100);
  await expect(chart.getByRole('img')).toHaveAccessibleName('2 calls in the last 30 days; the most today, with 2.');
  await expect(chart.getByRole('table', { name: 'Calls per day' }).getByRole('row', { name: 'Today' }).getByRole('cell')).toHaveText('2');

  const log = page.getByRole('table', { name: 'Usage log, newest first' });
  const actions = log.locator('tbody td:nth-child(2)');
  await expect(actions).toHaveText(['Memo created', 'Key used', 'Memo created', 'Key used', 'Key created', 'Profile created']);
  await expect(log.getByRole('row').filter({ hasText: 'Memo created' }).first()).toContainText('Laptop');
  await expect(log.getByRole('row').filter({ hasText: 'Memo created' }).first()).toContainText('flite:slt');
  await checkA11y('usage');
  await shoot('30-usage');

  const show = page.getByLabel('Show');
  await show.selectOption({ label: 'Memo created' });
  await expect(actions).toHaveText(['Memo created', 'Memo created']);
  await show.selectOption({ label: 'Key created' });
  await expect(actions).toHaveText(['Key created']);
  await show.selectOption({ label: 'Memo failed' });
  await expect(page.getByText('No “Memo failed” entries yet.')).toBeVisible();
  await show.selectOption({ label: 'All actions' });
  await expect(actions).toHaveCount(6);

  // A new call shows at once, on every part of the screen.
  await generateMemo(app, 'One more, while the screen is open.');
  await expect(page.getByText('3 calls today')).toBeVisible();
  await expect(todayBar.locator('title')).toHaveText('Today: 3 calls');
  await expect(actions).toHaveCount(8);

  // A long log comes a page at a time, newest first; the filter pages too.
  const profile = (await coreCall(app, 'profile.get', undefined))!;
  await app.host.core.services.store.transaction((tx) => {
    for (let i = 0; i < 60; i++) {
      const createdAt = new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString();
      tx.insert('usage_logs', { user_id: profile.id, action: 'user_login', metadata: {}, created_at: createdAt });
    }
  });
  await expect(page.getByText('Showing 50 entries, newest first.')).toBeVisible();
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(page.getByText('Showing 68 entries, newest first.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load more' })).toBeHidden();
  await expect(actions.last()).toHaveText('Signed in');
  await show.selectOption({ label: 'Signed in' });
  await expect(actions).toHaveCount(50);
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(actions).toHaveCount(60);
  await expect(page.getByText('Showing 60 “Signed in” entries, newest first.')).toBeVisible();
});

test('settings show the profile folder and the keychain, keep the cloud URL and switch the theme', async ({ page, app, shoot, checkA11y }) => {
  const background = () =>
    page.evaluate(() => {
      const { getComputedStyle, document } = globalThis as unknown as PageGlobals;
      return getComputedStyle(document.body).backgroundColor;
    });
  await createProfile(page, app);
  await openScreen(page, 'Settings');
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  await expect(page.getByText(app.profileDir, { exact: true })).toBeVisible();
  const keychain = page.getByRole('region', { name: 'Keychain' });
  await expect(keychain).toContainText('No system keychain.');
  await expect(keychain).toContainText(KEYCHAIN_REASON);

  const cloudUrl = page.getByLabel('Cloud URL');
  // Settings has a Save in every card: this one is the Cloud form's.
  const saveCloudUrl = () => page.getByRole('form', { name: 'Cloud' }).getByRole('button', { name: 'Save' }).click();
  await cloudUrl.fill('agent-talk.example.com');
  await saveCloudUrl();
  await expect(page.getByRole('alert')).toContainText('The cloud URL must be an https:// address');
  await expect(cloudUrl).toHaveAttribute('aria-invalid', 'true');
  await page.reload();
  await openScreen(page, 'Settings');
  await expect(page.getByLabel('Cloud URL')).toHaveValue(''); // nothing was kept

  await page.getByLabel('Cloud URL').fill(`${app.cloud.url}/`);
  await saveCloudUrl();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByLabel('Cloud URL')).toHaveValue(app.cloud.url); // as the core keeps it
  await page.reload();
  await openScreen(page, 'Settings');
  await expect(page.getByLabel('Cloud URL')).toHaveValue(app.cloud.url);
  await checkA11y('settings');
  await shoot('31-settings');

  // The system says light; the app's own choice wins, and outlives a reload.
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await background()).toBe('rgb(255, 255, 255)');
  await page.getByRole('radio', { name: 'Dark' }).check();
  await expect.poll(background).toBe('rgb(22, 24, 28)');
  await page.reload();
  await expect.poll(background).toBe('rgb(22, 24, 28)');
  await openScreen(page, 'Settings');
  await expect(page.getByRole('radio', { name: 'Dark' })).toBeChecked();
  await page.getByRole('radio', { name: 'System' }).check();
  await expect.poll(background).toBe('rgb(255, 255, 255)');

  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Cloud URL cleared' })).toBeVisible();
  await expect(page.getByLabel('Cloud URL')).toHaveValue('');
});

test('settings import an agent-talk database: the profile’s account, with a report', async ({ page, app, shoot, checkA11y }, testInfo) => {
  const dir = testInfo.outputPath();
  mkdirSync(join(dir, 'running'), { recursive: true });
  // The same rows twice: still in the -wal file of a running service, and folded into a closed database.
  const running = writeLegacyFile(join(dir, 'running', 'agent-talk.db'), { email: 'ada@example.com', memos: 2, wal: true });
  const [closed] = writeLegacyFile(join(dir, 'agent-talk.db'), { email: 'ada@example.com', memos: 2 });
  await createProfile(page, app, 'ada@example.com');
  await openScreen(page, 'Settings');

  const input = page.getByLabel('Database file');
  const report = page.getByRole('region', { name: 'Import from Agent Talk' });
  const reportTitle = report.getByRole('heading', { name: 'Imported from agent-talk.db' });
  const memosRow = page.getByRole('table', { name: 'Rows by kind' }).getByRole('row', { name: /^Memos/ });
  await input.setInputFiles(running);
  await expect(reportTitle).toBeVisible();
  await expect(report).toContainText('The rows of the account ada@example.com are now this profile’s.');
  await expect(report).toContainText('2 rows of other accounts in the file were left out.');
  await expect(memosRow.getByRole('cell')).toHaveText(['2', '0', '0']);
  await checkA11y('import report');
  await shoot('32-import-report');

  await input.setInputFiles(closed!);
  await expect(memosRow.getByRole('cell')).toHaveText(['0', '2', '0']); // already here

  await input.setInputFiles({ name: 'notes.db', mimeType: 'application/octet-stream', buffer: Buffer.from('Shopping list: milk, eggs.') });
  await expect(page.getByRole('alert')).toHaveText('notes.db is not an SQLite database');
  await expect(reportTitle).toBeHidden();

  const junk = (name: string) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(name) });
  await input.setInputFiles([junk('a.db'), junk('b.db')]);
  await expect(page.getByRole('alert')).toHaveText('Choose one database file, and its -wal file if it has one.');
});
