import { includeGlobsForFirst } from './bucket-layout.js';
import { syncFreshDataset, type WinnowSyncRun } from './winnow-cli.js';

export interface FullSync {
  objects: number;
  listingMs: number;
  probingMs: number;
  probesPerSecond: number;
  wallMs: number;
  peakRssKib: number;
}

export interface ProbeThroughput {
  concurrency: number;
  objects: number;
  probingMs: number;
  probesPerSecond: number;
  speedUpVsFirst: number;
}

/** A complete first sync straight against s3rver (SQLite, default concurrency): listing, then every header read. */
export async function measureFullSync(endpoint: string, objects: number): Promise<FullSync> {
  const run = assertAllProbed(await syncFreshDataset({ dialect: 'sqlite', endpoint }), objects);
  const { listingMs, probingMs } = run.report.timings;
  return { objects, listingMs, probingMs, probesPerSecond: objects / (probingMs / 1000), wallMs: run.wallMs, peakRssKib: run.peakRssKib };
}

/** Header reads of the same `objects` (the first folders, picked with --include) at each concurrency. */
export async function measureProbeThroughput(endpoint: string, objects: number, concurrencies: readonly number[]): Promise<ProbeThroughput[]> {
  const include = includeGlobsForFirst(objects);
  const results: ProbeThroughput[] = [];
  for (const concurrency of concurrencies) {
    const run = assertAllProbed(await syncFreshDataset({ dialect: 'sqlite', endpoint, include, probeConcurrency: concurrency }), objects);
    const probingMs = run.report.timings.probingMs;
    const probesPerSecond = objects / (probingMs / 1000);
    results.push({ concurrency, objects, probingMs, probesPerSecond, speedUpVsFirst: probesPerSecond / (results[0]?.probesPerSecond ?? probesPerSecond) });
  }
  return results;
}

function assertAllProbed(run: WinnowSyncRun, objects: number): WinnowSyncRun {
  const { report } = run;
  if (report.total !== objects || report.withoutDimensions !== 0 || report.failed !== 0) {
    throw new Error(`winnow probed ${report.total - report.withoutDimensions} of ${report.total} samples (${report.failed} failed), expected all ${objects}`);
  }
  return run;
}
