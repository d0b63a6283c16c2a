/**
 * An agent on this computer makes a memo through the agent API while the Library is open: it appears there live
 * and plays. Settings shows the address and a curl example to copy; the Usage screen counts the call on its key.
 */
import type { Locator } from '@playwright/test';
import { coreCall, createProfile, expect, openScreen, test } from './fixtures';

interface PageGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
}
interface Media {
  currentTime: number;
}
const currentTime = (audio: Locator) => audio.evaluate((element) => (element as unknown as Media).currentTime);

test('a memo made by an agent appears in the open Library live and plays; Settings shows how to call it', async ({ page, app, shoot, checkA11y }) => {
  await createProfile(page, app);
  const { fullKey } = await coreCall(app, 'keys.create', { name: 'Coding agent' });
  const address = app.host.core.agentApi!.view().address!;
  await openScreen(page, 'Library');
  const memoList = page.getByRole('list', { name: 'Memos, newest first' });

  // The agent, another program: plain HTTP with its key.
  const answer = await fetch(`${address}/api/v1/memo`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${fullKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'Deployment finished. All forty-two checks passed.', voice: 'flite:slt' }),
  });
  expect(answer.status).toBe(201);
  const memo = (await answer.json()) as { title: string };

  const row = memoList.getByRole('listitem').filter({ hasText: memo.title });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: `Play ${memo.title}` }).click();
  const player = page.getByRole('region', { name: 'Player' });
  await expect(player.getByText(memo.title)).toBeVisible();
  await expect.poll(() => currentTime(player.locator('audio'))).toBeGreaterThan(0.3);

  await openScreen(page, 'Settings');
  const card = page.getByRole('region', { name: 'Agent API' });
  await expect(card.getByTestId('agent-api-address')).toHaveText(address);
  await expect(card.getByLabel('curl example')).toContainText(`curl -X POST ${address}/api/v1/memo`);
  await expect(card.getByLabel('curl example')).toContainText('Bearer PASTE_YOUR_KEY_HERE');
  await card.getByRole('button', { name: 'Copy example' }).click();
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).toContain(`${address}/api/v1/memo`);
  await checkA11y('Settings');
  await shoot('settings-agent-api');

  // Turned off from Settings: agents can no longer reach it.
  // The box follows the saved setting, so it turns off once the app has it (not at the click itself).
  const enabled = card.getByRole('checkbox', { name: /Let agents on this computer use the app/ });
  await enabled.click();
  await expect(enabled).not.toBeChecked();
  await expect(card.getByRole('status')).toHaveText(/Turned off/);
  await expect(fetch(`${address}/health`)).rejects.toThrow();

  await openScreen(page, 'Usage');
  const perKey = page.getByRole('region', { name: 'Calls per key' });
  await expect(perKey.getByRole('row').filter({ hasText: 'Coding agent' })).toContainText('1');
});
