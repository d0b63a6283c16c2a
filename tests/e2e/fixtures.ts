/**
 * What every journey starts from: the browser host on a fresh temporary profile (session-only keychain), the
 * loopback cloud server, and a page on the app that collects console errors, page errors and CSP violations
 * (none is expected: each test fails on any). `shoot` saves a screen in light and dark; `checkA11y` runs axe.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import type { ArgsOf, MethodName, ResultOf } from '../../src-shared/contract';
import { startHost, type Host } from '../../src-main/host/server';
import { SESSION_ONLY_REASON, sessionSecretStore } from '../../src-main/services/secrets';
import { start as startCloud, type CloudServer } from '../cloud/server';

/** What the app says where no keychain answers, as on a machine without one. */
export const KEYCHAIN_REASON = SESSION_ONLY_REASON;
const root = join(import.meta.dirname, '../..');
const screenshots = join(import.meta.dirname, 'screenshots');

export interface App {
  host: Host;
  profileDir: string;
  cloud: CloudServer;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

interface Fixtures {
  app: App;
  /** Saves the page as `<name>-light.png` and `<name>-dark.png` under tests/e2e/screenshots/. */
  shoot(name: string): Promise<void>;
  /** Fails on any serious or critical axe violation on the page as it is now. */
  checkA11y(screen: string): Promise<void>;
}

/** The browser host on `profileDir` as every test has it: no keychain, the agent API on a free port. */
const startAppHost = (profileDir: string, token?: string) =>
  startHost({ profileDir, rendererDir: join(root, 'out/renderer'), secrets: sessionSecretStore(KEYCHAIN_REASON), agentApi: { port: 0 }, ...(token && { token }) });

export const test = base.extend<Fixtures>({
  app: async ({ page }, use) => {
    const profileDir = mkdtempSync(join(tmpdir(), 'agent-talk-e2e-'));
    const cloud = await startCloud();
    const host = await startAppHost(profileDir);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(host.url).origin });
    // A test may restart the host on the same profile (app.host): the one running at the end is closed.
    const app: App = { host, profileDir, cloud, problems };
    try {
      await use(app);
      expect(problems, 'console errors, page errors or CSP violations').toEqual([]);
    } finally {
      await page.close();
      await app.host.close();
      await cloud.close();
      rmSync(profileDir, { recursive: true, force: true });
    }
  },
  shoot: async ({ page }, use) => {
    mkdirSync(screenshots, { recursive: true });
    await use(async (name) => {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: join(screenshots, `${name}-${colorScheme}.png`), fullPage: true });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });
  },
  checkA11y: async ({ page }, use) => {
    await use(async (screen) => {
      const { violations } = await new AxeBuilder({ page }).analyze();
      const serious = violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(serious, `axe on the ${screen} screen`).toEqual([]);
    });
  },
});

export { expect };

/** Calls the core as the page would (to seed or inspect), failing the test on a refusal. */
export async function coreCall<M extends MethodName>(app: App, method: M, args?: ArgsOf<M>): Promise<ResultOf<M>> {
  const result = await app.host.core.handle(method, args);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.value as ResultOf<M>;
}

/**
 * Stops the host, runs `whileStopped` (e.g. to damage the profile's files), and starts it again on the same
 * profile with the same address, so the page may open it again. A page still open on the host should leave first
 * (`page.goto('about:blank')`): Chromium logs its tries to reconnect as console errors.
 */
export async function restartHost(app: App, whileStopped?: () => void | Promise<void>): Promise<void> {
  const token = new URL(app.host.url).searchParams.get('token')!;
  await app.host.close();
  await whileStopped?.();
  app.host = await startAppHost(app.profileDir, token);
}

/** First run: creates the local profile and lands on the app's first screen. */
export async function createProfile(page: Page, app: App, email = 'ada@example.com'): Promise<void> {
  await page.goto(app.host.url);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
}

/** Opens one of the screens from the navigation. */
export async function openScreen(page: Page, label: 'Studio' | 'Library' | 'Keys' | 'Usage' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: label }).click();
}
