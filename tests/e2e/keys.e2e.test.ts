/**
 * The first run and the Keys screen, as a person uses them: the built renderer in Debian's Chromium, through the
 * browser host, against the real core on a temporary profile. Screenshots go to tests/e2e/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../src-main/host/server';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { requireTools } from '../support/require-tool';

const CHROMIUM = '/usr/bin/chromium';
const root = join(import.meta.dirname, '../..');
const screenshots = join(import.meta.dirname, 'screenshots');
const KEYCHAIN_REASON = 'No keychain in this test: secrets are kept for this session only';
const LIMIT_MESSAGE = 'Your plan allows 2 active API keys; revoke one to create another.';

/** The page's global scope as these tests use it inside page.evaluate (they are compiled without the DOM library). */
interface PageGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
  document: {
    body: object;
    addEventListener(type: 'securitypolicyviolation', listener: (event: CspViolation) => void): void;
  };
  getComputedStyle(element: object): { backgroundColor: string };
  WebSocket: new (url: string) => object;
}
interface CspViolation {
  effectiveDirective: string;
  blockedURI: string;
}

describe.skipIf(!requireTools([CHROMIUM], 'e2e suite'))('the Keys journey in the browser host', () => {
  let profileDir: string;
  let host: Host | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** Console errors, page errors and CSP violations: none is expected. */
  const problems: string[] = [];

  const shoot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  const keyRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  const count = () => page.getByText(/\d+ of \d+ keys/).textContent();

  async function createKey(name: string, kind: 'Live' | 'Test' = 'Live'): Promise<string> {
    await page.getByLabel('Key name').fill(name);
    await page.getByRole('radio', { name: kind }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: `Your new key “${name}”` }).waitFor();
    return page.getByLabel('Full API key').inputValue();
  }

  beforeAll(async () => {
    // Always from the current sources: the test never runs against an older build in out/.
    const { build } = await import('electron-vite');
    await build({ root, logLevel: 'warn' });
    mkdirSync(screenshots, { recursive: true });
    profileDir = mkdtempSync(join(tmpdir(), 'agent-talk-e2e-'));
    host = await startHost({
      profileDir,
      rendererDir: join(root, 'out/renderer'),
      secrets: sessionSecretStore(KEYCHAIN_REASON),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1000, height: 720 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(host.url).origin });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('creates the profile, then keys up to the plan limit, then revokes one', async () => {
    await page.goto(host!.url);
    await page.getByRole('heading', { name: 'Set up Agent Talk on this computer' }).waitFor();
    expect(await page.getByText('kept in a local store on this computer').isVisible()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: KEYCHAIN_REASON }).isVisible()).toBe(true);
    await shoot('01-first-run');

    await page.getByLabel('Email').fill('not an email');
    await page.getByRole('button', { name: 'Create profile' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/email/i);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(await page.getByText('ada@example.com').isVisible()).toBe(true);
    expect(await count()).toBe('0 of 2 keys');

    const laptop = await createKey('Laptop');
    expect(laptop).toMatch(/^at_live_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByText('This is the only time it is shown in full').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).toBe(laptop);
    await shoot('02-new-key');

    await page.getByRole('button', { name: 'Done' }).click();
    await keyRow('Laptop').waitFor();
    expect(await page.content()).not.toContain(laptop); // shown once: gone from the page
    expect(await keyRow('Laptop').getByRole('cell').allTextContents()).toEqual([
      `at_live_***...${laptop.slice(-6)}`,
      '0',
      'Never',
      'Active',
      'Revoke',
    ]);
    await expect.poll(count).toBe('1 of 2 keys');

    const build = await createKey('Build server', 'Test');
    expect(build).toMatch(/^at_test_[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Done' }).click();
    await keyRow('Build server').waitFor();
    await expect.poll(count).toBe('2 of 2 keys');

    await page.getByLabel('Key name').fill('Spare');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('alert').filter({ hasText: LIMIT_MESSAGE }).waitFor();
    expect(await page.getByRole('alert').textContent()).not.toContain('KEY_LIMIT_REACHED');
    await shoot('03-limit-reached');

    // Escape cancels the confirmation: nothing is revoked.
    await page.getByRole('button', { name: 'Revoke Laptop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Laptop”?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await keyRow('Laptop').getByText('Active').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Revoke Laptop' }).click();
    await dialog.waitFor();
    await shoot('04-confirm-revoke');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await keyRow('Laptop').getByText('Revoked').waitFor();
    expect(await keyRow('Laptop').getByRole('button').count()).toBe(0);
    await expect.poll(count).toBe('1 of 2 keys');
    expect(await page.getByText(LIMIT_MESSAGE).count()).toBe(0); // no longer true, so no longer shown
    await shoot('05-revoked');

    // The page reconnects with the token in its address, and the profile is the same.
    await page.reload();
    await keyRow('Build server').waitFor();
    expect(await keyRow('Laptop').getByText('Revoked').isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('follows the system’s dark theme', async () => {
    const background = () =>
      page.evaluate(() => {
        const { getComputedStyle, document } = globalThis as unknown as PageGlobals;
        return getComputedStyle(document.body).backgroundColor;
      });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).not.toBe(light);
    expect(await background()).toBe('rgb(22, 24, 28)');
    await shoot('06-dark');
  });

  it('lets the page connect to its own host and nowhere else (CSP connect-src)', async () => {
    // The journey above used the page's own socket; a socket to any other port is blocked.
    const violation = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const { document, WebSocket } = globalThis as unknown as PageGlobals;
          document.addEventListener('securitypolicyviolation', (event) => resolve(`${event.effectiveDirective} ${event.blockedURI}`));
          new WebSocket('ws://127.0.0.1:9/ws');
        }),
    );
    expect(violation).toBe('connect-src ws://127.0.0.1:9/ws');
  });
});
