/** The memo studio and the player, as a person uses them (fixtures.ts: the browser host on a fresh profile). */
import type { Locator } from '@playwright/test';
import { coreCall, createProfile, expect, openScreen, test } from './fixtures';

const TEXT =
  'Good morning. Today we ship the desktop app. The studio makes memos on this computer, and the player plays them while you browse. ' +
  'Seeking works, and so does changing the speed. That is all for now.';
const NO_CLOUD_URL = 'Set the Agent Talk cloud URL in Settings to use the cloud voices.';

/** An audio element as these tests read it (they are compiled without the DOM library). */
interface Media {
  currentTime: number;
  paused: boolean;
  playbackRate: number;
  duration: number;
}
const media = (audio: Locator) =>
  audio.evaluate((element) => {
    const { currentTime, paused, playbackRate, duration } = element as unknown as Media;
    return { currentTime, paused, playbackRate, duration };
  });

test('the studio makes an offline memo that plays, pauses, seeks and changes speed in the player', async ({ page, app, shoot, checkA11y }) => {
  const audioRanges: (string | undefined)[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/audio/')) audioRanges.push(request.headers()['range']);
  });
  await createProfile(page, app);
  await expect(page.getByRole('heading', { name: 'Memo studio' })).toBeVisible();
  const generate = page.getByRole('button', { name: 'Generate' });

  // No key yet: the studio says so, and offers the way to the Keys screen.
  await expect(page.getByText('You have no active API key.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Go to Keys' })).toBeVisible();
  await coreCall(app, 'keys.create', { name: 'Laptop' });
  await expect(page.getByLabel('Billed to')).toContainText('Laptop');
  await expect(page.getByText('You have no active API key.')).toHaveCount(0);

  // The voices, by engine: offline ones ready (the first chosen), cloud ones disabled, saying why.
  const offline = page.getByRole('group', { name: 'Offline voices' });
  const cloud = page.getByRole('group', { name: 'Cloud voices' });
  await expect(offline.getByRole('radio')).toHaveCount(5);
  await expect(offline.getByRole('radio', { name: /^Sally/ })).toBeChecked();
  await expect(cloud.getByRole('radio', { name: /^Rachel/ })).toBeDisabled();
  await expect(cloud.getByRole('radio', { disabled: false })).toHaveCount(0);
  await expect(cloud.getByText(NO_CLOUD_URL)).toBeVisible();

  // The character count follows the text, against the hobby plan's 5,000; past it, a warning and no Generate.
  const text = page.getByLabel('Text', { exact: true });
  await expect(page.getByText('0 / 5,000 characters')).toBeVisible();
  await text.fill('Hello');
  await expect(page.getByText('5 / 5,000 characters')).toBeVisible();
  await text.fill('x'.repeat(5_003));
  await expect(page.getByText('That’s 3 characters over your plan’s limit of 5,000 per memo.')).toBeVisible();
  await expect(generate).toBeDisabled();
  await text.fill(TEXT);
  await expect(page.getByText(`${TEXT.length} / 5,000 characters`)).toBeVisible();
  await expect(page.getByText(/over your plan’s limit/)).toHaveCount(0);

  // A voice's sample plays.
  await offline.getByRole('button', { name: 'Preview Alan' }).click();
  await expect(offline.getByRole('button', { name: 'Stop preview of Alan' })).toBeVisible();
  await expect.poll(async () => (await media(page.locator('audio.voice-preview'))).currentTime).toBeGreaterThan(0);
  await checkA11y('studio');
  await shoot('10-studio');

  // Generate: the memo is made, then plays in the player on its own.
  await page.getByLabel('Title (optional)').fill('Morning notes');
  await offline.getByRole('radio', { name: /^Robert/ }).check();
  await generate.click();
  const status = page.getByRole('region', { name: 'Morning notes' });
  await expect(status.getByRole('status')).toHaveText(/^Ready \(0:\d\d\), in the player below\.$/);
  const player = page.getByRole('region', { name: 'Player' });
  const audio = player.locator('audio');
  await expect(player.getByText('Morning notes')).toBeVisible();
  await expect(player.getByRole('button', { name: 'Pause' })).toBeVisible();
  const startedAt = (await media(audio)).currentTime;
  await expect.poll(async () => (await media(audio)).currentTime).toBeGreaterThan(startedAt + 0.5);
  await checkA11y('studio with the player playing');
  await shoot('11-player-playing');

  // Space pauses and plays again (focus out of every field first: there, Space is the field's).
  await page.getByRole('heading', { name: 'Memo studio' }).click();
  await page.keyboard.press('Space');
  await expect(player.getByRole('button', { name: 'Play' })).toBeVisible();
  expect((await media(audio)).paused).toBe(true);
  await page.keyboard.press('Space');
  await expect(player.getByRole('button', { name: 'Pause' })).toBeVisible();
  expect((await media(audio)).paused).toBe(false);
  // In the text, Space types a space.
  await text.press('End');
  await text.press('Space');
  await expect(text).toHaveValue(`${TEXT} `);
  expect((await media(audio)).paused).toBe(false);

  // It keeps playing while the user goes elsewhere.
  await openScreen(page, 'Keys');
  const onKeys = (await media(audio)).currentTime;
  await expect.poll(async () => (await media(audio)).currentTime).toBeGreaterThan(onKeys);
  await expect(player.getByText('Morning notes')).toBeVisible();
  await openScreen(page, 'Studio');

  // The seek bar seeks (the audio is served by byte ranges), and so do the arrow keys.
  const seekBar = player.getByRole('slider', { name: 'Seek' });
  const { duration } = await media(audio);
  const box = (await seekBar.boundingBox())!;
  await seekBar.click({ position: { x: box.width * 0.8, y: box.height / 2 } });
  await expect.poll(async () => (await media(audio)).currentTime).toBeGreaterThan(duration * 0.7);
  await page.getByRole('heading', { name: 'Memo studio' }).click();
  const beforeBack = (await media(audio)).currentTime;
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await media(audio)).currentTime).toBeLessThan(beforeBack - 3);
  expect(audioRanges.length).toBeGreaterThan(0);
  expect(audioRanges.every((range) => range?.startsWith('bytes='))).toBe(true);

  // Speed.
  await player.getByLabel('Speed').selectOption('1.5');
  expect((await media(audio)).playbackRate).toBe(1.5);
});

test('generating with a key revoked since it was chosen is refused, saying why', async ({ page, app }) => {
  await createProfile(page, app);
  const { key } = await coreCall(app, 'keys.create', { name: 'Laptop' });
  await page.getByLabel('Text', { exact: true }).fill('A short memo.');
  await expect(page.getByLabel('Billed to')).toContainText('Laptop');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('region', { name: 'A short memo.' }).getByRole('status')).toHaveText(/^Ready/);

  await coreCall(app, 'keys.revoke', { id: key.id });
  await expect(page.getByLabel('Billed to')).toContainText('Laptop (at_live_***');
  await expect(page.getByLabel('Billed to')).toContainText('— revoked');
  await expect(page.getByText('You have no active API key.')).toBeVisible();
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'That API key has been revoked.' })).toBeVisible();
});
