/** The first run and the Keys screen, as a person uses them (fixtures.ts: the browser host on a fresh profile). */
import { KEYCHAIN_REASON, expect, openScreen, test } from './fixtures';

const LIMIT_MESSAGE = 'Your plan allows 2 active API keys; revoke one to create another.';

/** The page's global scope as these tests use it inside page.evaluate (they are compiled without the DOM library). */
interface PageGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
  document: { body: object; addEventListener(type: 'securitypolicyviolation', listener: (event: CspViolation) => void): void };
  getComputedStyle(element: object): { backgroundColor: string };
  WebSocket: new (url: string) => object;
}
interface CspViolation {
  effectiveDirective: string;
  blockedURI: string;
}

test('first run creates the profile, then keys up to the plan limit, then one is revoked', async ({ page, app, shoot, checkA11y }) => {
  const keyRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  const count = page.getByText(/\d+ of \d+ keys/);
  async function createKey(name: string, kind: 'Live' | 'Test' = 'Live'): Promise<string> {
    await page.getByLabel('Key name').fill(name);
    await page.getByRole('radio', { name: kind }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: `Your new key “${name}”` }).waitFor();
    return page.getByLabel('Full API key').inputValue();
  }

  await page.goto(app.host.url);
  await expect(page.getByRole('heading', { name: 'Set up Agent Talk on this computer' })).toBeVisible();
  await expect(page.getByText('kept in a local store on this computer')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: KEYCHAIN_REASON })).toBeVisible();
  await checkA11y('first run');
  await shoot('01-first-run');

  await page.getByLabel('Email').fill('not an email');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByRole('alert')).toHaveText(/email/i);
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(page.getByText('ada@example.com')).toBeVisible();
  await openScreen(page, 'Keys');
  await expect(count).toHaveText('0 of 2 keys');
  await checkA11y('keys');

  const laptop = await createKey('Laptop');
  expect(laptop).toMatch(/^at_live_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByText('This is the only time it is shown in full')).toBeVisible();
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied.' })).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).toBe(laptop);
  await shoot('02-new-key');

  await page.getByRole('button', { name: 'Done' }).click();
  await keyRow('Laptop').waitFor();
  expect(await page.content()).not.toContain(laptop); // shown once: gone from the page
  await expect(keyRow('Laptop').getByRole('cell')).toHaveText([`at_live_***...${laptop.slice(-6)}`, '0', 'Never', 'ActiveIts full key is kept only until Agent Talk stops (no keychain).', 'RenameRevoke']);
  await expect(count).toHaveText('1 of 2 keys');

  const build = await createKey('Build server', 'Test');
  expect(build).toMatch(/^at_test_[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: 'Done' }).click();
  await keyRow('Build server').waitFor();
  await expect(count).toHaveText('2 of 2 keys');

  await page.getByLabel('Key name').fill('Spare');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('alert').filter({ hasText: LIMIT_MESSAGE })).toBeVisible();
  await expect(page.getByRole('alert')).not.toContainText('KEY_LIMIT_REACHED');
  await shoot('03-keys-limit-reached');

  // Escape cancels the confirmation: nothing is revoked.
  await page.getByRole('button', { name: 'Revoke Laptop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke “Laptop”?' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(keyRow('Laptop').getByText('Active')).toBeVisible();

  await page.getByRole('button', { name: 'Revoke Laptop' }).click();
  await expect(dialog).toBeVisible();
  await checkA11y('revoke confirmation');
  await shoot('04-keys-confirm-revoke');
  await dialog.getByRole('button', { name: 'Revoke key' }).click();
  await expect(dialog).toBeHidden();
  await expect(keyRow('Laptop').getByText('Revoked')).toBeVisible();
  await expect(keyRow('Laptop').getByRole('button')).toHaveText(['Rename']); // a revoked key can be renamed, not revoked again
  await expect(count).toHaveText('1 of 2 keys');
  await expect(page.getByText(LIMIT_MESSAGE)).toHaveCount(0); // no longer true, so no longer shown

  // The page reconnects with the token in its address, and the profile is the same.
  await page.reload();
  await openScreen(page, 'Keys');
  await keyRow('Build server').waitFor();
  await expect(keyRow('Laptop').getByText('Revoked')).toBeVisible();
});

test('follows the system’s dark theme', async ({ page, app }) => {
  await page.goto(app.host.url);
  const background = () =>
    page.evaluate(() => {
      const { getComputedStyle, document } = globalThis as unknown as PageGlobals;
      return getComputedStyle(document.body).backgroundColor;
    });
  await expect(page.getByRole('heading', { name: 'Set up Agent Talk on this computer' })).toBeVisible();
  expect(await background()).toBe('rgb(255, 255, 255)');
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await background()).toBe('rgb(22, 24, 28)');
});

test('lets the page connect to its own host and nowhere else (CSP connect-src)', async ({ page, app }) => {
  await page.goto(app.host.url);
  await expect(page.getByRole('heading', { name: 'Set up Agent Talk on this computer' })).toBeVisible();
  const violation = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const { document, WebSocket } = globalThis as unknown as PageGlobals;
        document.addEventListener('securitypolicyviolation', (event) => resolve(`${event.effectiveDirective} ${event.blockedURI}`));
        new WebSocket('ws://127.0.0.1:9/ws');
      }),
  );
  expect(violation).toBe('connect-src ws://127.0.0.1:9/ws');
  // The blocked socket is reported on the console; that one is expected here.
  app.problems.splice(0, app.problems.length, ...app.problems.filter((p) => !p.includes('ws://127.0.0.1:9/ws')));
});
