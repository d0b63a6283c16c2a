/** Builds the renderer once from the current sources, so no test ever runs against an older build in out/. */
import { join } from 'node:path';

export default async function globalSetup(): Promise<void> {
  const { build } = await import('electron-vite');
  await build({ root: join(import.meta.dirname, '../..'), logLevel: 'warn' });
}
