/**
 * `npm run bench:embed-workers`: an embedding run of a few hundred images (local folder, the
 * bundled model) on PostgreSQL, by the CLI alone (`winnow embed`, one process) and by 1 and 2
 * `winnow worker` processes (`winnow embed --queue`, split into batch jobs of BENCH_BATCH samples),
 * alternating rounds; prints images/s (median of the wall time of the `embed` command), the ratio to
 * one worker, and the load average. Not a test: nothing here passes or fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { cleanUpAll, makeTempDir, onCleanup } from './cleanup.js';
import { createFreshPostgresDatabase } from './postgres-database.js';
import { ensureFreshBuild } from './winnow-cli.js';
import { median } from './statistics.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/winnow.js');
const IMAGES = Number(process.env.BENCH_IMAGES ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = process.env.BENCH_BATCH ?? '100';
const PHOTOS = resolve(ROOT, 'test/fixtures/photos');

ensureFreshBuild();
try {
  await main();
} finally {
  await cleanUpAll();
}

async function main() {
  const folder = join((await makeTempDir('winnow-bench-embed-workers-')).path, 'images');
  mkdirSync(folder);
  const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));
  for (let index = 0; index < IMAGES; index++) {
    const photo = sharp(join(PHOTOS, photos[index % photos.length]!));
    const { width = 640, height = 480 } = await photo.metadata();
    const shift = Math.floor(index / photos.length);
    const crop = {
      left: shift % Math.floor(width / 4),
      top: shift % Math.floor(height / 4),
      width: Math.floor((width * 3) / 4),
      height: Math.floor((height * 3) / 4),
    };
    await photo
      .extract(crop)
      .resize(320)
      .jpeg({ quality: 85 })
      .toFile(join(folder, `img-${String(index).padStart(4, '0')}.jpg`));
  }
  const home = (await makeTempDir('winnow-bench-embed-workers-home-')).path;
  const results: Record<string, number[]> = { 'CLI alone (in-process)': [], '1 worker': [], '2 workers': [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, workers] of [
      ['CLI alone (in-process)', 0],
      ['1 worker', 1],
      ['2 workers', 2],
    ] as const) {
      results[name]!.push(await embedRound(home, folder, workers));
      console.log(`round ${round + 1}: ${name}: ${results[name]!.at(-1)!.toFixed(1)} images/s (load ${loadavg()[0]!.toFixed(1)})`);
    }
  }
  const base = median(results['1 worker']!);
  console.log(
    `${IMAGES} images of 320 px, batch jobs of ${BATCH}, ${ROUNDS} rounds; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log('run                      images/s (median)  vs 1 worker');
  for (const [name, values] of Object.entries(results)) {
    console.log(`${name.padEnd(25)}${median(values).toFixed(1).padStart(17)}  ${(median(values) / base).toFixed(2).padStart(11)}`);
  }
}

/** A fresh database and dataset, synced; then one timed `winnow embed` (by N workers, or by the CLI when N is 0). */
async function embedRound(home: string, folder: string, workers: number): Promise<number> {
  const database = await createFreshPostgresDatabase();
  const env = { ...process.env, WINNOW_HOME: home, WINNOW_DATABASE_URL: database.url, WINNOW_JOB_BATCH_SAMPLES: BATCH, WINNOW_JOB_POLL_MS: '200' };
  await cli(['dataset', 'create', 'bench', '--input', folder], env);
  await cli(['dataset', 'sync', 'bench'], env);
  const children: ChildProcess[] = [];
  try {
    for (let index = 0; index < workers; index++) children.push(await startWorker(env));
    const started = performance.now();
    await cli(['embed', 'bench', ...(workers > 0 ? ['--queue'] : [])], env);
    return IMAGES / ((performance.now() - started) / 1000);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once('exit', done)))));
    await database.drop();
  }
}

function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  onCleanup('kill a worker', () => child.kill('SIGKILL'));
  return new Promise((ready, failed) => {
    let said = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('is working')) ready(child);
    });
    child.once('exit', (code) => failed(new Error(`the worker exited with ${String(code)}: ${said}`)));
  });
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    child.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? done() : failed(new Error(`winnow ${args.join(' ')} exited with ${String(code)}: ${said}`))));
  });
}
