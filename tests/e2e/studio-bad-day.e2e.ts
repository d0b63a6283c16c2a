/**
 * The Studio on a bad day (issue #9): text the offline voices cannot say (items 2), a failure that another try
 * cannot change (item 7), and where the focus goes after Generate (item 10). Fresh profile, no keychain.
 */
import { coreCall, createProfile, expect, openScreen, test } from './fixtures';

test('a text in Chinese is warned about before Generate; mixed text is made, and focus follows to the progress card', async ({ page, app, shoot, checkA11y }) => {
  await createProfile(page, app);
  await coreCall(app, 'keys.create', { name: 'Laptop' });
  await expect(page.getByLabel('Billed to')).toContainText('Laptop');
  const offline = page.getByRole('group', { name: 'Offline voices' });
  await expect(offline).toContainText('They speak English only');

  const text = page.getByLabel('Text', { exact: true });
  const generate = page.getByRole('button', { name: 'Generate' });
  await text.fill('你好，世界。今天我们发布桌面应用。');
  await expect(page.getByText('Sally speaks English only and can say none of this text. Write it in English, or pick a cloud voice.')).toBeVisible();
  await expect(generate).toBeDisabled();
  await checkA11y('studio with a non-English text');
  await shoot('studio-non-english-warning');

  await text.fill('Lunch with 王先生 at noon 🍜.');
  await expect(page.getByText('Sally speaks English only: the words in other scripts and the emoji will be skipped.')).toBeVisible();
  await generate.click();
  const card = page.getByRole('region', { name: 'Lunch with 王先生 at noon 🍜.' });
  await expect(card).toBeFocused();
  await expect(card).toBeInViewport();
  await expect(card.getByRole('status')).toHaveText(/^Ready \(0:0[1-9]\), in the player below\.$/, { timeout: 60_000 });
  expect((await coreCall(app, 'usage.summary')).today.used).toBe(1);
});

test('a memo refused for its key offers no Retry, and says what to change', async ({ page, app }) => {
  await createProfile(page, app);
  // The cloud voices, with a pasted cloud key the service never issued: it refuses it.
  await coreCall(app, 'settings.update', { cloudUrl: app.cloud.url });
  await coreCall(app, 'keys.addCloud', { key: `at_live_${'x'.repeat(43)}`, name: 'Pasted' });
  await page.reload();
  const rachel = page.getByRole('group', { name: 'Cloud voices' }).getByRole('radio', { name: /^Rachel/ });
  await expect(rachel).toBeEnabled();
  await rachel.check();
  await page.getByLabel('Text', { exact: true }).fill('This key is not the service’s.');
  await page.getByRole('button', { name: 'Generate' }).click();

  const card = page.getByRole('region', { name: 'This key is not the service’s.' });
  await expect(card.getByRole('status')).toContainText('Generation failed', { timeout: 60_000 });
  await expect(card.getByRole('status')).toContainText('Pick another API key in the Studio, or create one on the Keys screen');
  await expect(card.getByRole('button', { name: 'Retry' })).toHaveCount(0);

  await openScreen(page, 'Library');
  const row = page.getByRole('list', { name: 'Memos, newest first' }).getByRole('listitem').filter({ hasText: 'This key is not the service’s.' });
  await expect(row).toContainText('Pick another API key');
  await expect(row.getByRole('button', { name: /^Retry/ })).toHaveCount(0);
});
