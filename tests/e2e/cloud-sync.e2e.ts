/** The cloud account as a person links and uses it: sign in, the account's keys, a key made while the service is down. */
import { coreCall, createProfile, expect, openScreen, test } from './fixtures';

test('sign in, see the cloud keys, create one while the service is down, and watch it sync when it is back', async ({ page, app, shoot, checkA11y }) => {
  const { user, defaultKey } = app.cloud.session.addUser('ada@example.com', 'correct horse battery', 'pro');
  const indicator = page.getByTestId('sync-indicator');
  await createProfile(page, app);
  await expect(indicator).toHaveText('Not signed in');

  await openScreen(page, 'Settings');
  await page.getByLabel('Cloud URL').fill(app.cloud.url);
  await page.getByRole('button', { name: 'Save', exact: true }).first().click();
  const panel = page.getByRole('region', { name: 'Cloud account' });
  await panel.getByRole('textbox', { name: 'Email' }).fill('ada@example.com');
  await panel.getByLabel('Password', { exact: true }).fill('wrong password');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  await expect(panel.getByRole('alert')).toHaveText('The service did not accept that email and password.');
  await panel.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  await expect(panel.getByText('Linked to ada@example.com')).toBeVisible();
  await expect(indicator).toHaveText(/^Synced/);
  await expect(page.getByText('pro', { exact: true })).toBeVisible(); // the account's plan, pulled
  await checkA11y('settings, signed in');

  await openScreen(page, 'Keys');
  const cloudTable = page.getByRole('table', { name: 'Your cloud account’s keys' });
  const row = (name: string) => cloudTable.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(row('Default Key')).toContainText(`***...${defaultKey.key.slice(-6)}`);
  await expect(row('Default Key')).toContainText('Not on this computer');

  // The service goes down: the key waits in the outbox, and the indicator says so.
  app.cloud.inject({ path: '/api/', status: 503, times: 10_000 });
  await page.getByLabel('Name for the cloud key').fill('Made offline');
  await page.getByRole('button', { name: 'Create cloud key' }).click();
  await expect(row('Made offline')).toContainText('Waiting to sync');
  await expect(indicator).toHaveText(/1 (change )?waiting/);
  await checkA11y('keys, a change waiting');
  await shoot('cloud-keys-waiting');

  // Back up: the backoff's next run pushes it; the key and the indicator follow without a click.
  app.cloud.clearFaults();
  await expect(indicator).toHaveText(/^Synced/, { timeout: 30_000 });
  await expect(row('Made offline')).not.toContainText('Waiting to sync');
  const made = app.cloud.session.keysOf(user.id).find((k) => k.name === 'Made offline');
  expect(made?.isActive).toBe(true);
  await expect(row('Made offline')).toContainText(`***...${made!.key.slice(-6)}`);
  expect((await coreCall(app, 'sync.status')).waiting).toBe(0);
  await shoot('cloud-keys-synced');
  await openScreen(page, 'Settings');
  await shoot('cloud-account-panel');
});

test('the Usage screen shows the cloud account’s calls per day beside this computer’s, and says why when it cannot', async ({ page, app, shoot, checkA11y }) => {
  const { user } = app.cloud.session.addUser('ada@example.com', 'correct horse battery', 'pro');
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const cloudUser = app.cloud.session.user(user.id)!;
  cloudUser.daily.set(day(0), { calls: 7, characters: 700 });
  cloudUser.daily.set(day(3), { calls: 5, characters: 500 });
  await createProfile(page, app);

  const chart = page.getByRole('figure', { name: 'Calls per day, last 30 days' });
  const note = page.getByTestId('cloud-usage-note');
  await openScreen(page, 'Usage');
  await expect(note).toContainText('Cloud account: not linked');
  await expect(chart.getByRole('columnheader', { name: 'Cloud account' })).toHaveCount(0);
  await checkA11y('usage, not linked');

  await coreCall(app, 'settings.update', { cloudUrl: app.cloud.url });
  await coreCall(app, 'account.signIn', { email: 'ada@example.com', password: 'correct horse battery' });
  await expect(page.getByTestId('sync-indicator')).toHaveText(/^Synced/);
  // The pulled numbers, beside this computer's (none here): in the legend and the chart's table.
  await expect(note).toHaveCount(0);
  await expect(chart.getByText('Cloud account: 12 calls')).toBeVisible();
  await expect(chart.getByText('This computer: 0 calls')).toBeVisible();
  const todayRow = chart.getByRole('table', { name: 'Calls per day' }).getByRole('row', { name: 'Today' });
  await expect(todayRow.getByRole('cell')).toHaveText(['0', '7']);
  await expect(chart.getByRole('img')).toHaveAccessibleName(/Cloud account: 12 calls\.$/);
  await checkA11y('usage, with the cloud account');
  await shoot('usage-cloud-account');

  // The service counts more; "Sync now" brings it here.
  cloudUser.daily.set(day(0), { calls: 9, characters: 900 });
  await coreCall(app, 'sync.now');
  await expect(todayRow.getByRole('cell')).toHaveText(['0', '9']);

  // Today's hosted service: every session route 501. The screen says so, with the service's reason.
  app.cloud.session.setSessionRoutes('not-implemented');
  await coreCall(app, 'sync.now');
  await expect(note).toContainText('Cloud account: daily usage is not offered by this service yet.');
  await expect(note).toContainText('Authentication not configured');
  await expect(chart.getByRole('columnheader', { name: 'Cloud account' })).toHaveCount(0);
  await checkA11y('usage, not offered by this service');
  await shoot('usage-cloud-not-offered');
});
