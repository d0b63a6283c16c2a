/**
 * The real app in Electron, driven by Playwright, where the Electron binary exists. It is not downloaded on the
 * build machines, so here this says so and skips. `require('electron')` itself would try that download, so the
 * binary's path is looked up the way the electron package does, without it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, contentSecurityPolicy } from '../../../src-main/serve/origin';
import type { AgentTalkBridge } from '../../../src-shared/contract/bridge';

const root = join(import.meta.dirname, '../../..');

function electronBinary(): string | undefined {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt'); // written by the package's install.js once the binary is in
  if (!existsSync(pathFile)) return undefined;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist');
  const executable = join(dist, readFileSync(pathFile, 'utf8'));
  return existsSync(executable) ? executable : undefined;
}

const executablePath = electronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (!executablePath) console.log('electron binary not available: skipped (needs network to download)');
else if (noDisplay) console.log('no display for Electron (DISPLAY unset): skipped (run it under xvfb-run)');

/** The page's global scope as these tests use it (they are compiled without the DOM library). */
interface PageGlobals {
  agentTalk: AgentTalkBridge;
  location: { href: string };
  open(url: string): unknown;
  require?: unknown;
  process?: unknown;
}

describe.skipIf(!executablePath || noDisplay)('the app in Electron', () => {
  let app: ElectronApplication | undefined;
  let page: Page;

  beforeAll(async () => {
    const { build } = await import('electron-vite');
    await build({ root });
    // Playwright passes --no-sandbox unless chromiumSandbox is set: the page's own sandbox (sandbox: true) stays.
    app = await _electron.launch({ executablePath, args: [root], cwd: root });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 180_000);

  afterAll(async () => {
    await app?.close();
  });

  it('shows the renderer from app://', async () => {
    expect(page.url()).toBe(APP_INDEX_URL);
    expect(await page.title()).toBe('Agent Talk');
  });

  it('gives the page window.agentTalk and nothing of Node.js or Electron', async () => {
    const seen = await page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      return {
        bridge: Object.keys(page.agentTalk).sort(),
        version: typeof page.agentTalk.version,
        require: typeof page.require,
        process: typeof page.process,
      };
    });
    expect(seen).toEqual({ bridge: ['call', 'on', 'version'], version: 'string', require: 'undefined', process: 'undefined' });
  });

  it('answers a call over IPC with an error value', async () => {
    const result = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).agentTalk.call('no.such.method', {}),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('serves app:// with the CSP header and refuses to climb out of the renderer', async () => {
    const seen = await page.evaluate(async () => {
      const index = await fetch('/index.html');
      const climb = await fetch('/..%2f..%2fpackage.json');
      return { csp: index.headers.get('content-security-policy'), climb: climb.status };
    });
    expect(seen).toEqual({ csp: contentSecurityPolicy, climb: 404 });
  });

  it('stays on the app when the page navigates away or opens a window', async () => {
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(APP_INDEX_URL);
    const opened = await page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      return page.open(page.location.href);
    });
    expect(opened).toBeNull();
    expect(app?.windows()).toHaveLength(1);
  });
});
