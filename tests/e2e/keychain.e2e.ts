/**
 * A fresh profile on a machine with a keychain (issue #9): the browser host's command started in a private D-Bus
 * session where gnome-keyring's Secret Service answers, unlocked. A key made on the first run is still whole after
 * the host is stopped and started again on the same profile (no "kept only until Agent Talk stops", no "not on
 * this computer"), and every screen passes axe. Where gnome-keyring or D-Bus is missing the file is skipped with
 * one line; under CI that is an error (`.ci/run` installs them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SECRET_SERVICE } from '../../src-main/services/secrets';
import { requireTools } from '../support/require-tool';
import { SECRET_SERVICE_TOOLS, startSecretService, type SecretService } from '../support/secret-service';
import { KEYCHAIN_REASON, expect, openScreen, test } from './fixtures';
import { startHostProcess, stopHostProcess, type RunningHost } from './host-process';

const haveKeyring = requireTools(SECRET_SERVICE_TOOLS, 'e2e keychain suite');

/** Every secret the Secret Service holds for the app, read by another program (libsecret's secret-tool). */
function secretsInKeychain(keychain: SecretService): string {
  const found = spawnSync('secret-tool', ['search', '--all', 'service', SECRET_SERVICE], { env: keychain.env, encoding: 'utf8' });
  return found.stdout + found.stderr;
}

test.describe('with a keychain', () => {
  test.skip(!haveKeyring, 'gnome-keyring, dbus or secret-tool is not installed (apt-get install dbus gnome-keyring libsecret-tools)');

  let keychain: SecretService;
  let profileDir: string;
  let host: RunningHost | null = null;

  test.beforeEach(async () => {
    keychain = await startSecretService();
    profileDir = mkdtempSync(join(tmpdir(), 'agent-talk-e2e-keychain-'));
  });

  test.afterEach(async () => {
    if (host) await stopHostProcess(host);
    host = null;
    keychain.stop();
    rmSync(profileDir, { recursive: true, force: true });
  });

  /** Console errors and page errors the page shows (none is expected). */
  function watch(page: Page): string[] {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    return problems;
  }

  test('a key made on a fresh profile keeps its full key in the keychain across a restart, and every screen passes axe', async ({ page, shoot, checkA11y }) => {
    test.setTimeout(300_000); // two starts of the host, six screens through axe
    const problems = watch(page);
    host = await startHostProcess(profileDir, [], keychain.env);
    expect(host.output()).not.toContain('Keychain:'); // the command names no keychain problem

    await page.goto(host.url);
    await expect(page.getByRole('heading', { name: 'Set up Agent Talk on this computer' })).toBeVisible();
    await expect(page.getByText(KEYCHAIN_REASON)).toHaveCount(0);
    await checkA11y('first run');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();

    await openScreen(page, 'Keys');
    await page.getByLabel('Key name').fill('Laptop');
    await page.getByRole('button', { name: 'Create key' }).click();
    const fullKey = await page.getByLabel('Full API key').inputValue();
    expect(fullKey).toMatch(/^at_live_/);
    await page.getByRole('button', { name: 'Done' }).click();
    const laptop = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Laptop', exact: true }) });
    const wholeKey = [`at_live_***...${fullKey.slice(-6)}`, '0', 'Never', 'Active', 'RenameRevoke'];
    await expect(laptop.getByRole('cell')).toHaveText(wholeKey); // no note: the full key is in the keychain
    expect(secretsInKeychain(keychain)).toContain(fullKey);

    // The page closed, the host stopped as Ctrl-C stops it and started again on the same profile and keychain.
    await page.goto('about:blank');
    await stopHostProcess(host);
    host = await startHostProcess(profileDir, [], keychain.env);
    await page.goto(host.url);
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    await expect(page.getByText(KEYCHAIN_REASON)).toHaveCount(0);

    await openScreen(page, 'Keys');
    await expect(laptop.getByRole('cell')).toHaveText(wholeKey);
    await expect(page.getByText('not on this computer')).toHaveCount(0);
    await expect(page.getByText('kept only until Agent Talk stops')).toHaveCount(0);
    expect(secretsInKeychain(keychain)).toContain(fullKey);
    await checkA11y('keys');
    await shoot('keychain-30-keys');

    await openScreen(page, 'Studio');
    await expect(page.getByRole('heading', { name: 'Studio', level: 2 })).toBeVisible();
    await checkA11y('studio');
    await openScreen(page, 'Library');
    await expect(page.getByRole('heading', { name: 'Library', level: 2 })).toBeVisible();
    await checkA11y('library');
    await openScreen(page, 'Usage');
    await expect(page.getByRole('heading', { name: 'Usage', level: 2 })).toBeVisible();
    await checkA11y('usage');
    await openScreen(page, 'Settings');
    await expect(page.getByText('API keys are stored in your system keychain.')).toBeVisible();
    await checkA11y('settings');
    await shoot('keychain-50-settings');

    expect(problems, 'console errors or page errors').toEqual([]);
  });
});
