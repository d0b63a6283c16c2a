/** The import rules of DESIGN.md bite: ESLint reports each forbidden import, and lets the allowed ones through. */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });

/** The no-restricted-imports reports for `code` as if it were the file at `filePath` (which need not exist). */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  expect(result?.fatalErrorCount).toBe(0);
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: [file: string, source: string][] = [
  ['src-shared/x.ts', 'node:fs'],
  ['src-shared/x.ts', 'fs'],
  ['src-shared/x.ts', 'fs/promises'],
  ['src-shared/x.ts', 'crypto'],
  ['src-shared/x.ts', 'lmdb'],
  ['src-shared/x.ts', 'electron'],
  ['src-shared/sync/x.ts', '../../src-main/db'],
  ['src-shared/x.ts', '../src-renderer/App'],
  ['src-renderer/x.tsx', '../src-main/db'],
  ['src-renderer/x.tsx', 'electron'],
  ['src-renderer/x.tsx', 'node:path'],
  ['src-renderer/x.tsx', 'os'],
  ['src-renderer/features/keys/x.tsx', 'lmdb'],
  ['src-main/db/x.ts', 'electron'],
  ['src-main/db/x.ts', '../services/keys'],
  ['src-main/db/migrations/x.ts', '../../ipc/router'],
  ['src-main/services/x.ts', 'electron/main'],
  ['src-main/services/sync/x.ts', '../../ipc/router'],
  ['src-main/services/x.ts', '../host/server'],
  ['src-main/ipc/x.ts', '../app/window'],
  ['src-main/ipc/x.ts', '../../src-main/host'],
  ['src-main/host/x.ts', 'electron'],
  ['src-main/app/x.ts', '../../src-renderer/App'],
  ['src-main/host/x.ts', '../app/window'],
  ['src-main/host/x.ts', '../app/policy'],
  ['src-main/serve/x.ts', 'electron'],
  ['src-main/serve/x.ts', '../app/policy'],
  ['src-main/serve/x.ts', '../ipc/router'],
  ['src-main/services/x.ts', '../serve/origin'],
  ['src-main/api/x.ts', '../ipc/router'],
  ['src-main/api/x.ts', '../host/server'],
  ['src-main/api/x.ts', '../app/window'],
  ['src-main/api/x.ts', 'electron'],
  ['src-main/core.ts', 'electron'],
];

const allowed: [file: string, source: string][] = [
  ['src-shared/x.ts', 'zod'],
  ['src-shared/contract/x.ts', '../schema'],
  ['src-renderer/x.tsx', '../src-shared/schema'],
  ['src-renderer/x.tsx', 'zustand'],
  ['src-main/index.ts', 'electron'],
  ['src-main/app/window.ts', 'electron'],
  ['src-main/preload/index.ts', 'electron'],
  ['src-main/db/x.ts', 'lmdb'],
  ['src-main/db/x.ts', '../../src-shared/schema'],
  ['src-main/db/migrations/x.ts', '../env'],
  ['src-main/services/x.ts', '../db'],
  ['src-main/services/x.ts', 'node:fs'],
  ['src-main/ipc/x.ts', '../services/keys'],
  ['src-main/host/x.ts', '../ipc/router'],
  ['src-main/host/x.ts', '../serve/serve'],
  ['src-main/host/x.ts', '../core'],
  ['src-main/app/x.ts', '../serve/origin'],
  ['src-main/api/x.ts', '../services/keys'],
  ['src-main/api/x.ts', '../serve/serve-audio'],
  ['src-main/core.ts', './ipc/router'],
  ['src-main/app/x.ts', '../ipc/router'],
];

describe('import rules', () => {
  it.each(forbidden)('%s may not import %s', async (file, source) => {
    expect(await restrictedImports(file, `import x from '${source}';\nexport { x };\n`)).toHaveLength(1);
    expect(await restrictedImports(file, `export * from '${source}';\n`)).toHaveLength(1);
  });

  it.each(allowed)('%s may import %s', async (file, source) => {
    expect(await restrictedImports(file, `import x from '${source}';\nexport { x };\n`)).toEqual([]);
  });
});
