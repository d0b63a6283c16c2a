/**
 * A store that cannot open (issue #12): the profile's store.mdb damaged or missing while the host was stopped. The
 * page opens to the start-up page, which says what is wrong and offers its ways back (restore the newest backup,
 * repair the indexes where only they are wrong, start afresh), and each way does what it says. Before that, the
 * Settings card "Store and backups" checks the store and makes a backup the user sees listed.
 */
import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import type { Page } from '@playwright/test';
import { storePath } from '../../src-main/db';
import { indexDbName, tableDbName } from '../../src-main/db/schema';
import { OPEN_CHECK_LIMIT } from '../../src-main/services/profile-store';
import { coreCall, createProfile, expect, openScreen, restartHost, test, type App } from './fixtures';
import { seedLibrary, seededTitle } from './library-seed';

const MEMOS = 3;

/** A profile with MEMOS memos, backed up from Settings' "Store and backups" card (checked healthy first). */
async function profileBackedUp(page: Page, app: App): Promise<void> {
  await createProfile(page, app);
  await seedLibrary(app.host.core, MEMOS);
  await openScreen(page, 'Settings');
  const card = page.getByRole('region', { name: 'Store and backups' });
  await card.getByRole('button', { name: 'Check the store now' }).click();
  await expect(card.getByRole('status')).toHaveText('The store is healthy: every row, index and reference checks out.');
  const backups = card.getByRole('list', { name: 'Backups' }).getByRole('listitem');
  const before = await backups.count();
  await card.getByRole('button', { name: 'Back up now' }).click();
  await expect(backups).toHaveCount(before + 1);
  await expect(backups.first().getByRole('button', { name: /^Restore the backup of / })).toBeVisible();
}

/** Stops the host, damages the profile with `damage` and starts it again; the page opens it afresh. */
async function reopenDamaged(page: Page, app: App, damage: (profileDir: string) => void): Promise<void> {
  await page.goto('about:blank');
  await restartHost(app, () => damage(app.profileDir));
  await page.goto(app.host.url);
}

