/**
 * Memos imported from an agent-talk database (issue #9, item 6), as a person meets them: the import report says what
 * was adjusted in plain words (the column-level notes behind a disclosure); an imported memo whose audio is still on
 * the service plays (fetched on first play, then local, from the Library or from the player's own previous/next),
 * and with the service out of reach it says to connect.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { openLegacy, run } from '../support/legacy-db';
import { createProfile, expect, openScreen, test, type App } from './fixtures';

const row = (page: Page, text: string) => page.getByRole('list', { name: 'Memos, newest first' }).getByRole('listitem').filter({ hasText: text });

/** A memo the (loopback) service makes, as it made the ones in the file: answers its audio URL. */
async function serviceAudioUrl(app: App, url: 'http' | 'data'): Promise<string> {
  app.cloud.configure({ url, format: 'wav' });
  const answer = await fetch(`${app.cloud.url}/api/v1/memo`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${app.cloud.keys.hobby}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'Aus dem Archiv', voice: 'rachel' }),
  });
  return ((await answer.json()) as { audio: { url: string } }).audio.url;
}

test('imported memos: a report in plain words, and audio fetched from the service on first play', async ({ page, app, checkA11y }, testInfo) => {
  const dir = testInfo.outputPath();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'agent-talk.db');
  const db = openLegacy(file);
  run(db, `INSERT INTO users (id, email, password_hash) VALUES ('u1', 'ada@example.com', 'hash')`);
  const memos: [string, string][] = [
    ['Grüße aus dem Archiv', await serviceAudioUrl(app, 'http')],
    ['Ein Memo als data-URL', await serviceAudioUrl(app, 'data')],
    ['Erst nach dem Verbinden', await serviceAudioUrl(app, 'http')],
    ['Vom Player geholt', await serviceAudioUrl(app, 'http')],
  ];
  memos.forEach(([text, url], i) =>
    run(db, `INSERT INTO memos (id, user_id, text, voice, audio_url, duration_seconds, character_count, created_at) VALUES (?, 'u1', ?, 'rachel', ?, NULL, ?, ?)`, `m${i}`, text, url, text.length, `2024-03-0${i + 1} 08:00:00`),
  );
  run(db, `INSERT INTO usage_logs (id, user_id, action, metadata) VALUES ('l1', 'u1', 'memo_created', 'not json')`);
  db.close();

  await createProfile(page, app, 'ada@example.com');
  await openScreen(page, 'Settings');
  await page.getByLabel('Database file').setInputFiles(file);
  const report = page.getByRole('region', { name: 'Import from Agent Talk' });
  await expect(report).toContainText('4 memos had no length recorded; it is measured when the memo first plays.');
  await expect(report).toContainText('1 usage entry had details that could not be read; it is kept as written.');
  // The column-level notes are there for whoever asks, not in the way.
  const technical = report.getByText('duration_seconds was NULL: imported as 0').first();
  await expect(technical).toBeHidden();
  await report.getByText('Technical details').click();
  await expect(technical).toBeVisible();
  await expect(report.getByText(/kept as \{ raw/)).toBeVisible();
  await checkA11y('import report with adjusted rows');

  await openScreen(page, 'Library');
  const first = row(page, 'Grüße aus dem Archiv');
  await expect(first).toContainText('Audio on the service');
  await first.getByRole('button', { name: /^Play / }).click();
  const player = page.getByRole('region', { name: 'Player' });
  await expect(player).toContainText('Grüße aus dem Archiv');
  await expect(first).not.toContainText('Audio on the service');
  // Now on this computer, under the memo's own (legacy) id, served with Range as any memo's audio.
  await expect(first.getByRole('link', { name: /^Download audio of / })).toHaveAttribute('href', '/audio/m0.wav');
  const ranged = await page.evaluate(async () => {
    const answer = await fetch('/audio/m0.wav', { headers: { Range: 'bytes=0-3' } });
    return [answer.status, await answer.text()];
  });
  expect(ranged).toEqual([206, 'RIFF']);

  const dataMemo = row(page, 'Ein Memo als data-URL');
  await dataMemo.getByRole('button', { name: /^Play / }).click();
  await expect(player).toContainText('Ein Memo als data-URL');
  await expect(dataMemo.getByRole('link', { name: /^Download audio of / })).toHaveAttribute('href', '/audio/m1.wav');

  // The service out of reach: the memo says why it cannot play, and plays once it is back.
  await app.cloud.goOffline();
  const later = row(page, 'Erst nach dem Verbinden');
  await later.getByRole('button', { name: /^Play / }).click();
  await expect(page.getByText('This memo’s audio is on the service; connect to the internet to play it.')).toBeVisible();
  await expect(later).toContainText('Audio on the service');
  await app.cloud.comeBack();
  await later.getByRole('button', { name: /^Play / }).click();
  await expect(player).toContainText('Erst nach dem Verbinden');
  await expect(later).not.toContainText('Audio on the service');

  // The player itself (which the Studio plays through) brings the audio here: "Previous" reaches the newest memo,
  // still on the service, and plays it.
  const viaPlayer = row(page, 'Vom Player geholt');
  await expect(viaPlayer).toContainText('Audio on the service');
  await player.getByRole('button', { name: 'Previous' }).click();
  await expect(player).toContainText('Vom Player geholt');
  await expect(viaPlayer).not.toContainText('Audio on the service');
  await expect(viaPlayer.getByRole('link', { name: /^Download audio of / })).toHaveAttribute('href', '/audio/m3.wav');
});
