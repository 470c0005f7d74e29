import { listWithRclone, type RcloneListing } from './rclone-listing.js';
import { syncFreshDataset, type CatalogDialect, type WinnowSyncRun } from './winnow-cli.js';
import { median } from './statistics.js';

export interface WinnowListingFigures {
  dialect: CatalogDialect;
  /** Best `timings.listingMs` over the runs: listing + catalog writes, without CLI start-up. */
  medianListingMs: number;
  listingMsRuns: number[];
  keysPerSecond: number;
  /** Best spawn-to-exit time of `dataset sync` (start-up and the denied header reads included). */
  medianWallMs: number;
  peakRssKib: number;
  ratioToRclone: number;
}

export interface ListingComparison {
  objects: number;
  rclone: { medianWallMs: number; wallMsRuns: number[]; peakRssKib: number };
  winnow: WinnowListingFigures[];
}

export const DIALECTS: readonly CatalogDialect[] = ['sqlite', 'postgres'];

/**
 * rclone and Winnow (on each catalog dialect) list the same prefix through the list-only
 * gateway, `rounds` times, alternating their order each round so neither always runs on
 * the warmer server; the median of each is compared.
 */
export async function compareListing(gatewayEndpoint: string, gatewayPort: number, objects: number, rounds: number): Promise<ListingComparison> {
  const rcloneRuns: RcloneListing[] = [];
  const winnowRuns: WinnowSyncRun[] = [];
  const runRclone = async () => rcloneRuns.push(assertRcloneSawAll(await listWithRclone(gatewayPort), objects));
  const runWinnow = (dialect: CatalogDialect) => async () =>
    winnowRuns.push(assertListedOnly(await syncFreshDataset({ dialect, endpoint: gatewayEndpoint }), objects));
  const round = [runRclone, ...DIALECTS.map(runWinnow)];
  for (let index = 0; index < rounds; index++) {
    for (const run of index % 2 === 0 ? round : [...round].reverse()) await run();
  }

  const rcloneMedianMs = median(rcloneRuns.map((run) => run.wallMs));
  return {
    objects,
    rclone: { medianWallMs: rcloneMedianMs, wallMsRuns: rcloneRuns.map((run) => run.wallMs), peakRssKib: Math.max(...rcloneRuns.map((run) => run.peakRssKib)) },
    winnow: DIALECTS.map((dialect) =>
      summarizeWinnow(
        dialect,
        winnowRuns.filter((run) => run.dialect === dialect),
        objects,
        rcloneMedianMs,
      ),
    ),
  };
}

function summarizeWinnow(dialect: CatalogDialect, runs: WinnowSyncRun[], objects: number, rcloneMedianMs: number): WinnowListingFigures {
  const listingMsRuns = runs.map((run) => run.report.timings.listingMs);
  const medianListingMs = median(listingMsRuns);
  return {
    dialect,
    medianListingMs,
    listingMsRuns,
    keysPerSecond: objects / (medianListingMs / 1000),
    medianWallMs: median(runs.map((run) => run.wallMs)),
    peakRssKib: Math.max(...runs.map((run) => run.peakRssKib)),
    ratioToRclone: medianListingMs / rcloneMedianMs,
  };
}

function assertRcloneSawAll(listing: RcloneListing, objects: number): RcloneListing {
  if (listing.keys !== objects) throw new Error(`rclone listed ${listing.keys} keys, expected ${objects}`);
  return listing;
}

/** Every key indexed, none from the sibling prefix, and header reads refused (so the run timed the listing only). */
function assertListedOnly(run: WinnowSyncRun, objects: number): WinnowSyncRun {
  const { report } = run;
  if (report.added !== objects || report.total !== objects)
    throw new Error(`winnow (${run.dialect}) indexed ${report.total} keys (added ${report.added}), expected ${objects}`);
  if (!report.readDenied || report.withoutDimensions !== objects) {
    throw new Error(`winnow (${run.dialect}) read headers through the list-only gateway (${report.withoutDimensions} of ${objects} without dimensions)`);
  }
  return run;
}
