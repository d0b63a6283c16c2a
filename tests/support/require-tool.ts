/**
 * Whether the programs a suite needs are installed. Where one is missing the suite is skipped with one line saying
 * why; under CI (CI=true) a missing program fails the run instead, since `.ci/run` installs them all.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function requireTools(tools: readonly string[], suite: string): boolean {
  const missing = tools.filter((tool) => !installed(tool));
  if (missing.length === 0) return true;
  const what = `${missing.join(', ')} not installed`;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${what}, and CI must run it (see .ci/run)`);
  console.warn(`${suite} skipped: ${what}`);
  return false;
}

/** A program name is looked up on PATH; a path (e.g. /usr/bin/chromium) is checked as given. */
function installed(tool: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = tool.includes('/') ? [tool] : dirs.map((dir) => join(dir, tool));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
