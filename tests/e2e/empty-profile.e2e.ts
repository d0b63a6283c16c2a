/**
 * A new user's first minutes (issue #9): a fresh profile with no calls, no memos and no keys, on the browser host
 * with no keychain (fixtures.ts). Every screen shows its empty state, passes axe, and nothing blanks the window.
 */
import { createProfile, expect, openScreen, test } from './fixtures';

test('every screen of a fresh profile shows its empty state, and Usage does not take the window down', async ({ page, app, shoot, checkA11y }) => {
  test.setTimeout(300_000); // six screens, each through axe and photographed twice
  await page.goto(app.host.url);
  await expect(page.getByRole('heading', { name: 'Set up Agent Talk on this computer' })).toBeVisible();
  await checkA11y('first run');
  await shoot('empty-00-first-run');
  await createProfile(page, app);

  await expect(page.getByRole('heading', { name: 'Studio', level: 2 })).toBeVisible();
  await checkA11y('studio');
  await shoot('empty-10-studio');

  await openScreen(page, 'Library');
  await expect(page.getByRole('heading', { name: 'Library', level: 2 })).toBeVisible();
  await checkA11y('library');
  await shoot('empty-20-library');

  await openScreen(page, 'Keys');
  await expect(page.getByRole('heading', { name: 'Keys', level: 2 })).toBeVisible();
  await checkA11y('keys');
  await shoot('empty-30-keys');

  // A profile with no call in the last 30 days: the chart says so rather than failing.
  await openScreen(page, 'Usage');
  const chart = page.getByRole('figure', { name: 'Calls per day, last 30 days' });
  await expect(chart.getByRole('img')).toHaveAccessibleName('No calls in the last 30 days.');
  await expect(page.getByText('0 calls today')).toBeVisible();
  await checkA11y('usage');
  await shoot('empty-40-usage');

  await openScreen(page, 'Settings');
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  await checkA11y('settings');
  await shoot('empty-50-settings');

  // Back to Usage and on to the Studio: the app is still whole.
  await openScreen(page, 'Usage');
  await expect(chart).toBeVisible();
  await openScreen(page, 'Studio');
  await expect(page.getByRole('heading', { name: 'Studio', level: 2 })).toBeVisible();
});
