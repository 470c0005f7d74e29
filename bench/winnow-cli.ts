import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyncReport } from '../src/workflows/sync-dataset.js';
import { BUCKET, INPUT_PREFIX } from './bucket-layout.js';
import { makeTempDir } from './cleanup.js';
import { assertSucceeded, runMeasured } from './measured-process.js';
import { createFreshPostgresDatabase } from './postgres-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/winnow.js');
const BUILT_ENTRY = join(ROOT, 'dist/cli/main.js');

export type CatalogDialect = 'sqlite' | 'postgres';

export interface WinnowSyncRun {
  dialect: CatalogDialect;
  report: SyncReport;
  /** Spawn to exit of the `dataset sync` process, start-up and probing included. */
  wallMs: number;
  peakRssKib: number;
}

export interface WinnowSyncOptions {
  dialect: CatalogDialect;
  endpoint: string;
  include?: readonly string[];
  probeConcurrency?: number;
}

/** The bench runs the built CLI as a user would, so dist/ must reflect src/. */
export function ensureFreshBuild(): void {
  const newestSource = newestMtimeMs(join(ROOT, 'src'), (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
  let builtAt = 0;
  try {
    builtAt = statSync(BUILT_ENTRY).mtimeMs;
  } catch {
    // Missing: build.
  }
  if (builtAt >= newestSource) return;
  console.log('dist/ is missing or older than src/: npm run build');
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  } catch (error) {
    throw new Error('npm run build failed (errors above): the bench times the built CLI, so it stops rather than time a half-built one', { cause: error });
  }
}

function newestMtimeMs(dir: string, include: (file: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !include(entry.name)) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** A fresh catalog (temp WINNOW_HOME, plus a new database for PostgreSQL), a new dataset, and one full sync of it. */
export async function syncFreshDataset(options: WinnowSyncOptions): Promise<WinnowSyncRun> {
  const home = await makeTempDir('winnow-bench-home-');
  const database = options.dialect === 'postgres' ? await createFreshPostgresDatabase() : undefined;
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      WINNOW_HOME: home.path,
      WINNOW_LOG_LEVEL: 'warn',
      WINNOW_SECRET_ACCESS_KEY: 'S3RVER',
      ...(database === undefined ? {} : { WINNOW_DATABASE_URL: database.url }),
    };
    const includeFlags = (options.include ?? []).flatMap((glob) => ['--include', glob]);
    const create = await runWinnow(
      [
        'dataset',
        'create',
        'bench',
        '--input',
        `s3://${BUCKET}/${INPUT_PREFIX}`,
        '--endpoint',
        options.endpoint,
        '--path-style',
        '--access-key-id',
        'S3RVER',
        ...includeFlags,
      ],
      env,
    );
    assertSucceeded(create, 'winnow dataset create');

    const globalFlags = options.probeConcurrency === undefined ? [] : ['--probe-concurrency', String(options.probeConcurrency)];
    const sync = await runWinnow([...globalFlags, 'dataset', 'sync', 'bench', '--json', '--skip-verify'], env);
    assertSucceeded(sync, 'winnow dataset sync');
    const report = JSON.parse(sync.stdout) as SyncReport;
    if (report.timings === undefined) throw new Error('the built CLI reports no timings: rebuild with npm run build');
    return { dialect: options.dialect, report, wallMs: sync.wallMs, peakRssKib: sync.peakRssKib };
  } finally {
    await database?.drop();
    await home.remove();
  }
}

function runWinnow(args: readonly string[], env: NodeJS.ProcessEnv) {
  return runMeasured(process.execPath, [BIN, ...args], { env, timeoutMs: 60 * 60_000 });
}
