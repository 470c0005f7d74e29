/**
 * Sync benchmark: listing + catalog writes against rclone, header-read throughput,
 * catalog insert rate on both dialects, and peak memory as the bucket grows.
 *
 *   npm run bench:sync                      # N = 10,000 and 100,000
 *   npm run bench:sync -- 10000 50000       # chosen sizes
 *   npm run bench:sync -- --quick           # N = 2,000
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { measureCatalogInsertRate } from './catalog-insert.js';
import { cleanUpAll, cleanUpOnSignals, isInterrupted } from './cleanup.js';
import { measureFullSync, measureProbeThroughput, type ProbeThroughput } from './header-probing.js';
import { compareListing, DIALECTS } from './listing-comparison.js';
import { startListOnlyGateway } from './list-only-gateway.js';
import {
  printCatalogInsert,
  printPeakRss,
  printProbing,
  printSizeResults,
  printTable,
  summaryRows,
  writeResultsJson,
  type BenchResults,
  type SizeResults,
} from './report.js';
import { startSeededS3rver } from './seeded-s3rver.js';
import { ensureFreshBuild } from './winnow-cli.js';

const DEFAULT_SIZES = [10_000, 100_000];
const QUICK_SIZES = [2_000];
/** Three, so the median is one whole run and the order alternates both ways. */
const LISTING_ROUNDS = 3;
const PROBE_SUBSET = 2_000;
const PROBE_CONCURRENCIES = [1, 8, 32];
const INSERT_ROWS = 100_000;
const INSERT_TRANSACTION = 1_000;

function parseSizes(argv: readonly string[]): number[] {
  if (argv.includes('--quick')) return QUICK_SIZES;
  const sizes = argv.map((arg) => {
    const size = Number(arg.replaceAll('_', ''));
    if (!Number.isInteger(size) || size < PROBE_SUBSET) {
      throw new Error(`"${arg}" is not an object count of at least ${PROBE_SUBSET} (the header-read subset), nor --quick`);
    }
    return size;
  });
  return sizes.length > 0 ? sizes.sort((a, b) => a - b) : DEFAULT_SIZES;
}

async function benchSize(objects: number, probeConcurrencies: readonly number[]): Promise<{ size: SizeResults; probing: ProbeThroughput[] }> {
  console.log(`\nseeding ${objects.toLocaleString('en-US')} objects and measuring...`);
  const server = await startSeededS3rver(objects);
  try {
    const gateway = await startListOnlyGateway(server.port);
    const listing = await compareListing(gateway.endpoint, gateway.port, objects, LISTING_ROUNDS);
    await gateway.stop();
    const fullSync = await measureFullSync(server.endpoint, objects);
    const probing = await measureProbeThroughput(server.endpoint, PROBE_SUBSET, probeConcurrencies);
    const size = { objects, seedMs: server.seedMs, listing, fullSync };
    printSizeResults(size);
    return { size, probing };
  } finally {
    await server.stop();
  }
}

function describeEnvironment(): Record<string, string | number> {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  return {
    node: process.version,
    rclone: execFileSync('rclone', ['version'], { encoding: 'utf8' }).split('\n')[0]!,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown (not a git checkout)',
    uncommittedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length,
    loadAverageAtStart: Number(loadavg()[0]!.toFixed(2)),
  };
}

/** Other work on this 2-core machine shows up directly in the ratios. */
function warnIfBusy(): void {
  const [lastMinute] = loadavg();
  if (lastMinute! > 0.5) console.log(`note: load average ${lastMinute!.toFixed(2)} before starting; figures will be noisier than on an idle machine`);
}

async function main(): Promise<void> {
  const sizes = parseSizes(process.argv.slice(2));
  // The SDK client that spot-checks the seeded bucket would print its Node 20 support notice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  cleanUpOnSignals();
  ensureFreshBuild();
  const results: BenchResults = { startedAt: new Date().toISOString(), environment: describeEnvironment(), sizes: [], probing: [], catalogInsert: [] };
  console.log(`winnow sync bench: N = ${sizes.map((n) => n.toLocaleString('en-US')).join(', ')} on ${results.environment.cpus} CPUs`);
  warnIfBusy();

  for (const [index, objects] of sizes.entries()) {
    // Header-read throughput does not depend on N; measure it once, on the smallest bucket.
    const { size, probing } = await benchSize(objects, index === 0 ? PROBE_CONCURRENCIES : []);
    results.sizes.push(size);
    results.probing.push(...probing);
  }
  printProbing(results.probing);

  for (const dialect of DIALECTS) results.catalogInsert.push(await measureCatalogInsertRate(dialect, INSERT_ROWS, INSERT_TRANSACTION));
  printCatalogInsert(results.catalogInsert);
  printPeakRss(results.sizes);

  results.environment.loadAverageAtEnd = Number(loadavg()[0]!.toFixed(2));
  printTable(summaryRows(results));
  console.log(`\nwritten to ${writeResultsJson(results)}`);
}

try {
  await main();
} catch (error) {
  if (!isInterrupted()) console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUpAll();
}
