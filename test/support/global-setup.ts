import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { dropOldTestDatabases, KEPT_DATABASE_MAX_AGE_MS } from './postgres-admin.js';

/** End-to-end tests run the built CLI and web app, so build them once before any test starts (WINNOW_TEST_SKIP_BUILD=1 skips it while iterating). */
export default async function setup(): Promise<void> {
  await dropKeptDatabases();
  if (process.env.WINNOW_TEST_SKIP_BUILD === '1') return;
  const root = resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // The browser tests drive the built web app that `winnow serve` serves from dist/web.
  execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src/web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** Databases kept after failed tests stay a day (see test/support/databases.ts), then go. */
async function dropKeptDatabases(): Promise<void> {
  try {
    const dropped = await dropOldTestDatabases();
    if (dropped.length > 0) console.log(`Dropped ${dropped.length} test databases older than ${KEPT_DATABASE_MAX_AGE_MS / 3_600_000} h: ${dropped.join(', ')}`);
  } catch (error) {
    // The PostgreSQL tests will say what is wrong with the server; the others need none.
    console.warn(`Could not look for old test databases: ${error instanceof Error ? error.message : String(error)}`);
  }
}