/** axe on the page as it is, in the light and the dark theme. */
async function checkBothThemes(page: Page, checkA11y: (screen: string) => Promise<void>, screen: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await checkA11y(`${screen} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function expectMemosBack(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  await openScreen(page, 'Library');
  for (let n = 1; n <= MEMOS; n++) await expect(page.getByText(seededTitle(n), { exact: true })).toBeVisible();
}

test('a store cut short opens to the start-up page; restoring the newest backup brings the memos back', async ({ page, app, shoot, checkA11y }) => {
  test.setTimeout(200_000);
  await profileBackedUp(page, app);
  await checkBothThemes(page, checkA11y, 'settings, after a check and a backup');
  await shoot('store-10-settings-backups');

  await reopenDamaged(page, app, (profileDir) => truncateSync(storePath(profileDir), Math.floor(statSync(storePath(profileDir)).size / 2)));
  await expect(page.getByRole('heading', { name: 'Your profile’s store is damaged' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('cut short');
  await expect(page.getByText(app.profileDir, { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Restore the newest backup' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start with an empty profile' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Repair the indexes/ })).toHaveCount(0); // the rows are gone too
  await expect(page.getByRole('navigation', { name: 'Screens' })).toHaveCount(0);
  await checkBothThemes(page, checkA11y, 'start-up page (damaged)');
  await shoot('startup-10-damaged');

  await page.getByRole('button', { name: 'Restore the newest backup' }).click();
  await expectMemosBack(page);
  expect(readdirSync(join(app.profileDir, 'damaged'))).toHaveLength(1); // the damaged file is kept, not deleted
});

test('a store with a damaged index opens to the start-up page; repairing the indexes keeps every memo', async ({ page, app, shoot, checkA11y }) => {
  test.setTimeout(200_000);
  await createProfile(page, app);
  await seedLibrary(app.host.core, MEMOS);

  // One memo's entry removed from an index of the library, the rows untouched.
  await reopenDamaged(page, app, (profileDir) => {
    const env = open({ path: storePath(profileDir), maxDbs: 512 });
    try {
      const index = env.openDB({ name: indexDbName('memos', 'idx_memos_user_status_created'), encoding: 'binary' });
      const [first] = index.getKeys({ limit: 1 });
      index.removeSync(first!);
    } finally {
      env.close();
    }
  });
  await expect(page.getByRole('heading', { name: 'Your profile’s store is damaged' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('missing from index');
  await checkBothThemes(page, checkA11y, 'start-up page (indexes)');
  await shoot('startup-20-damaged-index');

  await page.getByRole('button', { name: 'Repair the indexes (nothing is lost)' }).click();
  await expectMemosBack(page);
  await openScreen(page, 'Settings');
  const card = page.getByRole('region', { name: 'Store and backups' });
  await card.getByRole('button', { name: 'Check the store now' }).click();
  await expect(card.getByRole('status')).toHaveText('The store is healthy: every row, index and reference checks out.');
});

test('a deleted store opens to the start-up page, not to a new profile; starting afresh leads to the first run', async ({ page, app, shoot, checkA11y }) => {
  await createProfile(page, app);
  await seedLibrary(app.host.core, MEMOS);
  await reopenDamaged(page, app, (profileDir) => rmSync(storePath(profileDir)));
  await expect(page.getByRole('heading', { name: 'Your profile’s store is missing' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Set up Agent Talk on this computer' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Restore the newest backup' })).toBeVisible(); // the one taken at the first open
  await checkBothThemes(page, checkA11y, 'start-up page (missing)');
  await shoot('startup-30-missing');

  await page.getByRole('button', { name: 'Start with an empty profile' }).click();
  const confirm = page.getByRole('dialog', { name: 'Start with an empty profile?' });
  await expect(confirm).toContainText('moved into the profile’s damaged folder, not deleted');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Your profile’s store is missing' })).toBeVisible(); // Cancel changed nothing
  await page.getByRole('button', { name: 'Start with an empty profile' }).click();
  await page.getByRole('dialog', { name: 'Start with an empty profile?' }).getByRole('button', { name: 'Start empty' }).click();
  await expect(page.getByRole('heading', { name: 'Set up Agent Talk on this computer' })).toBeVisible();
});

test('index damage past the check at open: Settings finds it and repairs the indexes in place, nothing lost', async ({ page, app, shoot, checkA11y }) => {
  test.setTimeout(200_000);
  await createProfile(page, app);
  const count = OPEN_CHECK_LIMIT + 100;
  await seedLibrary(app.host.core, count);

  // The entry of the memo the check at open reads last of all (rows come in id order) is removed from an index:
  // the profile opens as usual, since that check stops at OPEN_CHECK_LIMIT rows.
  await reopenDamaged(page, app, (profileDir) => {
    const env = open({ path: storePath(profileDir), maxDbs: 512 });
    try {
      const [lastId] = env.openDB({ name: tableDbName('memos') }).getKeys({ reverse: true, limit: 1 });
      const index = env.openDB({ name: indexDbName('memos', 'idx_memos_user_status_created'), encoding: 'binary' });
      const entry = [...index.getKeys()].find((key) => (key as unknown[]).at(-1) === lastId);
      index.removeSync(entry!);
    } finally {
      env.close();
    }
  });
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  expect(await coreCall(app, 'memos.list', { status: 'completed' })).toMatchObject({ total: count - 1 }); // one memo lost to the filter
  await openScreen(page, 'Settings');
  const card = page.getByRole('region', { name: 'Store and backups' });
  await card.getByRole('button', { name: 'Check the store now' }).click();
  await expect(card.getByRole('status')).toContainText('1 problem found');
  await expect(card.getByRole('status')).toContainText('missing from index idx_memos_user_status_created');
  await checkBothThemes(page, checkA11y, 'settings, index damage found');
  await shoot('store-20-settings-index-damage');

  await card.getByRole('button', { name: 'Repair the indexes (nothing is lost)' }).click();
  await expect(card.getByRole('status')).toHaveText('The store is healthy: every row, index and reference checks out.');
  await expect(card.getByRole('button', { name: /Repair the indexes/ })).toHaveCount(0);
  // The Library's status filter reads that index: every completed memo is found again.
  expect(await coreCall(app, 'memos.list', { status: 'completed' })).toMatchObject({ total: count });
});
