/** Sync between computers as a person sees it: the header's indicator shows the folder; a dead computer is removed. */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../src-main/services/devices/folder';
import { DEVICE_FILE, DEVICES_DIR, FORMAT, FORMAT_VERSION, ROOT_DIR, encodeFile } from '../../src-shared/sync/format';
import { expect, openScreen, createProfile, test } from './fixtures';

test('the indicator shows the sync folder: in step with how many devices, a removed computer, the folder not available', async ({ page, app, checkA11y }) => {
  const parent = mkdtempSync(join(tmpdir(), 'agent-talk-e2e-sync-'));
  const folder = join(parent, 'Sync');
  mkdirSync(folder);
  try {
    const indicator = page.getByTestId('sync-indicator');
    await createProfile(page, app);
    await openScreen(page, 'Settings');
    const panel = page.getByRole('form', { name: 'Sync between computers' });
    await panel.getByLabel('Folder (full path)').fill(folder);
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(indicator).toHaveText('In step · 1 device');

    // Another computer once wrote into the folder (it will not come back).
    const other = randomUUID();
    mkdirSync(join(folder, ROOT_DIR, DEVICES_DIR, other), { recursive: true });
    const device = { format: FORMAT, version: FORMAT_VERSION, kind: 'device', device: other, name: 'Old laptop', seq: 0, cursors: {}, written_at: new Date().toISOString() } as const;
    writeFileSync(join(folder, ROOT_DIR, DEVICES_DIR, other, DEVICE_FILE), encodeFile(device, sha256Hex));
    await panel.getByRole('button', { name: 'Sync now' }).click();
    await expect(indicator).toHaveText('In step · 2 devices');
    await expect(panel.getByRole('cell', { name: 'Old laptop', exact: true })).toBeVisible();
    await checkA11y('settings, a second computer in the folder');

    await panel.getByRole('button', { name: 'Remove Old laptop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove “Old laptop”?' });
    await expect(dialog).toContainText('stops waiting for its changes');
    await dialog.getByRole('button', { name: 'Remove computer' }).click();
    await expect(panel.getByRole('cell', { name: 'Old laptop', exact: true })).toHaveCount(0);
    await expect(indicator).toHaveText('In step · 1 device');

    // The folder's drive is unplugged.
    renameSync(folder, `${folder}-unplugged`);
    await panel.getByRole('button', { name: 'Sync now' }).click();
    await expect(indicator).toHaveText(/^Folder not available/);
    await expect(panel.getByRole('status')).toContainText('not available');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
