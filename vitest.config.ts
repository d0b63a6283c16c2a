import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // Forks, not threads: lmdb and better-sqlite3 are native addons, safest each in its own process.
    pool: 'forks',
    // Store tests do real disk I/O (fsync) on a 2-core machine: allow slow moments without hiding a hang.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
