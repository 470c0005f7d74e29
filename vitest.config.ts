import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // Records failed tests, so test/support/databases.ts keeps their PostgreSQL databases.
    setupFiles: ['test/support/failed-tests.setup.ts'],
  },
});
