/** Keys renamed on the Keys screen (issue #9, item 8), and a Studio draft that survives a reload and a restart (item 5). */
import { coreCall, createProfile, expect, openScreen, restartHost, test } from './fixtures';

test('the first run promises only what the app does, and a key is renamed on the Keys screen', async ({ page, app }) => {
  await page.goto(app.host.url);
  await expect(page.getByText('a memo’s text leaves this computer only when you set a cloud URL in Settings and pick a cloud voice')).toBeVisible();
  await expect(page.getByText(/Nothing leaves it until you connect your cloud account/)).toHaveCount(0);
  await createProfile(page, app);
  await coreCall(app, 'keys.create', { name: 'Laptop' });

  await openScreen(page, 'Keys');
  await page.getByRole('button', { name: 'Rename Laptop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Rename “Laptop”' });
  await dialog.getByLabel('New name').fill('   ');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('A key’s name can’t be empty.');
  await dialog.getByLabel('New name').fill('Desk at home');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('rowheader', { name: 'Desk at home' })).toBeVisible();
  expect((await coreCall(app, 'keys.list')).keys.map((k) => k.name)).toEqual(['Desk at home']);
});

test('the Studio draft is kept across a reload and a restart of the host', async ({ page, app }) => {
  await createProfile(page, app);
  const laptop = (await coreCall(app, 'keys.create', { name: 'Laptop' })).key;
  await coreCall(app, 'keys.create', { name: 'Desk' });
  const long = 'A long draft. '.repeat(350).trim(); // 4,900 characters
  await page.getByLabel('Title (optional)').fill('Notes for Monday');
  await page.getByLabel('Text', { exact: true }).fill(long);
  await page.getByRole('radio', { name: /^Robert/ }).check();
  await page.getByLabel('Billed to').selectOption(laptop.id);
  await expect.poll(async () => (await coreCall(app, 'settings.draft')).text).toBe(long);

  await page.reload();
  await expect(page.getByLabel('Text', { exact: true })).toHaveValue(long);
  await expect(page.getByLabel('Title (optional)')).toHaveValue('Notes for Monday');
  await expect(page.getByRole('radio', { name: /^Robert/ })).toBeChecked();
  await expect(page.getByLabel('Billed to')).toHaveValue(laptop.id);

  // The host stops and starts again on the same profile: the page opened from its new address has the draft.
  await restartHost(app);
  await page.goto(app.host.url);
  await expect(page.getByLabel('Text', { exact: true })).toHaveValue(long);
  await expect(page.getByRole('radio', { name: /^Robert/ })).toBeChecked();
  // The old page's socket and its tries to reconnect to the stopped host are logged by Chromium: expected here.
  const expected = /WebSocket connection to|Failed to load resource: net::ERR_CONNECTION_REFUSED/;
  app.problems.splice(0, app.problems.length, ...app.problems.filter((problem) => !expected.test(problem)));

  // No keychain: the keys' full keys were kept for the first run only. The banner and each key say so.
  await expect(page.getByRole('status').filter({ hasText: 'full API keys are kept only until Agent Talk stops' })).toBeVisible();
  await openScreen(page, 'Keys');
  await expect(page.getByText('Its full key is not on this computer', { exact: false })).toHaveCount(2);
  // A key revoked says nothing of its full key; a new one is kept for this run.
  const desk = (await coreCall(app, 'keys.list')).keys.find((k) => k.name === 'Desk')!;
  await coreCall(app, 'keys.revoke', { id: desk.id });
  await coreCall(app, 'keys.create', { name: 'Phone' });
  await expect(page.getByText('Its full key is not on this computer', { exact: false })).toHaveCount(1);
  await expect(page.getByText('Its full key is kept only until Agent Talk stops (no keychain).')).toHaveCount(1);
});
