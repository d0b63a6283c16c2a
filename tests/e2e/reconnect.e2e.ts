/**
 * The page loses its host (issue #9, item 4): the browser host (its command, in its own process) is killed in the
 * middle of a memo and started again on the same profile. The open page says so, comes back by itself without a
 * reload, refreshes what it shows, and the memo completes once. Opened without its token, the page says that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAgentTalkStore } from '../../src-main/db';
import { expect, test } from './fixtures';
import { exited, startHostProcess } from './host-process';

test('the page recovers by itself from a host killed mid-generation and restarted, and the memo completes once', async ({ page, shoot }) => {
  // The killed job waits for its lease to lapse (15 s) before the restarted host takes it over and makes it again.
  test.setTimeout(400_000);
  const profileDir = mkdtempSync(join(tmpdir(), 'agent-talk-reconnect-'));
  let host = await startHostProcess(profileDir);
  try {
    await page.goto(host.url);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Keys' }).click();
    await page.getByLabel('Key name').fill('Laptop');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Studio' }).click();

    const text = 'The host goes away in the middle of this memo, and comes back. '.repeat(70).trim();
    await page.getByLabel('Text', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Generate' }).click();
    const status = page.locator('.generation').getByRole('status');
    await expect(status).toHaveText(/^Generating… [1-9]\d?%$/, { timeout: 60_000 });

    host.child.kill('SIGKILL');
    await exited(host.child);
    const banner = page.getByText('Agent Talk is not answering', { exact: false });
    await expect(banner).toBeVisible();
    await shoot('connection-banner-reconnecting');

    host = await startHostProcess(profileDir);
    expect(new URL(host.url).origin).toBe(new URL(page.url()).origin); // the same port and token: the page's own
    await expect(banner).toHaveCount(0, { timeout: 60_000 });
    await expect(status).toHaveText(/^Ready \(\d+:\d\d\), in the player below\.$/, { timeout: 240_000 });
    await expect(page.getByRole('alert')).toHaveCount(0);

    // Once: one memo, completed, counted once and logged once.
    host.child.kill('SIGTERM');
    await exited(host.child);
    const store = await openAgentTalkStore({ profileDir });
    try {
      expect(store.list('memos').map((m) => m.status)).toEqual(['completed']);
      expect(store.list('rate_limits').map((r) => r.count)).toEqual([1]);
      expect(store.list('usage_logs').filter((l) => l.action === 'memo_created')).toHaveLength(1);
    } finally {
      await store.close();
    }
  } finally {
    host.child.kill('SIGKILL');
    rmSync(profileDir, { recursive: true, force: true });
  }
});

test('a page opened without its token says so; one whose host restarted with a new address says to open it', async ({ page, shoot }) => {
  const profileDir = mkdtempSync(join(tmpdir(), 'agent-talk-reconnect-'));
  let host = await startHostProcess(profileDir);
  try {
    const origin = new URL(host.url).origin;
    await page.goto(`${origin}/`);
    await expect(page.getByRole('alert')).toHaveText(/^This page was opened without its token, so it cannot reach Agent Talk\./);
    await expect(page.getByText('connection to Agent Talk was lost')).toHaveCount(0);
    await shoot('connection-banner-no-token');

    await page.goto(host.url);
    await page.getByLabel('Email').waitFor();
    host.child.kill('SIGKILL');
    await exited(host.child);
    // Started again on the same port with a new token (its remembered address forgotten).
    rmSync(join(profileDir, 'browser-host.json'));
    host = await startHostProcess(profileDir, ['--port', new URL(host.url).port]);
    await expect(page.getByRole('alert')).toHaveText(/^Agent Talk was started again with a new address\. Open the address it printed/, { timeout: 60_000 });
  } finally {
    host.child.kill('SIGKILL');
    rmSync(profileDir, { recursive: true, force: true });
  }
});
