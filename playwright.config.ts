/**
 * The end-to-end suite (`tests/e2e/*.e2e.ts`): the built renderer in Debian's Chromium, through the browser host,
 * against the real core on a temporary profile (fixtures.ts). Where Chromium is missing the suite is skipped
 * with one line, except on CI, where that is an error.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`e2e suite: ${CHROMIUM} is missing (apt-get install chromium)`);
  console.log(`SKIP e2e suite: ${CHROMIUM} is missing (apt-get install chromium)`);
}

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: hasChromium ? '**/*.e2e.ts' : [],
  globalSetup: './tests/e2e/global-setup.ts',
  // Two cores: one browser at a time keeps the core's timing close to a user's.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: 'node_modules/.tmp/playwright',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
    },
    viewport: { width: 1100, height: 760 },
    colorScheme: 'light',
    trace: 'retain-on-failure',
  },
});
