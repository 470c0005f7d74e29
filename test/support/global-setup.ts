import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** End-to-end tests run the built CLI and web app, so build them once before any test starts (WINNOW_TEST_SKIP_BUILD=1 skips it while iterating). */
export default function setup(): void {
  if (process.env.WINNOW_TEST_SKIP_BUILD === '1') return;
  const root = resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // The browser tests drive the built web app that `winnow serve` serves from dist/web.
  execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src/web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
