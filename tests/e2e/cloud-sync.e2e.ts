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
